import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..choices import ChargingUnit, ProductClass, RecordOrigin
from ..fields import NameField
from .licenses import License

# The longest review cycle of prices and caps (发改价格〔2025〕65号: at most 3 years).
MAX_REVIEW_CYCLE_MONTHS = 36


def price_field(verbose_name, **kwargs):
    """Yuan per charging unit: prices per call may be fractions of a fen, hence four places."""
    return models.DecimalField(
        verbose_name,
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        **kwargs,
    )


class ProductQuerySet(models.QuerySet):
    def offered_on(self, day: datetime.date) -> "ProductQuerySet":
        """Products still offered on `day` (the last day offered is inclusive)."""
        return self.filter(Q(offered_until__isnull=True) | Q(offered_until__gte=day))


class Product(models.Model):
    """A product or service offered under a license (运营产品和服务), with its price cap and actual price.

    Created and changed only through licensing.products, which records each change as a LicenseEvent on
    the license. Never deleted: a product that is no longer offered gets its last day (`offered_until`).
    """

    license = models.ForeignKey(
        License, on_delete=models.PROTECT, related_name="products", verbose_name=_("license")
    )
    name = NameField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    product_class = models.CharField(
        _("class"),
        max_length=16,
        choices=ProductClass,
        help_text=_("Public welfare uses are free; industry uses may be charged a government-guided fee."),
    )
    charging_unit = models.CharField(_("charging unit"), max_length=16, choices=ChargingUnit, blank=True)
    price_cap = price_field(
        _("price cap (CNY)"), help_text=_("The grantor's cap (上限收费标准), in yuan per charging unit.")
    )
    cap_set_on = models.DateField(_("cap set on"), null=True, blank=True)
    cap_document = models.CharField(
        _("cap document"), max_length=300, blank=True, help_text=_("The document that set the cap.")
    )
    actual_price = price_field(
        _("actual price (CNY)"),
        help_text=_("The operator's price (具体收费标准), in yuan per charging unit; 0 for free."),
    )
    price_above_cap_reason = models.TextField(
        _("reason for a price above the cap"),
        blank=True,
        help_text=_("Required when the actual price is above the cap."),
    )
    trial_price = models.BooleanField(
        _("trial price"),
        default=False,
        help_text=_("A trial price (试行收费标准) of an operator without a year's history."),
    )
    prices_posted_on = models.DateField(
        _("prices posted on"), null=True, blank=True, help_text=_("When the prices were posted publicly.")
    )
    review_cycle_months = models.PositiveSmallIntegerField(
        _("review cycle (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_CYCLE_MONTHS)],
        help_text=_("At most 36 months (3 years)."),
    )
    offered_until = models.DateField(
        _("offered until"), null=True, blank=True, help_text=_("The last day the product is offered.")
    )
    origin = models.CharField(_("origin"), max_length=16, choices=RecordOrigin, default=RecordOrigin.RECORDED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")
        ordering = ["license_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["license", "name"], name="product_unique_name_per_license"),
            models.CheckConstraint(
                condition=Q(price_cap__isnull=True) | Q(price_cap__gte=0), name="product_cap_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(actual_price__isnull=True) | Q(actual_price__gte=0),
                name="product_price_not_negative",
            ),
            # Above the cap only with the reason recorded (licensing.products says so in words).
            models.CheckConstraint(
                condition=Q(actual_price__isnull=True)
                | Q(price_cap__isnull=True)
                | Q(actual_price__lte=F("price_cap"))
                | ~Q(price_above_cap_reason=""),
                name="product_above_cap_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(review_cycle_months__isnull=True)
                | Q(review_cycle_months__gte=1, review_cycle_months__lte=MAX_REVIEW_CYCLE_MONTHS),
                name="product_review_cycle_at_most_3_years",
            ),
            models.CheckConstraint(
                condition=Q(product_class__in=ProductClass.values), name="product_class_valid"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_paid(self) -> bool:
        """Whether the product charges: a price above zero, or an industry product whose price is not
        recorded (industry products are the ones that may charge; 0 records a free one)."""
        if self.actual_price is not None:
            return self.actual_price > 0
        return self.product_class == ProductClass.INDUSTRY

    def offered_on(self, day: datetime.date) -> bool:
        return self.offered_until is None or self.offered_until >= day
