"""The one way a license's products and services, and their caps and prices, change.

Every change is a change of the license: it takes the license's version the caller saw, bumps it, and
records a LicenseEvent (action `product`) with the diff, in one transaction, with the write toolkit the
lifecycle uses too (licensing.writes). The pricing rules (发改价格〔2025〕65号) are checked here, so the
admin, the API and the demo loader cannot disagree:

- no negative caps or prices;
- a cap takes its date and document; a cap (or a posting of prices) dated after today is not today's;
- an actual price above the cap needs the reason recorded;
- the review cycle is at most 3 years;
- no product is added to a license that has ended (withdrawn, expired, renewed, revoked, terminated);
  of an ended license's products only the last day offered may still be recorded.
"""

import datetime
import decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import writes
from .choices import EventAction
from .compliance import format_yuan
from .dates import local_today
from .exceptions import InvalidProduct, LicenseClosed, StaleVersion
from .lifecycle import check_occurred_on
from .models import License, Product

# Fields a caller may set; the license, the timestamps and the id belong to the service.
PRODUCT_FIELDS = (
    "name",
    "description",
    "product_class",
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
    "origin",
)

# What may still be recorded of a product once its license has ended.
AFTER_END_FIELDS = frozenset({"offered_until"})


def create_product(
    license: License,
    *,
    actor,
    expected_version: int,
    reason: str = "",
    occurred_on: datetime.date | None = None,
    **fields,
) -> Product:
    """Add a product to `license`; returns it. The license's version goes up by one."""
    with transaction.atomic():
        locked = writes.lock(license, expected_version)
        product, diff = _prepare(locked, None, fields)
        product.save()
        diff = {"product": [None, writes.jsonable(product)], **diff}
        _write_event(locked, diff, actor=actor, reason=reason, occurred_on=occurred_on)
    writes.refresh(license, locked)
    return product


def update_product(
    product: Product,
    changes: dict,
    *,
    actor,
    expected_version: int,
    reason: str = "",
    occurred_on: datetime.date | None = None,
) -> Product:
    """Change a product's fields (caps, prices, ...); a change that changes nothing writes nothing."""
    with transaction.atomic():
        locked = writes.lock(product.license, expected_version)
        current = Product.objects.select_for_update().get(pk=product.pk, license=locked)
        updated, diff = _prepare(locked, current, changes)
        if diff:
            updated.save()
            diff = {"product": [writes.jsonable(updated), writes.jsonable(updated)], **diff}
            _write_event(locked, diff, actor=actor, reason=reason, occurred_on=occurred_on)
    writes.refresh(product.license, locked)
    for field in Product._meta.concrete_fields:
        setattr(product, field.attname, getattr(updated, field.attname))
    return product


def check_product(license: License, fields: dict, *, product: Product | None = None, expected_version=None):
    """Raise what create_product / update_product would raise, without writing; return the diff.

    For forms that show every problem before anything is attempted; the write checks again under the lock.
    """
    current = License.objects.get(pk=license.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleVersion(expected_version, current.version)
    existing = Product.objects.get(pk=product.pk) if product is not None and product.pk else None
    return _prepare(current, existing, fields)[1]


# Internals -------------------------------------------------------------------------------------------


def _prepare(license: License, current: Product | None, fields: dict) -> tuple[Product, dict]:
    """The product with `fields` applied (a new one where `current` is None), validated; and the diff."""
    unknown = sorted(set(fields) - set(PRODUCT_FIELDS))
    if unknown:
        raise InvalidProduct({field: [str(_("This field cannot be set here."))] for field in unknown})
    product = Product(license=license) if current is None else _copy(current)
    diff = {}
    errors: dict[str, list] = {}
    for field, value in fields.items():
        model_field = Product._meta.get_field(field)
        before = writes.jsonable(getattr(product, field)) if current is not None else None
        try:
            value = model_field.to_python(value)
        except ValidationError as error:
            errors[field] = list(error.messages)
            continue
        if value is None and not model_field.null:
            value = model_field.get_default()
        if isinstance(value, decimal.Decimal) and value.is_finite():
            value = value.quantize(decimal.Decimal(1).scaleb(-model_field.decimal_places))
        setattr(product, field, value)
        after = writes.jsonable(getattr(product, field))
        if current is None:
            if after not in (None, "", False):
                diff[field] = [None, after]
        elif before != after:
            diff[field] = [before, after]
    if errors:
        raise InvalidProduct(errors)
    diff = {field: diff[field] for field in PRODUCT_FIELDS if field in diff}
    _check_license_open(license, current, diff)
    if current is None or diff:
        _validate(product)
    return product, diff


def _copy(product: Product) -> Product:
    copy = Product()
    for field in Product._meta.concrete_fields:
        setattr(copy, field.attname, getattr(product, field.attname))
    copy._state.adding = False
    return copy


def _check_license_open(license: License, current: Product | None, diff: dict) -> None:
    if not license.is_terminal:
        return
    status = license.get_status_display().lower()
    if current is None:
        raise LicenseClosed(
            _("The license has ended (%(status)s): no product can be added to it.") % {"status": status}
        )
    if set(diff) - AFTER_END_FIELDS:
        raise LicenseClosed(
            _(
                "The license has ended (%(status)s): of its products only the last day offered can still "
                "be recorded."
            )
            % {"status": status}
        )


def _validate(product: Product) -> None:
    """Field validation and the pricing rules; raises InvalidProduct naming every field at fault."""
    errors: dict[str, list] = {}
    try:
        product.full_clean(exclude=["license"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)

    def add(field, message):
        errors.setdefault(field, []).append(message)

    today = local_today()
    if product.price_cap is not None:
        if product.cap_set_on is None:
            add("cap_set_on", _("A price cap needs the date it was set."))
        if not product.cap_document.strip():
            add("cap_document", _("A price cap needs the document that set it."))
    if product.cap_set_on and product.cap_set_on > today:
        add(
            "cap_set_on",
            _("A cap set on %(day)s is not today's cap: record it on or after that day.")
            % {"day": product.cap_set_on.isoformat()},
        )
    if product.prices_posted_on and product.prices_posted_on > today:
        add(
            "prices_posted_on",
            _("Prices posted on %(day)s are not posted yet: record the posting on or after that day.")
            % {"day": product.prices_posted_on.isoformat()},
        )
    if (
        product.actual_price is not None
        and product.price_cap is not None
        and product.actual_price > product.price_cap
        and not product.price_above_cap_reason.strip()
    ):
        add(
            "actual_price",
            _("The actual price %(price)s is above the cap %(cap)s: lower it, or record the reason.")
            % {"price": format_yuan(product.actual_price), "cap": format_yuan(product.price_cap)},
        )
    name_taken = (
        Product.objects.filter(license_id=product.license_id, name=product.name)
        .exclude(pk=product.pk)
        .exists()
    )
    if product.name and name_taken:
        add("name", _("This license already has a product with this name."))
    if errors:
        raise InvalidProduct(
            {field: [str(message) for message in messages] for field, messages in errors.items()}
        )


def _write_event(locked: License, diff: dict, *, actor, reason: str, occurred_on) -> None:
    occurred_on = check_occurred_on(occurred_on, license=locked)
    writes.save(locked, [])
    event = writes.record(
        locked,
        EventAction.PRODUCT,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        reason=(reason or "").strip(),
        changes=diff,
        occurred_on=occurred_on,
    )
    writes.announce(locked, [event])


__all__ = ["PRODUCT_FIELDS", "check_product", "create_product", "update_product"]
