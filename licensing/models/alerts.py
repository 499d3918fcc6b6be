"""Email alerts: a subscription (an address following a license, an operator, an authority or a saved
search), and what is sent to it through the outbox: the confirmation (double opt-in) and the daily
digests. Each event reaches a subscription in one digest at most: an AlertItem is unique per subscription
and event. A subscription gets one digest a day at most: an AlertDigest is unique per subscription and
day. See licensing.alerts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import AlertTarget
from .events import LicenseEvent
from .reminders import OutboxMessage


class AlertSubscription(models.Model):
    """An address that asked for the changes of one target. Nothing but the confirmation is sent to it
    until it is confirmed; unsubscribing keeps the row (so that a later sign-up asks again)."""

    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    target = models.CharField(_("follows"), max_length=16, choices=AlertTarget)
    # The followed record's key (license, operator, authority); 0 for a saved search.
    target_id = models.BigIntegerField(_("followed record"), default=0)
    # A saved search: the license list's query string, as the list normalises it.
    query = models.CharField(_("search"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "target", "target_id", "query"], name="alert_unique_target"
            )
        ]

    def __str__(self):
        return f"{self.target} {self.target_id or self.query}"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class AlertConfirmation(OutboxMessage):
    """The email asking the address to confirm its subscription (the only one sent before that)."""

    subscription = models.ForeignKey(
        AlertSubscription,
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name=_("subscription"),
    )

    class Meta(OutboxMessage.Meta):
        verbose_name = _("alert confirmation")
        verbose_name_plural = _("alert confirmations")


class AlertDigest(OutboxMessage):
    """One day's email to a confirmed subscription: the events of its items."""

    subscription = models.ForeignKey(
        AlertSubscription, on_delete=models.CASCADE, related_name="digests", verbose_name=_("subscription")
    )
    day = models.DateField(_("day"))

    class Meta(OutboxMessage.Meta):
        verbose_name = _("alert digest")
        verbose_name_plural = _("alert digests")
        constraints = [models.UniqueConstraint(fields=["subscription", "day"], name="alert_digest_one_a_day")]


class AlertItem(models.Model):
    """An event, told to a subscription in a digest: once, whichever worker built the digest."""

    subscription = models.ForeignKey(AlertSubscription, on_delete=models.CASCADE, related_name="+")
    digest = models.ForeignKey(AlertDigest, on_delete=models.CASCADE, related_name="items")
    event = models.ForeignKey(LicenseEvent, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="alert_item_once_per_event")
        ]

    def __str__(self):
        return f"{self.subscription_id}: {self.event_id}"
