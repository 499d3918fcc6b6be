"""Admin of the email alerts: the subscriptions and the emails sent to them, for superusers only (the
addresses are the subscribers' own, and no regulator's business), read-only, with the outbox's retry of
failed emails."""

from django.contrib import admin

from ..access import Role
from ..models import AlertConfirmation, AlertDigest, AlertSubscription
from .base import RoleAdmin
from .reminders import DELIVERY_FIELDS, OutboxAdmin


class SuperuserOnly:
    def has_module_permission(self, request):
        return self._role(request) == Role.SUPERUSER

    def has_view_permission(self, request, obj=None):
        return self._role(request) == Role.SUPERUSER


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(SuperuserOnly, RoleAdmin):
    list_display = ["email", "target", "target_id", "query", "language", "confirmed_at", "unsubscribed_at"]
    list_filter = ["target", "language"]
    search_fields = ["email", "query"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


class AlertOutboxAdmin(SuperuserOnly, OutboxAdmin):
    list_display = ["subscription", "state", "attempts", "sent_at", "next_attempt_at"]
    list_select_related = ["subscription"]
    search_fields = ["subscription__email", "last_error"]

    def get_queryset(self, request):
        # Every row: they belong to no license, so no jurisdiction narrows them.
        return super(OutboxAdmin, self).get_queryset(request)

    def retryable(self, request, queryset):
        return queryset


@admin.register(AlertDigest)
class AlertDigestAdmin(AlertOutboxAdmin):
    list_display = ["subscription", "day", "state", "attempts", "sent_at", "next_attempt_at"]
    fields = ["subscription", "day", *DELIVERY_FIELDS]


@admin.register(AlertConfirmation)
class AlertConfirmationAdmin(AlertOutboxAdmin):
    fields = ["subscription", *DELIVERY_FIELDS]
