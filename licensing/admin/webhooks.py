"""Webhooks in the admin: each staff user with a role sees their own (superusers everyone's), with the log
of their deliveries, and sends one a test event. Webhooks are made at /api/v1/webhooks/, where the secret
is shown once; the admin never shows it."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import outbox, webhooks
from ..models import Webhook, WebhookDelivery
from .base import ReadOnlyInline, RoleAdmin

FIELDS = ["url", "owner", "state", *webhooks.FILTERS, "created_at", "failing_since", "paused_at"]
DELIVERY_FIELDS = [
    "created_at",
    "event",
    "state",
    "attempts",
    "response_code",
    "latency_ms",
    "sent_at",
    "next_attempt_at",
    "last_error",
    "response_body",
    "key",
]


class WebhookDeliveryInline(ReadOnlyInline):
    """The webhook's deliveries, read-only, newest first."""

    model = WebhookDelivery
    fields = readonly_fields = DELIVERY_FIELDS
    ordering = ["-created_at", "-id"]
    max_num = 0
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event")

    def has_view_permission(self, request, obj=None):
        # Whoever may open the webhook (WebhookAdmin scopes that) reads its log; a read-only list has
        # nothing to submit, so it is left out of posted forms.
        return request.method in ("GET", "HEAD")


@admin.register(Webhook)
class WebhookAdmin(RoleAdmin):
    list_display = ["url", "owner", "state", "created_at", "failing_since"]
    list_filter = ["state"]
    list_select_related = ["owner"]
    search_fields = ["url", "owner__username"]
    ordering = ["-created_at", "-id"]
    fields = readonly_fields = FIELDS
    inlines = [WebhookDeliveryInline]
    actions = ["send_test_event", "retry_failed"]

    def get_queryset(self, request):
        hooks = super().get_queryset(request)
        return hooks if request.user.is_superuser else hooks.filter(owner=request.user)

    def has_delete_permission(self, request, obj=None):
        # The queryset already holds only the webhooks this user may see, and so delete.
        return self.has_view_permission(request, obj)

    def has_test_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=_("Send a test event to the selected webhooks"), permissions=["test"])
    def send_test_event(self, request, queryset):
        count = 0
        for webhook in queryset:
            webhooks.send_test_event(webhook)
            count += 1
        self.message_user(
            request,
            ngettext(
                "A test event is on its way to %(count)d webhook; its log shows the answer.",
                "A test event is on its way to %(count)d webhooks; their logs show the answers.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Retry the failed deliveries of the selected webhooks"), permissions=["test"])
    def retry_failed(self, request, queryset):
        count = outbox.retry(WebhookDelivery.objects.filter(webhook__in=queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)d failed delivery will be sent again.",
                "%(count)d failed deliveries will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
