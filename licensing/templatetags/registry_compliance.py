"""Template helpers of the compliance parts of the public pages: money as readers write it, the flags
of one product, and the names of the product fields a price change touched."""

from django import template
from django.core.exceptions import FieldDoesNotExist

from .. import compliance
from ..display import in_language
from ..models import Product

register = template.Library()


@register.filter
def yuan(value):
    """1,450,000 yuan, 0.05 yuan, 0.0025 yuan; 1,450,000 元 in Chinese; "" for no amount."""
    return compliance.format_yuan(value)


@register.filter
def yuan_words(value):
    """248.38 million yuan; 2.48 亿元 (the short form, for a figure read at a glance)."""
    return compliance.format_yuan(value, short=True)


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
