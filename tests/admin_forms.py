"""What the admin's license form posts, for tests of the admin: kept apart from tests/factories.py, which
builds records through the services and knows nothing of the faces."""

import datetime

from licensing.admin.products import INLINE_FIELDS
from licensing.models import License

# The fields of the admin's products inline (the products service's, but for the record's origin).
PRODUCT_FORM_FIELDS = INLINE_FIELDS


def admin_form_data(license: License, **overrides) -> dict:
    """What the admin's license form posts for `license` unchanged, with `overrides` applied."""
    data = {
        "title": license.title,
        "grantor": license.grantor_id,
        "implementing_body": license.implementing_body_id or "",
        "operator": license.operator_id or "",
        "data_domains": list(license.data_domains.values_list("code", flat=True)),
        "authorization_mode": license.authorization_mode,
        "scope": license.scope,
        "selection_method": license.selection_method,
        "term_start": license.term_start.isoformat() if license.term_start else "",
        "term_end": license.term_end.isoformat() if license.term_end else "",
        "term_exception_reason": license.term_exception_reason,
        "signed_on": "",
        "filed_on": "",
        "consideration": "",
        "consideration_note": "",
        "legal_basis": "",
        "source_urls": "",
        "remarks": "",
        "seen_version": license.version,
        "amendment_reason": "",
        **product_form_data(license),
    }
    data.update(overrides)
    return data


def product_form_data(license: License, new: list[dict] | None = None) -> dict:
    """The products inline as the admin's license form posts it: the license's products unchanged, and
    `new` rows to add."""
    rows = [
        {field: getattr(product, field) for field in PRODUCT_FORM_FIELDS} | {"id": product.pk}
        for product in license.products.order_by("name", "id")
    ]
    existing = len(rows)
    rows += [{field: "" for field in PRODUCT_FORM_FIELDS} | row for row in new or []]
    data = {
        "products-TOTAL_FORMS": str(len(rows)),
        "products-INITIAL_FORMS": str(existing),
        "products-MIN_NUM_FORMS": "0",
        "products-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for field, value in row.items():
            if value is None or value is False:
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            data[f"products-{index}-{field}"] = "on" if value is True else str(value)
        data[f"products-{index}-license"] = str(license.pk)
    return data
