"""Forms of the regulators' admin. They check through the lifecycle service (without writing) so every
problem shows on the page before anything is attempted; the views then call the service to write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import lifecycle
from ..dates import local_today
from ..exceptions import LicensingError, StaleVersion
from ..models import Domain, License

# The fields a regulator edits; status, number and version belong to the lifecycle service.
FORM_FIELDS = [field for field in lifecycle.EDITABLE_FIELDS if field != "origin"]


def add_service_errors(form: forms.Form, error: LicensingError) -> None:
    """Show a domain error on the form: on its fields where it names them, at the top otherwise."""
    placed = False
    for field, messages in error.errors.items():
        # Hidden fields (the version) show no errors of their own: their message goes to the top.
        if field in form.fields and not form.fields[field].widget.is_hidden:
            for message in messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def date_input() -> forms.DateInput:
    """The browser's date picker. Its value must be an ISO date whatever the language: Django would write
    an initial day in the active language's first input format (2026/12/01 in zh-hans), which the
    picker cannot read, and the field would show empty."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def effective_day_field(help_text=None, *, required=False):
    """The day an act took effect (default today); the lifecycle service checks it (check_occurred_on)."""
    return forms.DateField(
        label=_("Effective day"),
        initial=local_today,
        required=required,
        widget=date_input(),
        help_text=help_text
        or _(
            "The day this took effect, as the sources say (today if it happened today). Not in the "
            "future, and not before the license's previous event."
        ),
    )


class LicenseAdminForm(forms.ModelForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    occurred_on = effective_day_field(
        _(
            "The day this creation or change took effect, as the sources say (today if it happened today). "
            "Not in the future; a change of a listed or granted license not before its previous event."
        )
    )
    amendment_reason = forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required to change a granted, active or suspended license."),
    )
    data_domains = forms.ModelMultipleChoiceField(
        label=_("data domains"),
        queryset=Domain.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = License
        fields = FORM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
        else:
            del self.fields["amendment_reason"]

    def changes(self) -> dict:
        """The cleaned values as the lifecycle service takes them (only the changed ones for an edit)."""
        names = FORM_FIELDS if not self.instance.pk else [f for f in FORM_FIELDS if f in self.changed_data]
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            if self.instance.pk:
                if cleaned.get("seen_version") is None:
                    raise ValidationError(_("The form is missing the license's version: reload the page."))
                if self.changes():
                    lifecycle.check_edit(
                        self.instance,
                        self.changes(),
                        expected_version=cleaned["seen_version"],
                        reason=cleaned.get("amendment_reason", ""),
                        occurred_on=cleaned.get("occurred_on"),
                    )
                elif self.instance.version != cleaned["seen_version"]:
                    # Only the products change (or nothing): no amendment, but the same version rule.
                    raise StaleVersion(cleaned["seen_version"], self.instance.version)
            else:
                lifecycle.check_create(occurred_on=cleaned.get("occurred_on"), **self.changes())
        except LicensingError as error:
            add_service_errors(self, error)
        return cleaned

    def _post_clean(self):
        # The model's own validation runs inside the lifecycle service (see clean), once.
        pass


class ReasonForm(forms.Form):
    """The confirmation of a lifecycle action: the reason, and the version the regulator saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    occurred_on = effective_day_field()
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if reason_required:
            self.fields["reason"].help_text = _("Required: it is published with the license's history.")


class RenewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    occurred_on = effective_day_field(
        _("The day the renewal was decided, as the sources say (today if it happened today).")
    )
    term_end = forms.DateField(
        label=_("New term ends on"),
        widget=date_input(),
        help_text=_("The new term starts the day after the current one ends."),
    )
    term_exception_reason = forms.CharField(
        label=_("reason for a longer term"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class BulkReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    occurred_on = effective_day_field(
        _("One day for all of them (today if it happened today); each license checks it against its history.")
    )

    def clean_occurred_on(self):
        # The rule every license shares, before any is attempted; the rest is checked per license.
        day = self.cleaned_data["occurred_on"]
        try:
            lifecycle.check_occurred_on(day)
        except LicensingError as error:
            raise ValidationError(error.errors["occurred_on"]) from None
        return day


class CorrectionForm(forms.Form):
    """The correction of an earlier event: its effective day, its reason, or both, with why."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    occurred_on = effective_day_field(_("The day the event really took effect."), required=True)
    corrected_reason = forms.CharField(
        label=_("The event's reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("As it should read; leave it as it is to keep it."),
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required: it is published beside the event corrected."),
    )
