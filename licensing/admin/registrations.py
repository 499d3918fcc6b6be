"""Registrations and objections in the admin, scoped to the jurisdiction as licenses are: a regulator
sees the registrations of the licenses their jurisdiction manages, and acts on those whose lead grantor it
covers. Each step of the procedure is taken on a confirmation page (effective day, reason, the version
seen) through licensing.registrations; the objection queue lists the objections awaiting a decision, and
upholding one terminates its registration."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import access, registrations
from ..choices import ObjectionState
from ..exceptions import LicensingError
from ..models import Objection, Registration, RegistrationEvent
from .base import RoleAdmin, ServiceWriteAdmin
from .forms import add_service_errors, effective_day_field


class RegistrationAddForm(forms.ModelForm):
    occurred_on = effective_day_field(_("The day the application was received (today if it was today)."))

    class Meta:
        model = Registration
        fields = ["license", *registrations.APPLICATION_FIELDS]


class RegistrationActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    occurred_on = effective_day_field(
        _("The day this step took effect (today if it was today); not before the previous step.")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = action in registrations.REASON_REQUIRED


class ObjectionDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Reasons for the decision"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the decision; when upheld, published as the reason of the termination."),
    )


class RegistrationEventInline(admin.TabularInline):
    model = RegistrationEvent
    fields = ["occurred_on", "action", "from_status", "to_status", "reason", "actor_repr", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff


def _scoped_licenses(request):
    """Licenses a regulator may register against: those they change, granted and not ended."""
    return access.changeable_licenses(request.user).filter(
        status__in=registrations.REGISTRABLE_LICENSE_STATES
    )


@admin.register(Registration)
class RegistrationAdmin(ServiceWriteAdmin):
    list_display = [
        "name",
        "code",
        "license",
        "registrant_role",
        "kind",
        "status_badge",
        "applied_on",
        "notice_ends_on",
        "expires_on",
        "origin",
    ]
    list_filter = ["status", "kind", "application_type", "registrant_role", "origin"]
    list_select_related = ["license"]
    search_fields = ["name", "code"]
    inlines = [RegistrationEventInline]
    readonly_fields = [
        "license",
        *registrations.APPLICATION_FIELDS,
        "status",
        "applied_on",
        "accepted_on",
        "notice_starts_on",
        "notice_ends_on",
        "notice_ends_estimated",
        "code",
        "issued_on",
        "expires_on",
        "ended_on",
        "version",
    ]

    class Media:
        css = {"all": ["licensing/status.css"]}

    def get_queryset(self, request):
        return registrations.managed(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return request.user.is_staff and access.can_create_licenses(request.user)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RegistrationAddForm
            kwargs["fields"] = ["license", *registrations.APPLICATION_FIELDS, "occurred_on"]
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["license", *registrations.APPLICATION_FIELDS, "occurred_on"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "license":
            kwargs["queryset"] = _scoped_licenses(request).order_by("number")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="status-tag status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    def create(self, request, data):
        license = data["license"]
        if not access.can_change_license(request.user, license):
            raise PermissionDenied
        fields = {name: data[name] for name in registrations.APPLICATION_FIELDS if name in data}
        return registrations.apply(license, actor=request.user, occurred_on=data.get("occurred_on"), **fields)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        registration = self.get_object(request, object_id)
        if registration is None:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        actions = {}
        if registrations.can_change(request.user, registration):
            actions = {
                action.value: action.label for action in registrations.allowed_actions(registration.status)
            }
        extra_context = {**(extra_context or {}), "registration_actions": actions}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/act/<str:action>/",
                self.admin_site.admin_view(self.action_view),
                name="licensing_registration_act",
            ),
            *super().get_urls(),
        ]

    def action_view(self, request, object_id, action):
        registration = self.get_object(request, object_id)
        if registration is None or action not in registrations.RegistrationAction.values:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not registrations.can_change(request.user, registration):
            raise PermissionDenied
        action = registrations.RegistrationAction(action)
        form = RegistrationActionForm(
            request.POST or None, action=action, initial={"version": registration.version}
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                registrations.act(
                    registration,
                    action,
                    actor=request.user,
                    expected_version=data["version"],
                    reason=data["reason"],
                    occurred_on=data["occurred_on"],
                )
            except LicensingError as error:
                add_service_errors(form, error)
            else:
                self.message_user(
                    request,
                    _("%(registration)s is now %(status)s.")
                    % {"registration": registration, "status": registration.get_status_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:licensing_registration_change", args=[registration.pk])
                )
        return TemplateResponse(
            request,
            "admin/licensing/registration/action.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": registration,
                "registration": registration,
                "form": form,
                "title": action.label,
                "action_label": action.label,
            },
        )


DECISIONS = {"uphold": _("Uphold: terminate the registration"), "dismiss": _("Dismiss the objection")}


@admin.register(Objection)
class ObjectionAdmin(RoleAdmin):
    """The queue of objections: pending ones first, oldest first."""

    list_display = ["registration", "name", "filed_at", "state", "evidence_link"]
    list_filter = ["state"]
    list_select_related = ["registration"]
    fields = [
        "registration",
        "name",
        "contact",
        "reasons",
        "evidence_link",
        "evidence_type",
        "evidence_size",
        "filed_at",
        "state",
        "decided_at",
        "decided_by",
        "decision_note",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        managed = registrations.managed(request.user).values("pk")
        # Pending first, oldest first: the queue.
        pending_first = Case(
            When(state=ObjectionState.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return (
            super()
            .get_queryset(request)
            .filter(registration__in=managed)
            .defer("evidence")
            .annotate(pending_first=pending_first)
            .order_by("pending_first", "filed_at", "id")
        )

    @admin.display(description=_("evidence"))
    def evidence_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:licensing_objection_evidence", args=[obj.pk]),
            obj.evidence_name or _("evidence"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        objection = self.get_object(request, object_id)
        if objection is None:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        may_decide = objection.state == ObjectionState.PENDING and registrations.can_change(
            request.user, objection.registration
        )
        extra_context = {**(extra_context or {}), "decisions": DECISIONS if may_decide else {}}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/evidence/",
                self.admin_site.admin_view(self.evidence_view),
                name="licensing_objection_evidence",
            ),
            path(
                "<path:object_id>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="licensing_objection_decide",
            ),
            *super().get_urls(),
        ]

    def evidence_view(self, request, object_id):
        """The evidence file, to those who may see the objection: as a download, never rendered inline."""
        objection = self.get_object(request, object_id)
        if objection is None:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        content = Objection.objects.filter(pk=objection.pk).values_list("evidence", flat=True).get()
        response = HttpResponse(bytes(content), content_type=objection.evidence_type)
        response["Content-Disposition"] = f'attachment; filename="objection-{objection.pk}-evidence"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def decide_view(self, request, object_id, decision):
        objection = self.get_object(request, object_id)
        if objection is None or decision not in DECISIONS:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not registrations.can_change(request.user, objection.registration):
            raise PermissionDenied
        form = ObjectionDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                registrations.decide_objection(
                    objection, actor=request.user, uphold=decision == "uphold", note=form.cleaned_data["note"]
                )
            except LicensingError as error:
                add_service_errors(form, error)
            else:
                self.message_user(request, _("The objection has been decided."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:licensing_objection_changelist"))
        return TemplateResponse(
            request,
            "admin/licensing/objection/decide.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": objection,
                "objection": objection,
                "form": form,
                "title": DECISIONS[decision],
                "decision_label": DECISIONS[decision],
            },
        )
