"""The regulators' license admin: a scoped change list, edits and lifecycle actions through the
lifecycle service, the timeline, bulk actions and the CSV export."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .. import access, compliance, consequences, exports, history, lifecycle, search
from ..choices import EventAction, LicenseAction, LicenseStatus
from ..dates import local_today
from ..exceptions import LicensingError, StaleVersion
from ..inputs import whole_number
from ..models import License, LicenseEvent
from .base import RoleAdmin, ServiceRefused, ServiceWriteAdmin, adopt
from .filters import DataDomainFilter, ExpiresWithinFilter, GrantorFilter, HasFlagsFilter, TermEndFilter
from .forms import (
    BulkReasonForm,
    CorrectionForm,
    LicenseAdminForm,
    ReasonForm,
    RenewForm,
    add_service_errors,
)
from .products import ProductInline, ProductInlineFormSet, flag_tags
from .reminders import ExpiryReminderInline

# Activation and expiry follow the calendar (the sweep does them); the buttons offer the decisions.
BUTTON_ACTIONS = [
    action for action in LicenseAction if action not in (LicenseAction.ACTIVATE, LicenseAction.EXPIRE)
]
# An empty cell of the change list: a dash on a desktop, nothing on a phone's card (admin.css).
NO_VALUE = mark_safe('<span class="no-value">–</span>')
BULK_ACTIONS = (LicenseAction.SUSPEND, LicenseAction.REINSTATE, LicenseAction.REVOKE)


@admin.register(License)
class LicenseAdmin(ServiceWriteAdmin):
    form = LicenseAdminForm
    list_display = [
        "identifier_column",
        "title",
        "grantor",
        "operator",
        "status_badge",
        "term_end_column",
        "days_left",
        "flags_column",
    ]
    list_filter = [
        "status",
        DataDomainFilter,
        "authorization_mode",
        GrantorFilter,
        ExpiresWithinFilter,
        TermEndFilter,
        HasFlagsFilter,
    ]
    list_select_related = ["grantor", "operator"]
    empty_value_display = NO_VALUE
    search_fields = [
        "number",
        "reference",
        "title",
        "operator__name",
        "operator__name_en",
        "operator__aliases",
        "operator__uscc",
    ]
    search_help_text = _("Number or reference, title, operator name or USCC (any spacing or width).")
    date_hierarchy = "term_end"
    ordering = ["-created_at", "-id"]
    actions = ["bulk_suspend", "bulk_reinstate", "bulk_revoke"]
    inlines = [ProductInline, ExpiryReminderInline]
    list_per_page = 50
    fieldsets = [
        (
            None,
            {"fields": ["title", "grantor", "co_grantors", "implementing_body", "operator", "seen_version"]},
        ),
        (
            _("What is authorized"),
            {"fields": ["data_domains", "authorization_mode", "scope", "selection_method"]},
        ),
        (
            _("Term"),
            {
                "fields": [
                    "term_start",
                    "term_end",
                    "term_approximate",
                    "term_exception_reason",
                    "signed_on",
                    "filed_on",
                ]
            },
        ),
        (
            _("Consideration and sources"),
            {"fields": ["consideration", "consideration_note", "legal_basis", "source_urls", "remarks"]},
        ),
        (_("Amendment"), {"fields": ["amendment_reason"]}),
        (_("When"), {"fields": ["occurred_on"]}),
    ]
    autocomplete_fields = ["operator"]

    class Media:
        css = {"all": ["licensing/status.css", "licensing/compliance.css"]}

    # Permissions: licensing.access decides; licenses and their events are never deleted.

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("grantor", "operator")
        # The products come along for the flags column: one query for the whole page.
        return access.managed_licenses(request.user, compliance.with_products(queryset))

    def has_add_permission(self, request):
        return request.user.is_staff and access.can_create_licenses(request.user)

    def has_change_permission(self, request, obj=None):
        if not request.user.is_staff:
            return False
        if obj is None:
            return access.can_create_licenses(request.user)
        return access.can_change_license(request.user, obj) and not obj.is_terminal

    def get_inlines(self, request, obj):
        # Products are added once the license exists (they are changes of it, with its version).
        return self.inlines if obj is not None else [i for i in self.inlines if i is not ProductInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("grantor", "implementing_body"):
            kwargs["queryset"] = access.grantable_authorities(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status not in LicenseStatus.amendable():
            fieldsets = [
                fieldset for fieldset in fieldsets if "amendment_reason" not in fieldset[1]["fields"]
            ]
        return fieldsets

    # The change list.

    @admin.display(description=_("number"), ordering="number")
    def identifier_column(self, obj):
        # A draft has no number yet: its reference stands in.
        return obj.identifier

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="status-tag status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description=_("term end"), ordering="term_end")
    def term_end_column(self, obj):
        # As the dashboard writes it: short enough to leave the row its other columns.
        if obj.term_end is None:
            return NO_VALUE
        return format_html('<span class="phone-label">{}: </span>{}', _("term end"), obj.term_end.isoformat())

    @admin.display(description=_("days left"), ordering="term_end")
    def days_left(self, obj):
        # The version the list showed travels with a bulk action, so a row changed since is refused.
        version = format_html('<input type="hidden" name="_version_{}" value="{}">', obj.pk, obj.version)
        if obj.term_end is None and obj.term_start is not None and not obj.is_terminal:
            return format_html("{}{}", _("not published"), version)
        if obj.term_end is None:
            return format_html("{}{}", NO_VALUE, version)
        if obj.is_terminal or obj.term_end < local_today():
            return format_html("{}{}", _("ended"), version)
        # On a phone the columns have no headings: the number says what it counts.
        return format_html(
            '<span class="phone-label">{}: </span>{}{}', _("days left"), obj.days_left(), version
        )

    @admin.display(description=_("flags"))
    def flags_column(self, obj):
        flags = compliance.license_flags(obj)
        return flag_tags(flags) if flags else NO_VALUE

    def get_search_results(self, request, queryset, search_term):
        # The registry's one search (licensing.search): names in any writing, USCCs in any form.
        return search.search_licenses(queryset, search_term), False

    # Add and change go through the lifecycle service.

    def save_model(self, request, obj, form, change):
        try:
            if change and not form.changes():
                # Nothing of the license itself changes (its products may: save_related).
                pass
            elif change:
                lifecycle.edit(
                    obj,
                    form.changes(),
                    actor=request.user,
                    expected_version=form.cleaned_data["seen_version"],
                    reason=form.cleaned_data.get("amendment_reason", ""),
                    occurred_on=form.cleaned_data.get("occurred_on"),
                )
            else:
                created = lifecycle.create_license(
                    actor=request.user, occurred_on=form.cleaned_data.get("occurred_on"), **form.changes()
                )
                adopt(obj, created)
        except LicensingError as error:
            raise ServiceRefused(error) from error

    def save_related(self, request, form, formsets, change):
        # The data domains were saved by the service with the rest; the reminders are read-only; the
        # products go through their service, expecting the version the license has now (save_model has
        # checked the version the regulator saw, under the lock this transaction still holds).
        for formset in formsets:
            if isinstance(formset, ProductInlineFormSet):
                try:
                    formset.save_through_service(
                        form.instance, actor=request.user, occurred_on=form.cleaned_data.get("occurred_on")
                    )
                except LicensingError as error:
                    raise ServiceRefused(error) from error

    def change_view(self, request, object_id, form_url="", extra_context=None):
        license = self.get_object(request, object_id)
        if license is None:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        extra_context = {**(extra_context or {}), **self._license_context(request, license)}
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # Django's history lists the edits made through the change form only; the timeline has them all.
        license = self.get_object(request, object_id)
        if license is None:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return HttpResponseRedirect(self._change_url(license) + "#timeline")

    def _license_context(self, request, license):
        may_act = access.can_change_license(request.user, license)
        allowed = lifecycle.allowed_actions(license.status)
        return {
            # Each with whether it is final (the button says so by its danger style).
            "lifecycle_actions": [
                (action, consequences.is_final(action)) for action in BUTTON_ACTIONS if action in allowed
            ]
            if may_act
            else [],
            "may_renew": may_act
            and license.status == LicenseStatus.ACTIVE
            # Renewal follows the current term's end: one not published is recorded first.
            and license.term_end is not None
            and not License.objects.live_successors_of(license).exists(),
            # Every event, the draft stage's included, by effective day; corrections beside what they correct.
            "timeline": history.with_corrections(
                list(
                    LicenseEvent.objects.filter(license=license)
                    .with_effective_day()
                    .order_by("-effective_on", "-created_at", "-id")
                )
            ),
            "may_correct": may_act,
            "successor": License.objects.live_successors_of(license).only("pk", "number").first(),
            "flags": compliance.license_flags(license),
            "predecessor": license.predecessor,
        }

    # Lifecycle actions: a confirmation page per action, then the service.

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name=f"{prefix}_export"),
            path(
                "<path:object_id>/transition/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{prefix}_transition",
            ),
            path(
                "<path:object_id>/renew/",
                self.admin_site.admin_view(self.renew_view),
                name=f"{prefix}_renew",
            ),
            path(
                "<path:object_id>/events/<int:event_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name=f"{prefix}_correct",
            ),
            *super().get_urls(),
        ]

    def _acted_on(self, request, object_id) -> License:
        license = self.get_object(request, object_id)
        if license is None:
            self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not access.can_change_license(request.user, license):
            raise PermissionDenied
        return license

    def _change_url(self, license):
        return reverse("admin:licensing_license_change", args=[license.pk])

    def transition_view(self, request, object_id, action):
        license = self._acted_on(request, object_id)
        try:
            action = LicenseAction(action)
        except ValueError:
            raise Http404(_("Unknown action.")) from None
        form = ReasonForm(
            request.POST or None,
            reason_required=action in lifecycle.REASON_REQUIRED,
            initial={"version": request.GET.get("version") or license.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                lifecycle.transition(
                    license,
                    action,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                    occurred_on=form.cleaned_data["occurred_on"],
                )
            except LicensingError as error:
                add_service_errors(form, error)
            else:
                self.message_user(
                    request,
                    _("%(number)s: %(action)s done; the license is now %(status)s.")
                    % {
                        "number": license.identifier,
                        "action": action.label,
                        "status": license.get_status_display(),
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(license))
        return self._render(
            request,
            "admin/licensing/license/transition.html",
            license,
            form,
            action=action,
            final=consequences.is_final(action),
            consequence=consequences.consequence(action),
        )

    def renew_view(self, request, object_id):
        license = self._acted_on(request, object_id)
        starts = license.term_end + datetime.timedelta(days=1) if license.term_end else None
        form = RenewForm(
            request.POST or None, initial={"version": request.GET.get("version") or license.version}
        )
        if request.method == "POST" and form.is_valid():
            try:
                successor = lifecycle.renew(
                    license,
                    term_end=form.cleaned_data["term_end"],
                    term_exception_reason=form.cleaned_data["term_exception_reason"],
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                    occurred_on=form.cleaned_data["occurred_on"],
                )
            except LicensingError as error:
                add_service_errors(form, error)
            else:
                self.message_user(
                    request,
                    _("%(number)s renewed by %(successor)s, granted from %(start)s.")
                    % {
                        "number": license.identifier,
                        "successor": successor.number,
                        "start": successor.term_start,
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(successor))
        return self._render(request, "admin/licensing/license/renew.html", license, form, starts=starts)

    def correct_view(self, request, object_id, event_id):
        """Correct an earlier event's effective day or reason (lifecycle.correct_event)."""
        license = self._acted_on(request, object_id)
        event = (
            LicenseEvent.objects.filter(license=license)
            .exclude(action=EventAction.CORRECT)
            .exclude(to_status=LicenseStatus.DRAFT)
            .with_effective_day()
            .filter(pk=event_id)
            .first()
        )
        if event is None:
            raise Http404(_("No such event of this license, or not one that can be corrected."))
        event = history.with_corrections(
            [event, *LicenseEvent.objects.filter(corrects=event).with_effective_day()]
        )[0]
        form = CorrectionForm(
            request.POST or None,
            initial={
                "version": request.GET.get("version") or license.version,
                "occurred_on": event.effective_on,
                "corrected_reason": event.effective_reason,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                lifecycle.correct_event(
                    event,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                    occurred_on=form.cleaned_data["occurred_on"],
                    corrected_reason=form.cleaned_data["corrected_reason"],
                )
            except LicensingError as error:
                add_service_errors(form, error)
            else:
                self.message_user(
                    request,
                    _("%(number)s: the event is corrected.") % {"number": license.number},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(license))
        return self._render(request, "admin/licensing/license/correct.html", license, form, event=event)

    def _render(self, request, template, license, form, **context):
        # A page opened (or a form sent) at an older version than the license's: reloading would keep the
        # old ?version=, so the page links to the current one.
        seen = whole_number(str(form["version"].value()))
        stale = seen is not None and seen != license.version
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": license,
                "license": license,
                "form": form,
                "title": license.identifier,
                "stale_from": seen if stale else None,
                "current_version_url": f"{request.path}?version={license.version}",
                **context,
            },
        )

    # Bulk actions: one reason for all, each row checked against the version the list showed.

    @admin.action(description=_("Suspend selected licenses"), permissions=["change"])
    def bulk_suspend(self, request, queryset):
        return self._bulk(request, queryset, LicenseAction.SUSPEND)

    @admin.action(description=_("Reinstate selected licenses"), permissions=["change"])
    def bulk_reinstate(self, request, queryset):
        return self._bulk(request, queryset, LicenseAction.REINSTATE)

    @admin.action(description=_("Revoke selected licenses"), permissions=["change"])
    def bulk_revoke(self, request, queryset):
        return self._bulk(request, queryset, LicenseAction.REVOKE)

    def _bulk(self, request, queryset, action):
        licenses = list(queryset.order_by("number"))
        versions = {}
        for license in licenses:
            seen = request.POST.get(f"_version_{license.pk}", "")
            versions[license.pk] = whole_number(seen)
        form = BulkReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            for license in licenses:
                self._bulk_one(
                    request,
                    license,
                    action,
                    form.cleaned_data["reason"],
                    versions[license.pk],
                    occurred_on=form.cleaned_data["occurred_on"],
                )
            return None
        rows = [(license, versions[license.pk]) for license in licenses]
        return TemplateResponse(
            request,
            "admin/licensing/license/bulk_transition.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("%(action)s %(count)s licenses")
                % {"action": action.label, "count": len(licenses)},
                "action": action,
                "final": consequences.is_final(action),
                "consequence": consequences.consequence(action),
                "action_name": request.POST.get("action"),
                "rows": rows,
                "form": form,
            },
        )

    def _bulk_one(self, request, license, action, reason, version, *, occurred_on=None):
        if not access.can_change_license(request.user, license):
            # Listed for reading (a co-grantor's jurisdiction), not to be changed from here.
            self.message_user(
                request,
                _("%(number)s: not changed: its lead grantor lies outside your jurisdiction.")
                % {"number": license.number},
                messages.ERROR,
            )
            return
        if version is None:
            self.message_user(
                request,
                _("%(number)s: not changed (its version was not sent).") % {"number": license.identifier},
                messages.ERROR,
            )
            return
        try:
            with transaction.atomic():
                lifecycle.transition(
                    license,
                    action,
                    actor=request.user,
                    reason=reason,
                    expected_version=version,
                    occurred_on=occurred_on,
                )
        except StaleVersion:
            self.message_user(
                request,
                _("%(number)s: not changed: it was changed by someone else since you opened the list.")
                % {"number": license.identifier},
                messages.ERROR,
            )
        except LicensingError as error:
            self.message_user(request, f"{license.identifier}: {error.message}", messages.ERROR)
        else:
            self.message_user(
                request,
                _("%(number)s: %(action)s done.") % {"number": license.identifier, "action": action.label},
                messages.SUCCESS,
            )

    # Export: the filtered change list as CSV, within the user's jurisdiction.

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("Unknown filter in the export address."))
        rows = exports.license_rows(changelist.get_queryset(request))
        response = StreamingHttpResponse(exports.csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="licenses-{local_today().isoformat()}.csv"'
        return response


@admin.register(LicenseEvent)
class LicenseEventAdmin(RoleAdmin):
    """The history of record: readable within one's jurisdiction, never changed or deleted by anyone."""

    list_display = [
        "license",
        "action",
        "from_status",
        "to_status",
        "occurred_on",
        "corrects",
        "actor_column",
        "created_at",
    ]
    list_filter = ["action"]
    list_select_related = ["license", "corrects"]
    search_fields = ["license__number", "reason"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(license__in=access.managed_licenses(request.user))

    @admin.display(description=_("actor"), ordering="actor_repr")
    def actor_column(self, obj):
        return history.recorded_actor(obj)
