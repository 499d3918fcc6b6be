"""The read path of licenses, built lean: one query of plain values (related rows joined, data domains
aggregated, the live successor as a subquery) turned into the API's representation field by field, as
licensing/license_fields.py declares them.

It gives exactly what serializers.LicenseSerializer gives (a test holds the two together; the
serializer stays the schema's description), in a fraction of the time, because reads are most of the
traffic and model instances and nested serializers are the slow part of a DRF response.
"""

import dataclasses
import datetime
import functools
import operator
from collections import defaultdict

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import CharField, Exists, OuterRef, Subquery, TextField, Value
from django.db.models.aggregates import StringAgg
from django.db.models.functions import Cast
from django.utils import timezone

from .. import access, compliance, license_fields
from ..choices import AuthorizationMode, LicenseStatus
from ..dates import local_today
from ..identifiers import division_level
from ..models import Authority, License, Product
from ..models.operators import split_lines

_AUTHORITY = ("id", "name", "name_en", "division_code", "kind", "uscc")
_OPERATOR = ("id", "name", "name_en", "aliases", "uscc", "uscc_note", "kind", "website")
VALUES = (
    "id",
    *license_fields.COLUMNS,
    *(f"grantor__{f}" for f in _AUTHORITY),
    *(f"implementing_body__{f}" for f in _AUTHORITY),
    *(f"operator__{f}" for f in _OPERATOR),
    "predecessor__number",
    "successor_number",
    "domain_codes",
    "co_grantor_ids",
    "call_id",
    "has_products",
)


def license_values(queryset):
    """`queryset` as rows of plain values, everything the representation needs, in one query: the data
    domains come from a correlated subquery per row, so a LIMIT still cuts the work short."""
    successor = License.objects.live_successors_of(OuterRef("pk")).values("number")[:1]
    through = License.data_domains.through
    domains = (
        through.objects.filter(license_id=OuterRef("pk"))
        .values("license_id")
        .annotate(codes=StringAgg("domain_id", Value(",")))
        .values("codes")
    )
    co_grantors = (
        License.co_grantors.through.objects.filter(license_id=OuterRef("pk"))
        .values("license_id")
        .annotate(ids=StringAgg(Cast("authority_id", CharField()), Value(",")))
        .values("ids")
    )
    return queryset.annotate(
        successor_number=Subquery(successor),
        domain_codes=Subquery(domains, output_field=TextField()),
        co_grantor_ids=Subquery(co_grantors, output_field=TextField()),
        has_products=Exists(Product.objects.filter(license_id=OuterRef("pk"))),
    ).values(*VALUES)


# Stands for the license number in the query compiled once below.
_NUMBER = "number-to-be-given"


@functools.cache
def _compiled_public_license():
    queryset = license_values(access.public_licenses(License.objects.filter(number=_NUMBER)))[:1]
    query = queryset.query
    # Kept for its converters, which any thread may apply: they read settings (the time zone), not the
    # database session of the connection the compiler was made with.
    compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    # Named as QuerySet.values() names them (its ValuesIterable).
    return sql, params, compiler, converters, list(query.selected)


def public_license_values(number: str) -> list[dict]:
    """license_values() of the public license numbered `number` ([] when there is none), from a query
    compiled once per process: building and compiling that queryset took four times as long as the
    database took to run it (profiled), and a read of one license is the commonest request of all. It
    leans on Django's compiler (hence the <7 pin); measured cold, it serves 2.5 to 3.4 times the
    requests of the same query built for each one (bench/README.md), so it stays."""
    sql, params, compiler, converters, names = _compiled_public_license()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, [number if param == _NUMBER else param for param in params])
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows]


def with_domains(rows) -> list[dict]:
    """The rows, with their data domain codes as a sorted list, and their co-grantors as the API shows
    authorities (in the authorities' order): one query for the co-grantors of all rows, none when none
    has any."""
    rows = list(rows)
    for row in rows:
        row["domain_codes"] = sorted(code for code in (row["domain_codes"] or "").split(",") if code)
        row["co_grantor_ids"] = {int(pk) for pk in (row["co_grantor_ids"] or "").split(",") if pk}
    wanted = set().union(*(row["co_grantor_ids"] for row in rows))
    # In the authorities' own order (Authority.Meta.ordering), as the serializer lists them.
    authorities = Authority.objects.filter(pk__in=wanted).values(*_AUTHORITY) if wanted else []
    shown = [_authority({f"a__{f}": value for f, value in row.items()}, "a") for row in authorities]
    for row in rows:
        row["co_grantors"] = [authority for authority in shown if authority["id"] in row["co_grantor_ids"]]
    return rows


