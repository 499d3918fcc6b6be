"""Products and services of a license: as shown, with cap and price, and what adding or changing one takes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ... import compliance
from ...choices import ChargingUnit, ProductClass
from ...dates import local_today
from ...models import Product
from ...models.products import MAX_REVIEW_CYCLE_MONTHS
from .base import StrictFieldsMixin, occurred_on_field
from .flags import FlagSerializer, flags_field


class ProductSerializer(serializers.ModelSerializer):
    """A product or service of a license, with its cap and price in yuan per charging unit."""

    license = serializers.SlugRelatedField(slug_field="number", read_only=True)
    product_class_label = serializers.CharField(source="get_product_class_display", read_only=True)
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "license",
            "name",
            "description",
            "product_class",
            "product_class_label",
            "charging_unit",
            "price_cap",
            "cap_set_on",
            "cap_document",
            "actual_price",
            "price_above_cap_reason",
            "trial_price",
            "prices_posted_on",
            "review_cycle_months",
            "offered_until",
            "flags",
            "origin",
            "created_at",
            "updated_at",
        ]

    @flags_field()
    def get_flags(self, product) -> list[dict]:
        flags = compliance.product_flags(product, product.license, local_today())
        return FlagSerializer(flags, many=True).data


def _price(**kwargs):
    return serializers.DecimalField(
        max_digits=16, decimal_places=4, min_value=0, required=False, allow_null=True, **kwargs
    )


class ProductWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """Adding a product, or changing one (PATCH: any of the fields), with the license's version."""

    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    product_class = serializers.ChoiceField(choices=ProductClass.choices)
    charging_unit = serializers.ChoiceField(choices=ChargingUnit.choices, required=False, allow_blank=True)
    price_cap = _price(help_text=_("Yuan per charging unit."))
    cap_set_on = serializers.DateField(required=False, allow_null=True)
    cap_document = serializers.CharField(required=False, allow_blank=True, max_length=300)
    actual_price = _price(help_text=_("Yuan per charging unit; 0 for a free product."))
    price_above_cap_reason = serializers.CharField(required=False, allow_blank=True)
    trial_price = serializers.BooleanField(required=False)
    prices_posted_on = serializers.DateField(required=False, allow_null=True)
    review_cycle_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_REVIEW_CYCLE_MONTHS
    )
    offered_until = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1, help_text=_("The license's version you last saw."))
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_on = occurred_on_field()

    def fields_to_set(self) -> dict:
        data = dict(self.validated_data)
        data.pop("version")
        data.pop("reason", None)
        data.pop("occurred_on", None)
        return data


class ProductUpdateSerializer(ProductWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False
