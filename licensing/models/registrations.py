"""Registrations (登记) of a license's data resources and products, their public notice and objections.

A registration changes only through licensing.registrations (row lock, version, an append-only event per
change); objections are filed by anyone on the public page and decided by a regulator.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    LicenseParty,
    ObjectionState,
    RecordOrigin,
    RegistrationEventAction,
    RegistrationKind,
    RegistrationReminderKind,
    RegistrationStatus,
    RegistrationType,
)
from ..fields import NameField
from .append_only import AppendOnlyModel, AppendOnlyQuerySet
from .licenses import License, SeriesCounter, next_in_series
from .reminders import OutboxMessage


class RegistrationCodeCounter(SeriesCounter):
    """Query codes of registrations (see Registration.allocate_code)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["division_code", "year"], name="registration_counter_unique_division_year"
            )
        ]


class RegistrationQuerySet(models.QuerySet):
    def public(self) -> "RegistrationQuerySet":
        """What anyone may see: registrations that reached their public notice (the procedure before it
        is between the registrant and the registration body)."""
        return self.filter(notice_starts_on__isnull=False)


class Registration(models.Model):
    """One registration of a license's data resource (by its implementing body) or product or service
    (by its operator), from its application to its code and the code's expiry."""

    license = models.ForeignKey(
        License, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("license")
    )
    registrant_role = models.CharField(_("registrant"), max_length=20, choices=LicenseParty)
    kind = models.CharField(_("kind"), max_length=20, choices=RegistrationKind)
    application_type = models.CharField(
        _("application type"), max_length=16, choices=RegistrationType, default=RegistrationType.FIRST
    )
    name = NameField(_("data name"), max_length=300)
    summary = models.TextField(_("summary"), help_text=_("A brief description of the content, as published."))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegistrationStatus,
        default=RegistrationStatus.APPLIED,
        editable=False,
    )
    # The day the procedure's clock runs from: the application, or its resubmission after a return.
    applied_on = models.DateField(_("applied on"), editable=False)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True, editable=False)
    notice_starts_on = models.DateField(_("notice starts on"), null=True, blank=True, editable=False)
    # The last day of the notice as announced when it started (10 working days), and whether the calendar
    # of a year on the way was unknown, so that it was estimated from weekends only.
    notice_ends_on = models.DateField(_("notice's last day"), null=True, blank=True, editable=False)
    notice_ends_estimated = models.BooleanField(_("last day estimated"), default=False, editable=False)
    code = models.CharField(
        _("query code"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    issued_on = models.DateField(_("code issued on"), null=True, blank=True, editable=False)
    expires_on = models.DateField(
        _("valid until"), null=True, blank=True, editable=False, help_text=_("The code's last valid day.")
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    origin = models.CharField(_("origin"), max_length=16, choices=RecordOrigin, default=RecordOrigin.RECORDED)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="registration_status_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="registration_version_positive"),
            models.CheckConstraint(
                condition=~Q(status=RegistrationStatus.ISSUED)
                | (Q(code__isnull=False) & Q(expires_on__isnull=False)),
                name="registration_issued_has_code",
            ),
        ]
        # The sweep's selections (licensing.registration_sweep): each reads only the rows due.
        indexes = [
            models.Index(fields=["status", "expires_on"], name="registration_status_expiry"),
            models.Index(fields=["status", "applied_on"], name="registration_status_applied"),
            models.Index(fields=["status", "accepted_on"], name="registration_status_accepted"),
            models.Index(fields=["status", "notice_ends_on"], name="registration_status_notice"),
        ]

    def __str__(self):
        return self.code or self.name

    @property
    def is_terminal(self) -> bool:
        return self.status in RegistrationStatus.terminal()

    @property
    def registrant(self):
        """The license's implementing body or operator, as `registrant_role` says."""
        if self.registrant_role == LicenseParty.OPERATOR:
            return self.license.operator
        return self.license.implementing_body

    @staticmethod
    def allocate_code(division_code: str, year: int, kind: str) -> str:
        """The next query code of the division and year (format: licensing.registration_codes)."""
        from ..registration_codes import format_code

        seq = next_in_series(RegistrationCodeCounter, division_code, year)
        return format_code(division_code, year, kind, seq)


class RegistrationEventImmutableError(Exception):
    def __init__(self):
        super().__init__(_("Registration events are append-only: they cannot be changed or deleted."))


class RegistrationEventQuerySet(AppendOnlyQuerySet):
    immutable_error = RegistrationEventImmutableError


class RegistrationEvent(AppendOnlyModel):
    """One step of a registration's procedure: who did what, on which day, and why."""

    immutable_error = RegistrationEventImmutableError

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="events", verbose_name=_("registration")
    )
    action = models.CharField(_("action"), max_length=16, choices=RegistrationEventAction)
    from_status = models.CharField(_("from status"), max_length=16, choices=RegistrationStatus, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, choices=RegistrationStatus)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registration_events",
        verbose_name=_("actor"),
    )
    actor_repr = models.CharField(_("actor as recorded"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True, help_text=_("Field: [before, after]."))
    occurred_on = models.DateField(_("effective day"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = RegistrationEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["registration", "created_at"], name="regevent_registration")]

    def __str__(self):
        return f"{self.registration_id}: {self.action} ({self.occurred_on})"


class Objection(models.Model):
    """An objection to a registration under public notice (Art. 12): filed under the objector's real
    name with evidence, decided by a regulator. Upholding it terminates the registration."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="objections", verbose_name=_("registration")
    )
    name = NameField(_("real name"), max_length=100)
    contact = models.CharField(_("contact"), max_length=200)
    reasons = models.TextField(_("reasons"))
    # The evidence file itself, in the database: it is shown to regulators only (never served publicly),
    # and is small (REGISTRATION_EVIDENCE_MAX_BYTES).
    evidence = models.BinaryField(_("evidence"), editable=False)
    evidence_name = models.CharField(_("evidence file name"), max_length=200, editable=False)
    evidence_type = models.CharField(_("evidence type"), max_length=32, editable=False)
    evidence_size = models.PositiveIntegerField(_("evidence size (bytes)"), editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=ObjectionState, default=ObjectionState.PENDING, editable=False
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now, editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision"), blank=True, editable=False)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["filed_at", "id"]
        indexes = [models.Index(fields=["state", "filed_at"], name="objection_queue")]

    def __str__(self):
        return f"{self.registration}: {self.name}"


class RegistrationReminder(OutboxMessage):
    """An email the sweep owes about a registration: to its registrant before the renewal window opens
    and before expiry, to the regulators when a deadline of the procedure has passed.

    Unique per registration, kind and the day it concerns (the expiry, or the deadline): each fires once,
    and a renewal or a restarted clock starts a fresh cycle."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("registration")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=RegistrationReminderKind)
    key_date = models.DateField(_("concerns the day"))

    class Meta(OutboxMessage.Meta):
        verbose_name = _("registration reminder")
        verbose_name_plural = _("registration reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "kind", "key_date"], name="registration_reminder_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(state="pending"), name="registration_reminder_due"
            )
        ]

    def __str__(self):
        return f"{self.registration_id}: {self.kind} ({self.key_date})"
