"""The outbox of emails to operators and regulators, and the record of the sweep's last run.

Every email the registry owes is a row before it is a message: the sweep (expiry reminders) and the
lifecycle service's listeners (lifecycle notifications) write rows, one send task per row delivers it,
and the row records the outcome. A row that cannot be sent now stays owed and the sweep offers it
again, so a broker or mail server that is down delays an email but never loses it.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .events import LicenseEvent
from .licenses import License


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Not needed")


class OutboxMessage(models.Model):
    """What every outbox row records about its delivery (see licensing.outbox for the protocol)."""

    state = models.CharField(_("state"), max_length=16, choices=OutboxState, default=OutboxState.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        default=timezone.now,
        help_text=_("A pending email is sent from this moment on; failed attempts move it later."),
    )
    # A lease, not a lock: a claim older than LICENSING_SEND_LEASE_MINUTES belongs to a worker that died,
    # and the row may be claimed again.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(
        _("last error"), blank=True, help_text=_("Why the last attempt failed, or why no email was needed.")
    )
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class ExpiryReminder(OutboxMessage):
    """One reminder that a license's term ends within `window_days` days.

    Unique per license, window and term end: each window fires once per term, and an amended term end
    starts a fresh cycle.
    """

    license = models.ForeignKey(
        License, on_delete=models.PROTECT, related_name="expiry_reminders", verbose_name=_("license")
    )
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    term_end = models.DateField(_("term end"), help_text=_("The term end the reminder was computed for."))

    class Meta(OutboxMessage.Meta):
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["license", "window_days", "term_end"], name="reminder_unique_license_window_term"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state=OutboxState.PENDING), name="reminder_due"
            )
        ]

    def __str__(self):
        return f"{self.license_id}: {self.window_days} ({self.term_end})"


class LifecycleNotification(OutboxMessage):
    """The email telling a license's operator (copying the grantor's regulators) of one lifecycle event."""

    license = models.ForeignKey(
        License, on_delete=models.PROTECT, related_name="lifecycle_notifications", verbose_name=_("license")
    )
    event = models.OneToOneField(
        LicenseEvent, on_delete=models.PROTECT, related_name="notification", verbose_name=_("event")
    )

    class Meta(OutboxMessage.Meta):
        verbose_name = _("lifecycle notification")
        verbose_name_plural = _("lifecycle notifications")
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state=OutboxState.PENDING), name="notification_due"
            )
        ]

    def __str__(self):
        return f"{self.license_id}: event {self.event_id}"


class SweepHeartbeat(models.Model):
    """When the sweep last ran, and what it did: one row, overwritten by every run.

    The health check reads `finished_at` to report a sweep that has stopped.
    """

    name = models.CharField(_("name"), max_length=32, unique=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("sweep heartbeat")
        verbose_name_plural = _("sweep heartbeats")

    def __str__(self):
        return f"{self.name}: {self.finished_at.isoformat()}"
