"""Template helpers of the compliance parts of the public pages: money as readers write it, the flags
of one product, and the names of the product fields a price change touched."""

from django import template
from django.core.exceptions import FieldDoesNotExist

from .. import charts, compliance
from ..display import in_language
from ..models import Product

register = template.Library()


@register.filter
def yuan(value):
    """¥1,450,000.00, ¥0.05, ¥0.0025; "" for no amount."""
    return f"¥{compliance.format_yuan(value)}" if value is not None else ""


@register.filter
def yuan_words(value):
    """248.38 million yuan; 2.4838亿元."""
    return charts.yuan_words(value)


@register.filter
def flags_of_product(flags, product):
    """Of a license's `flags`, those raised by `product`."""
    return [flag for flag in flags if flag.product_id == product.pk]


@register.filter
def product_field_label(name):
    """The label of a Product field named in a price change's diff (the name itself if it is not one)."""
    try:
        return Product._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


@register.filter
def flags_of_finding(flags, finding):
    """The flags of `finding`, from a mapping of finding ids to flags."""
    return flags.get(finding.pk, [])


register.simple_tag(in_language, name="in_language")
