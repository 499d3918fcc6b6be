"""Annual disclosures as recorded, and the reminders owed for the ones not recorded yet.

The duties themselves are not rows: licensing.disclosures computes them from the licenses' terms and the
years, so nothing has to be created when a year ends or a term changes. Only what a regulator records
(that a party disclosed, when, where) is stored here.
"""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import LicenseParty, RecordOrigin
from .licenses import License
from .reminders import OutboxMessage, OutboxState


class Disclosure(models.Model):
    """That one party of a license disclosed its operation of one year: when, where, and in short what."""

    license = models.ForeignKey(
        License, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("license")
    )
    year = models.PositiveSmallIntegerField(_("year"), help_text=_("The year of operation disclosed."))
    party = models.CharField(_("disclosed by"), max_length=32, choices=LicenseParty)
    disclosed_on = models.DateField(_("disclosed on"))
    url = models.URLField(
        _("link"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where the disclosure is published."),
    )
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    origin = models.CharField(_("origin"), max_length=16, choices=RecordOrigin, default=RecordOrigin.RECORDED)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual disclosure")
        verbose_name_plural = _("annual disclosures")
        ordering = ["-year", "license_id", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["license", "year", "party"], name="disclosure_unique_license_year_party"
            ),
            models.CheckConstraint(
                condition=Q(party__in=LicenseParty.values), name="disclosure_party_valid"
            ),
        ]

    def __str__(self):
        return f"{self.license_id} {self.year} {self.party}"


class DisclosureReminder(OutboxMessage):
    """One reminder that a party's disclosure of a year is due by the end of March: one per duty."""

    license = models.ForeignKey(
        License, on_delete=models.PROTECT, related_name="disclosure_reminders", verbose_name=_("license")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    party = models.CharField(_("party"), max_length=32, choices=LicenseParty)

    class Meta(OutboxMessage.Meta):
        verbose_name = _("disclosure reminder")
        verbose_name_plural = _("disclosure reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["license", "year", "party"], name="disclosure_reminder_unique_duty"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state=OutboxState.PENDING),
                name="disclosure_reminder_due",
            )
        ]

    def __str__(self):
        return f"{self.license_id}: {self.year} {self.party}"
