"""Annual disclosures in the admin: everyone with a role reads those of the licenses they manage; a
regulator records them for the licenses of their jurisdiction (licensing.access), checked by
licensing.disclosures (a year the license was in force and has ended, no future day, no duplicate).
Recorded disclosures are not edited: they are the record of what was published."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import access, disclosures
from ..access import Role
from ..exceptions import LicensingError
from ..models import Disclosure
from .base import RoleAdmin
from .forms import add_service_errors


class DisclosureForm(forms.ModelForm):
    class Meta:
        model = Disclosure
        fields = ["license", *(field for field in disclosures.DISCLOSURE_FIELDS)]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def _post_clean(self):
        # The rules live in licensing.disclosures, which the save goes through as well.
        if self.errors:
            return
        license = self.cleaned_data["license"]
        if not access.can_record_disclosures(self.user, license):
            self.add_error("license", _("This license lies outside your jurisdiction."))
            return
        fields = {name: self.cleaned_data[name] for name in disclosures.DISCLOSURE_FIELDS}
        try:
            disclosures.check_disclosure(license, fields)
        except LicensingError as error:
            add_service_errors(self, error)


@admin.register(Disclosure)
class DisclosureAdmin(RoleAdmin):
    form = DisclosureForm
    list_display = ["license", "year", "party", "disclosed_on", "link", "origin"]
    list_filter = ["year", "party", "origin"]
    list_select_related = ["license"]
    search_fields = ["license__number", "summary"]
    ordering = ["-year", "license__number", "party"]
    autocomplete_fields = ["license"]
    readonly_fields = ["recorded_by", "created_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(license__in=access.managed_licenses(request.user).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "license":
            # Only licenses the user may record for: another jurisdiction's license is no valid choice (and
            # its existence is not confirmed either).
            kwargs["queryset"] = access.changeable_licenses(request.user).filter(
                status__in=disclosures.GRANTED_AT_SOME_POINT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        user = request.user

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=user, **inner)

        return WithUser

    def get_fields(self, request, obj=None):
        fields = ["license", *disclosures.DISCLOSURE_FIELDS]
        return fields if obj is None else [*fields, "recorded_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else self.get_fields(request, obj)

    def has_add_permission(self, request):
        return self._role(request) in (Role.REGULATOR, Role.SUPERUSER)

    @admin.display(description=_("link"), ordering="url")
    def link(self, obj):
        return format_html('<a href="{}" rel="nofollow noopener">{}</a>', obj.url, obj.url)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in disclosures.DISCLOSURE_FIELDS}
        saved = disclosures.record_disclosure(form.cleaned_data["license"], actor=request.user, **fields)
        obj.pk, obj.recorded_by, obj.created_at = saved.pk, saved.recorded_by, saved.created_at
