"""Selection calls in the admin: recorded through licensing.calls, scoped to the jurisdiction as licenses
are (a regulator sees the calls their jurisdiction leads or co-grants, and changes those it leads); a
call's outcome (cancelled, awarded) is recorded on a confirmation page, and its licenses are listed."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import access, calls
from ..access import Role
from ..exceptions import LicensingError
from ..models import Call, License
from ..models.licenses import granted_by
from .base import ReadOnlyInline, ServiceWriteAdmin
from .filters import ListedDomainFilter
from .forms import add_service_errors, date_input

OUTCOMES = {"cancel": _("Cancel the call"), "award": _("Mark the call awarded")}


class CallOutcomeForm(forms.Form):
    """The confirmation of a call's outcome: its day, the reason (for a cancellation), the version seen."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    occurred_on = forms.DateField(
        label=_("Took effect on"),
        required=False,
        widget=date_input(),
        help_text=_("Leave empty for today; not in the future, not before the notice date."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required to cancel: it is published with the call and on each license withdrawn."),
    )

    def __init__(self, *args, outcome: str, **kwargs):
        super().__init__(*args, **kwargs)
        if outcome == "cancel":
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]


class LicenseOfCallInline(ReadOnlyInline):
    model = License
    fields = ["license_link", "operator", "status"]
    readonly_fields = ["license_link", "operator", "status"]
    verbose_name = _("license of the call")
    verbose_name_plural = _("licenses of the call")

    def has_view_permission(self, request, obj=None):
        return access.role_of(request.user) != Role.PUBLIC

    @admin.display(description=_("license"))
    def license_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:licensing_license_change", args=[obj.pk]), obj.number
        )


@admin.register(Call)
class CallAdmin(ServiceWriteAdmin):
    list_display = ["title", "grantor", "noticed_on", "status_badge", "operators_sought", "origin"]
    list_filter = ["status", ListedDomainFilter, "origin"]
    list_select_related = ["grantor"]
    search_fields = ["title"]
    date_hierarchy = "noticed_on"
    inlines = [LicenseOfCallInline]
    fields = list(calls.CALL_FIELDS)
    outcome_fields = ["status", "awarded_on", "cancelled_on", "reason", "version"]
    filter_horizontal = ["co_grantors"]

    class Media:
        css = {"all": ["licensing/status.css"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        role = access.role_of(request.user)
        if role in (Role.SUPERUSER, Role.AUDITOR):
            return queryset
        if role == Role.REGULATOR:
            prefix = access.jurisdiction_prefix(request.user)
            return queryset.filter(granted_by(Q(division_code__startswith=prefix), Call))
        return queryset.none()

    def has_add_permission(self, request):
        return request.user.is_staff and access.can_create_licenses(request.user)

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.outcome_fields]

    def get_readonly_fields(self, request, obj=None):
        # A call's facts are recorded once; its outcome changes by the pages below.
        return [] if obj is None else [*self.fields, *self.outcome_fields]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "grantor":
            kwargs["queryset"] = access.grantable_authorities(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="status-tag status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    def create(self, request, data):
        fields = {name: data[name] for name in self.fields if name in data}
        return calls.create_call(actor=request.user, **fields)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        call = self.get_object(request, object_id)
        if call is None:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        may_act = calls.can_change_call(request.user, call) and not call.is_closed
        extra_context = {**(extra_context or {}), "outcomes": OUTCOMES if may_act else {}}
        return super().change_view(request, object_id, form_url, extra_context)

    # Outcomes: a confirmation page each, then the service.

    def get_urls(self):
        return [
            path(
                "<path:object_id>/outcome/<str:outcome>/",
                self.admin_site.admin_view(self.outcome_view),
                name="licensing_call_outcome",
            ),
            *super().get_urls(),
        ]

    def outcome_view(self, request, object_id, outcome):
        call = self.get_object(request, object_id)
        if call is None or outcome not in OUTCOMES:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not calls.can_change_call(request.user, call):
            raise PermissionDenied
        form = CallOutcomeForm(request.POST or None, outcome=outcome, initial={"version": call.version})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if outcome == "cancel":
                    calls.cancel(
                        call,
                        actor=request.user,
                        expected_version=data["version"],
                        reason=data["reason"],
                        occurred_on=data["occurred_on"],
                    )
                else:
                    calls.award(
                        call,
                        actor=request.user,
                        expected_version=data["version"],
                        occurred_on=data["occurred_on"],
                    )
            except LicensingError as error:
                add_service_errors(form, error)
            else:
                self.message_user(
                    request,
                    _("%(call)s is now %(status)s.")
                    % {"call": call.title, "status": call.get_status_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:licensing_call_change", args=[call.pk]))
        return TemplateResponse(
            request,
            "admin/licensing/call/outcome.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": call,
                "call": call,
                "form": form,
                "title": OUTCOMES[outcome],
                "outcome_label": OUTCOMES[outcome],
            },
        )