@dataclasses.dataclass(frozen=True)
class _LicenseFacts:
    """What compliance.product_flags reads of a license, from a row of values."""

    number: str | None
    reference: str
    status: str
    term_start: datetime.date | None
    term_end: datetime.date | None


def with_flags(rows: list[dict]) -> list[dict]:
    """The rows, with the compliance flags of their licenses' products: one query for the products of
    all of them, none when none has any."""
    today = local_today()
    products = defaultdict(list)
    offering = [row["id"] for row in rows if row["has_products"]]
    for product in Product.objects.filter(license_id__in=offering).order_by("name", "id") if offering else ():
        products[product.license_id].append(product)
    for row in rows:
        facts = _LicenseFacts(
            row["number"], row["reference"], row["status"], row["term_start"], row["term_end"]
        )
        row["flags"] = [
            flag
            for product in products[row["id"]]
            for flag in compliance.product_flags(product, facts, today)
        ]
    return rows


def flag_representation(flag: compliance.Flag) -> dict:
    """A flag as the API shows it (serializers.FlagSerializer describes it)."""
    return {
        "code": str(flag.code),
        "label": flag.label,
        "explanation": flag.explanation,
        "license": flag.license_number or None,
        "product": flag.product_id,
        "finding": flag.finding_id,
    }


def _datetime(value):
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value):
    return value.isoformat() if value is not None else None


def _authority(row, prefix):
    if row[f"{prefix}__id"] is None:
        return None
    code = row[f"{prefix}__division_code"]
    return {
        "id": row[f"{prefix}__id"],
        "name": row[f"{prefix}__name"],
        "name_en": row[f"{prefix}__name_en"],
        "division_code": code,
        "level": division_level(code).value,
        "kind": row[f"{prefix}__kind"],
        "uscc": row[f"{prefix}__uscc"],
    }


def _operator(row):
    if row["operator__id"] is None:
        return None
    return {
        "id": row["operator__id"],
        "name": row["operator__name"],
        "name_en": row["operator__name_en"],
        "aliases": split_lines(row["operator__aliases"]),
        "uscc": row["operator__uscc"],
        "uscc_note": row["operator__uscc_note"],
        "kind": row["operator__kind"],
        "website": row["operator__website"],
    }


def _decimal(places):
    return lambda value: f"{value:.{places}f}" if value is not None else None


def _column_shown(name):
    """How a column of the license's row is shown, by the model field's type (as the serializer's
    ModelSerializer fields show it)."""
    field = License._meta.get_field(name)
    if isinstance(field, models.DateTimeField):
        shown = _datetime
    elif isinstance(field, models.DateField):
        shown = _date
    elif isinstance(field, models.DecimalField):
        shown = _decimal(field.decimal_places)
    else:
        return operator.itemgetter(name)
    return lambda row: shown(row[name])


# How the fields that are not columns shown as stored are made from a row (and source_urls, a column of
# lines shown as a list).
_SHOWN_OTHERWISE = {
    "status_label": lambda row: str(LicenseStatus(row["status"]).label),
    "grantor": lambda row: _authority(row, "grantor"),
    "co_grantors": operator.itemgetter("co_grantors"),
    "implementing_body": lambda row: _authority(row, "implementing_body"),
    "operator": _operator,
    "data_domains": operator.itemgetter("domain_codes"),
    "covers_all_domains": lambda row: row["authorization_mode"] == AuthorizationMode.WHOLE,
    "term_end_published": lambda row: row["term_end"] is not None,
    "source_urls": lambda row: split_lines(row["source_urls"]),
    "predecessor": operator.itemgetter("predecessor__number"),
    "successor": operator.itemgetter("successor_number"),
    "call": operator.itemgetter("call_id"),
    "flags": lambda row: [flag_representation(flag) for flag in row["flags"]],
}


def _shown(field):
    # A field that is neither a column nor shown otherwise stops the import (KeyError) rather than
    # leaving the API without it.
    if field.name in _SHOWN_OTHERWISE or not field.column:
        return _SHOWN_OTHERWISE[field.name]
    return _column_shown(field.name)


# Every field of license_fields, in its order, with how it is shown.
_SHOWN = tuple((field.name, _shown(field)) for field in license_fields.LICENSE_FIELDS)


def license_representation(row: dict) -> dict:
    """One row of license_values() (with_domains, with_flags) as the API shows a license."""
    return {name: shown(row) for name, shown in _SHOWN}
