"""Webhooks: a user's subscription of a URL to license events, and the log of what was delivered to it.

A delivery is an outbox row (licensing.outbox, the `webhook_delivery` kind): written in the transaction
that records its event, so each event reaches each matching webhook exactly once as a row, and delivered
at least once (its `key` is the Idempotency-Key header receivers drop repeats by). See licensing.webhooks.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import DataDomain
from .events import LicenseEvent
from .reminders import OutboxMessage, OutboxState


class WebhookState(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")


class Webhook(models.Model):
    """A URL that receives, signed, the events its filters select among those its owner may read."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("owner")
    )
    url = models.URLField(_("URL"), max_length=500)
    # The HMAC key of the signatures, shown to the owner once, when the webhook is made.
    secret = models.CharField(_("secret"), max_length=64, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=WebhookState, default=WebhookState.ACTIVE)
    # Filters, as the events API's reader would give them; empty selects all.
    license_number = models.CharField(_("license number"), max_length=32, blank=True)
    operator = models.CharField(_("operator's USCC"), max_length=18, blank=True)
    grantor = models.CharField(_("grantor's division code"), max_length=6, blank=True)
    division = models.CharField(_("division-code prefix"), max_length=6, blank=True)
    domain = models.CharField(_("data domain"), max_length=32, choices=DataDomain, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When deliveries started failing without a success since (cleared by a success); paused after
    # WEBHOOKS_PAUSE_AFTER_DAYS of it.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.url


class WebhookDelivery(OutboxMessage):
    """One event POSTed to one webhook: the outbox fields, and what the receiver answered last."""

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    # Null for a test event, which has no event of record.
    event = models.ForeignKey(
        LicenseEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="webhook_deliveries",
        verbose_name=_("event"),
    )
    key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True, help_text=_("Its first kilobyte."))

    class Meta(OutboxMessage.Meta):
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event"], condition=Q(event__isnull=False), name="webhook_delivery_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state=OutboxState.PENDING),
                name="webhook_delivery_due",
            )
        ]

    def __str__(self):
        return f"{self.webhook_id}: event {self.event_id}"
