"""Admin of the outbox: the expiry reminders and lifecycle notifications sent (or owed) to operators and
regulators, with the action that retries failed ones. Rows are written by the sweep and the send tasks
only, so every field is read-only here. Who sees and retries which rows follows licensing.access: the
licenses one manages (a regulator's jurisdiction; everything for auditors and superusers), and the
retry for those one may change."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import access, outbox
from ..access import Role
from ..models import ExpiryReminder, LifecycleNotification
from .base import ReadOnlyInline, RoleAdmin

DELIVERY_FIELDS = [
    "state",
    "created_at",
    "next_attempt_at",
    "claimed_at",
    "sent_at",
    "attempts",
    "last_error",
    "recipients",
]


class OutboxAdmin(RoleAdmin):
    list_filter = ["state"]
    list_select_related = ["license"]
    search_fields = ["license__number", "license__title", "last_error"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    actions = ["retry_failed"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(license__in=access.managed_licenses(request.user))

    def retryable(self, request, queryset):
        """Of the selected rows, those `request.user` may retry."""
        return queryset.filter(license__in=access.changeable_licenses(request.user))

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_retry_permission(self, request):
        return self._role(request) in (Role.SUPERUSER, Role.REGULATOR)

    @admin.action(description=_("Retry the selected failed emails"), permissions=["retry"])
    def retry_failed(self, request, queryset):
        selected = queryset.count()
        count = outbox.retry(self.retryable(request, queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)d failed email will be sent again.",
                "%(count)d failed emails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if selected - count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected email had not failed and was left as it is.",
                    "%(count)d selected emails had not failed and were left as they are.",
                    selected - count,
                )
                % {"count": selected - count},
                messages.INFO,
            )


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(OutboxAdmin):
    list_display = ["license", "window_days", "term_end", "state", "attempts", "sent_at", "next_attempt_at"]
    list_filter = ["state", "window_days"]
    fields = ["license", "window_days", "term_end", *DELIVERY_FIELDS]


@admin.register(LifecycleNotification)
class LifecycleNotificationAdmin(OutboxAdmin):
    list_display = ["license", "event", "state", "attempts", "sent_at", "next_attempt_at"]
    list_select_related = ["license", "event"]
    fields = ["license", "event", *DELIVERY_FIELDS]


class ExpiryReminderInline(ReadOnlyInline):
    """A license's reminders, read-only, newest first."""

    model = ExpiryReminder
    fields = ["window_days", "term_end", *DELIVERY_FIELDS]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]

    def has_view_permission(self, request, obj=None):
        # Shown to whoever may open the license (the license admin scopes that); left out of submitted
        # forms, since a read-only list has nothing to submit.
        return (
            request.method in ("GET", "HEAD")
            and request.user.is_staff
            and (access.role_of(request.user) != Role.PUBLIC)
        )
