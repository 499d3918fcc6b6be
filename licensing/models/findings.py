from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..choices import DataDomain, RecordOrigin
from ..dates import local_today
from ..fields import NameField, USCCField
from ..identifiers import normalize_name
from .authorities import Authority
from .licenses import validate_url_lines
from .operators import Operator, split_lines


class Finding(models.Model):
    """An audit or enforcement finding: who found what against whom, for how much, and where it says so.

    Findings are not licenses. The entity found is named as the source names it; it is linked to a
    registered operator or authority where one matches (licensing.findings does the matching), so that
    the registry can say whether that entity holds a license for the data concerned.
    """

    issuer = NameField(_("issuer"), max_length=200, help_text=_("Who made the finding, e.g. 审计署."))
    issuer_en = NameField(_("issuer (English)"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"))
    period_start = models.DateField(_("period covered from"), null=True, blank=True)
    period_end = models.DateField(_("period covered to"), null=True, blank=True)
    dates_approximate = models.BooleanField(
        _("dates approximate"), default=False, help_text=_("The sources give the month or year, not the day.")
    )
    entity_name = NameField(_("entity found"), max_length=300)
    entity_name_en = NameField(_("entity found (English)"), max_length=300, blank=True)
    entity_uscc = USCCField(_("entity's USCC"), blank=True)
    department = NameField(
        _("department or ministry"), max_length=200, blank=True, help_text=_("The entity's department.")
    )
    department_en = NameField(_("department or ministry (English)"), max_length=200, blank=True)
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        related_name="findings",
        null=True,
        blank=True,
        verbose_name=_("operator"),
        help_text=_("The registered operator the entity is, where one matches."),
    )
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="findings",
        null=True,
        blank=True,
        verbose_name=_("authority"),
        help_text=_("The authority the entity is, or belongs to, where one matches."),
    )
    data_domain = models.CharField(
        _("data domain"),
        max_length=32,
        choices=DataDomain,
        blank=True,
        help_text=_("The data the finding concerns; empty for any."),
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True)
    systems = models.TextField(
        _("systems or platforms"), blank=True, help_text=_("The systems or platforms involved, one per line.")
    )
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), help_text=_("The report or decision that records the finding."))
    source_urls = models.TextField(
        _("source addresses"),
        blank=True,
        validators=[validate_url_lines],
        help_text=_("One address per line."),
    )
    # Every name of the entity as identifiers.normalize_name keys between newlines, for exact matching
    # (as Operator.name_keys). Kept up to date by save().
    entity_keys = models.TextField(editable=False, default="")
    origin = models.CharField(_("origin"), max_length=16, choices=RecordOrigin, default=RecordOrigin.RECORDED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-published_on", "department", "entity_name", "id"]
        indexes = [models.Index(fields=["published_on"], name="finding_published_on")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="finding_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="finding_period_in_order",
            ),
            models.CheckConstraint(condition=~Q(source=""), name="finding_has_source"),
        ]

    def __str__(self):
        return f"{self.issuer} {self.published_on:%Y-%m-%d}: {self.entity_name}"

    def save(self, *args, **kwargs):
        self.entity_keys = self.compute_entity_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "entity_keys"}
        super().save(*args, **kwargs)

    def compute_entity_keys(self) -> str:
        keys = sorted({normalize_name(n) for n in (self.entity_name, self.entity_name_en)} - {""})
        return "\n" + "\n".join(keys) + "\n" if keys else ""

    @property
    def system_list(self) -> list[str]:
        return split_lines(self.systems)

    @property
    def source_url_list(self) -> list[str]:
        return split_lines(self.source_urls)

    def clean(self):
        errors = {}
        if not self.source.strip():
            errors["source"] = [_("A finding needs its source: the report or decision that records it.")]
        if self.amount is not None and self.amount < 0:
            errors["amount"] = [_("An amount cannot be negative.")]
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = [_("The period cannot end before it starts.")]
        if self.published_on and self.published_on > local_today():
            errors["published_on"] = [_("A finding cannot be published in the future.")]
        if self.published_on and self.period_start and self.period_start > self.published_on:
            errors["period_start"] = [_("The period covered cannot start after the finding was published.")]
        if errors:
            raise ValidationError(errors)
