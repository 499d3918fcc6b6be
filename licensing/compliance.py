"""Compliance flags: where charging and licensing disagree. Computed from the data whenever they are
shown, never stored (a stored flag would go stale the day a license ends).

Flags, each with a stable code (choices.FlagCode) and a plain explanation in the reader's language:

- unlicensed_charging: a paid product, still offered, whose license is not in force today (not active,
  or its term has not started or has ended: on the last day of the term it is still in force);
- price_above_cap: an actual price above its cap (allowed only with a reason, which the flag quotes);
- fee_on_public_welfare: a public-welfare product (free by rule) with a price above zero;
- price_not_posted: a paid product with no actual price, or no date of its public posting;
- finding_without_license: a finding against an entity that has no license on record for that data
  (a license granted at some point, covering the finding's data domain and overlapping its period);
- disclosure_overdue: an annual disclosure not recorded by 31 March of the next year (computed by
  licensing.disclosures, which builds these flags).

A product is paid when its actual price is above zero, or when it is an industry product whose price is
not recorded (Product.is_paid). Products no longer offered (after `offered_until`) raise no flags.

The functions take many licenses, operators or findings at once and read what they need in a constant
number of queries (the products are prefetched with the licenses; see `with_products`).
"""

import dataclasses
import datetime
import decimal
from collections import defaultdict
from collections.abc import Iterable

from babel import numbers as babel_numbers
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from . import access, disclosures, languages
from .choices import DataDomain, FlagCode, LicenseParty, LicenseStatus, ProductClass
from .dates import local_today
from .models import Finding, License, Operator, Product

S = LicenseStatus

# States of a license that was granted at some point: "a license on record" for a finding.
GRANTED_AT_SOME_POINT = (S.GRANTED, S.ACTIVE, S.SUSPENDED, S.EXPIRED, S.RENEWED, S.REVOKED, S.TERMINATED)


HUNDRED_MILLION = decimal.Decimal(100_000_000)
TEN_THOUSAND = decimal.Decimal(10_000)
BILLION = decimal.Decimal(1_000_000_000)
MILLION = decimal.Decimal(1_000_000)


def _babel_locale() -> str:
    return to_locale(get_language() or settings.LANGUAGE_CODE)


def format_amount(value: decimal.Decimal | int | None) -> str:
    """The figure of an amount in the reader's locale (Babel): 1,802,441,200; 1,450,000.50; 30.00; 0.0025.
    Large whole amounts without decimals; prices (below 10,000) with the fen, or finer to four places."""
    if value is None:
        return ""
    value = decimal.Decimal(value)
    if value == value.to_integral_value() and value >= TEN_THOUSAND:
        pattern = "#,##0"
    elif value == value.quantize(decimal.Decimal("0.01")):
        pattern = "#,##0.00"
    else:
        pattern = "#,##0.00##"
    return babel_numbers.format_decimal(value, format=pattern, locale=_babel_locale())


def _short_figure(value: decimal.Decimal, unit: decimal.Decimal) -> str:
    places = decimal.Decimal("0.01")
    return babel_numbers.format_decimal(
        (value / unit).quantize(places, rounding=decimal.ROUND_HALF_UP),
        format="#,##0.##",
        locale=_babel_locale(),
    )


def format_yuan(value: decimal.Decimal | int | None, short: bool = False) -> str:
    """An amount of money as readers of the page's language write it, the one way the pages, the admin
    and the emails write money: "1,802,441,200 元" / "1,802,441,200 yuan"; with `short`, where a figure
    is read at a glance: "18.02 亿元", "5,866 万元" / "1.8 billion yuan", "248.38 million yuan" (below
    10,000 yuan, or a million in English, the full figure). "" for no amount."""
    if value is None:
        return ""
    value = decimal.Decimal(value)
    if short and (get_language() or "").startswith("zh"):
        if value >= HUNDRED_MILLION:
            return _("%(amount)s hundred million yuan") % {"amount": _short_figure(value, HUNDRED_MILLION)}
        if value >= TEN_THOUSAND:
            return _("%(amount)s ten thousand yuan") % {"amount": _short_figure(value, TEN_THOUSAND)}
    elif short:
        if value >= BILLION:
            return _("%(amount)s billion yuan") % {"amount": _short_figure(value, BILLION)}
        if value >= MILLION:
            return _("%(amount)s million yuan") % {"amount": _short_figure(value, MILLION)}
    return _("%(amount)s yuan") % {"amount": format_amount(value)}


@dataclasses.dataclass(frozen=True)
class Flag:
    """One flag. The explanation is rendered when read, in the language active then."""

    code: str
    variant: str = ""
    license_number: str = ""
    product_id: int | None = None
    product_name: str = ""
    finding_id: int | None = None
    # What the explanation names.
    status: str = ""
    day: datetime.date | None = None
    price: decimal.Decimal | None = None
    cap: decimal.Decimal | None = None
    reason: str = ""
    issuer: str = ""
    issuer_en: str = ""
    entity: str = ""
    entity_en: str = ""
    domain: str = ""
    year: int | None = None

    @property
    def label(self) -> str:
        return str(FlagCode(self.code).label)

    @property
    def explanation(self) -> str:
        return _EXPLAIN[self.code](self)


def _unlicensed(flag: Flag) -> str:
    params = {"product": flag.product_name, "number": flag.license_number}
    if flag.variant == "ended":
        text = _(
            "“%(product)s” charges a fee, but the term of license %(number)s ended on %(day)s. "
            "Charging for public data needs a license in force."
        )
        params["day"] = flag.day.isoformat()
    elif flag.variant == "not_started":
        text = _(
            "“%(product)s” charges a fee, but the term of license %(number)s starts only on %(day)s. "
            "Charging for public data needs a license in force."
        )
        params["day"] = flag.day.isoformat()
    else:
        text = _(
            "“%(product)s” charges a fee, but license %(number)s is not in force today (%(status)s). "
            "Charging for public data needs a license in force."
        )
        params["status"] = str(S(flag.status).label).lower()
    return text % params


def _above_cap(flag: Flag) -> str:
    return _(
        "The actual price of “%(product)s”, %(price)s yuan, is above its cap of %(cap)s yuan. "
        "Reason recorded: %(reason)s"
    ) % {
        "product": flag.product_name,
        "price": format_amount(flag.price),
        "cap": format_amount(flag.cap),
        "reason": languages.in_reader_language(flag.reason),
    }


def _public_welfare_fee(flag: Flag) -> str:
    return _(
        "“%(product)s” is a public-welfare product, which the rules make free, but it charges %(price)s yuan."
    ) % {"product": flag.product_name, "price": format_amount(flag.price)}


def _not_posted(flag: Flag) -> str:
    if flag.variant == "no_price":
        text = _(
            "“%(product)s” is a paid product with no actual price on record. Operators must post their "
            "prices publicly."
        )
    else:
        text = _(
            "“%(product)s” charges %(price)s yuan, but no public posting of its prices is recorded. "
            "Operators must post their prices publicly."
        )
    return text % {"product": flag.product_name, "price": format_amount(flag.price)}


def _finding(flag: Flag) -> str:
    # Names in the reader's language where the source gives one.
    english = (get_language() or "").startswith("en")
    params = {
        "issuer": flag.issuer_en if english and flag.issuer_en else flag.issuer,
        "entity": flag.entity_en if english and flag.entity_en else flag.entity,
        "day": flag.day.isoformat(),
    }
    if flag.domain:
        params["domain"] = str(DataDomain(flag.domain).label)
        text = _(
            "%(issuer)s reported a finding against %(entity)s on %(day)s, and the registry has no license "
            "on record for that entity covering the data domain “%(domain)s”."
        )
    else:
        text = _(
            "%(issuer)s reported a finding against %(entity)s on %(day)s, and the registry has no license "
            "on record for that entity."
        )
    return text % params


def _disclosure_overdue(flag: Flag) -> str:
    params = {"number": flag.license_number, "year": flag.year, "day": flag.day.isoformat()}
    if flag.variant == LicenseParty.IMPLEMENTING_BODY:
        text = _(
            "No disclosure by the implementing body of license %(number)s for %(year)s (recipient, content, "
            "scope, term and price caps) is on record; it was due by %(day)s."
        )
    else:
        text = _(
            "No disclosure by the operator of license %(number)s of its operation in %(year)s (products, "
            "prices and use of the data) is on record; it was due by %(day)s."
        )
    return text % params


_EXPLAIN = {
    FlagCode.UNLICENSED_CHARGING: _unlicensed,
    FlagCode.PRICE_ABOVE_CAP: _above_cap,
    FlagCode.FEE_ON_PUBLIC_WELFARE: _public_welfare_fee,
    FlagCode.PRICE_NOT_POSTED: _not_posted,
    FlagCode.FINDING_WITHOUT_LICENSE: _finding,
    FlagCode.DISCLOSURE_OVERDUE: _disclosure_overdue,
}


# Products and licenses ---------------------------------------------------------------------------------


def products_prefetch() -> Prefetch:
    return Prefetch("products", queryset=Product.objects.order_by("name", "id"))


def with_products(queryset: QuerySet) -> QuerySet:
    """Licenses with their products, so that flags for all of them take one more query."""
    return queryset.prefetch_related(products_prefetch())


def in_force_on(license: License, day: datetime.date) -> bool:
    """Active, and the day within the term (both ends inclusive; a term whose end is not published is
    open-ended)."""
    return (
        license.status == S.ACTIVE
        and license.term_start is not None
        and license.term_start <= day
        and (license.term_end is None or day <= license.term_end)
    )


def product_flags(product: Product, license: License, today: datetime.date) -> list[Flag]:
    if not product.offered_on(today):
        return []
    # A draft has no number yet: its reference names it (drafts are never on public pages).
    number = license.number or license.reference
    common = {"license_number": number, "product_id": product.pk, "product_name": product.name}
    flags = []
    if product.is_paid and not in_force_on(license, today):
        if license.status == S.ACTIVE and license.term_end and license.term_end < today:
            flags.append(Flag(FlagCode.UNLICENSED_CHARGING, "ended", day=license.term_end, **common))
        elif license.status == S.ACTIVE and license.term_start and license.term_start > today:
            flags.append(Flag(FlagCode.UNLICENSED_CHARGING, "not_started", day=license.term_start, **common))
        else:
            flags.append(Flag(FlagCode.UNLICENSED_CHARGING, status=license.status, **common))
    if (
        product.actual_price is not None
        and product.price_cap is not None
        and product.actual_price > product.price_cap
    ):
        flags.append(
            Flag(
                FlagCode.PRICE_ABOVE_CAP,
                price=product.actual_price,
                cap=product.price_cap,
                reason=product.price_above_cap_reason,
                **common,
            )
        )
    if product.product_class == ProductClass.PUBLIC_WELFARE and (product.actual_price or 0) > 0:
        flags.append(Flag(FlagCode.FEE_ON_PUBLIC_WELFARE, price=product.actual_price, **common))
    if product.is_paid:
        if product.actual_price is None:
            flags.append(Flag(FlagCode.PRICE_NOT_POSTED, "no_price", **common))
        elif product.prices_posted_on is None or product.prices_posted_on > today:
            flags.append(Flag(FlagCode.PRICE_NOT_POSTED, "not_posted", price=product.actual_price, **common))
    return flags


def license_flags(license: License, today: datetime.date | None = None) -> list[Flag]:
    """The flags of a license's products (prefetch them with `with_products` when there are many)."""
    today = today or local_today()
    return [flag for product in license.products.all() for flag in product_flags(product, license, today)]


def flagged_product_q(today: datetime.date, prefix: str = "") -> Q:
    """The database's form of product_flags: products (as a path under `prefix`) that raise a flag.
    tests/test_compliance.py holds the two forms to each other."""

    def field(name):
        return f"{prefix}{name}"

    paid = Q(**{f"{field('actual_price')}__gt": 0}) | Q(
        **{f"{field('actual_price')}__isnull": True, field("product_class"): ProductClass.INDUSTRY}
    )
    license_in_force = Q(
        **{field("license__status"): S.ACTIVE, f"{field('license__term_start')}__lte": today}
    ) & (
        Q(**{f"{field('license__term_end')}__gte": today})
        | Q(**{f"{field('license__term_end')}__isnull": True})  # end not published: open-ended
    )
    offered = Q(**{f"{field('offered_until')}__isnull": True}) | Q(
        **{f"{field('offered_until')}__gte": today}
    )
    above_cap = Q(**{f"{field('actual_price')}__gt": F(field("price_cap"))})
    welfare_fee = Q(
        **{field("product_class"): ProductClass.PUBLIC_WELFARE, f"{field('actual_price')}__gt": 0}
    )
    not_posted = paid & (
        Q(**{f"{field('actual_price')}__isnull": True})
        | Q(**{f"{field('prices_posted_on')}__isnull": True})
        | Q(**{f"{field('prices_posted_on')}__gt": today})
    )
    return offered & ((paid & ~license_in_force) | above_cap | welfare_fee | not_posted)


def flagged_licenses(
    queryset: QuerySet, today: datetime.date | None = None, *, flagged: bool = True
) -> QuerySet:
    """Licenses of `queryset` that have (or, with flagged=False, have no) flags."""
    today = today or local_today()
    has = Exists(Product.objects.filter(flagged_product_q(today), license=OuterRef("pk")))
    return queryset.filter(has if flagged else ~has)


# Findings ----------------------------------------------------------------------------------------------


def _covers(license: License, finding: Finding) -> bool:
    """Whether `license` (granted at some point) is on record for the finding's data and period."""
    if license.status not in GRANTED_AT_SOME_POINT:
        return False
    if finding.data_domain and not license.covers_domain(finding.data_domain):
        return False
    # The term and the finding's period overlap; a term whose end is not published is open-ended.
    starts_after = license.term_start and finding.period_end and license.term_start > finding.period_end
    ended_before = license.term_end and finding.period_start and license.term_end < finding.period_start
    return not (starts_after or ended_before)


def finding_flags(findings: Iterable[Finding]) -> dict[int, list[Flag]]:
    """Flags of each finding, by its id: two queries for the licenses of the operators they name."""
    findings = list(findings)
    operator_ids = {finding.operator_id for finding in findings if finding.operator_id}
    licenses_of = defaultdict(list)
    if operator_ids:
        licenses = License.objects.filter(operator_id__in=operator_ids, status__in=GRANTED_AT_SOME_POINT)
        for license in licenses.prefetch_related("data_domains"):
            licenses_of[license.operator_id].append(license)
    flags = {}
    for finding in findings:
        held = licenses_of.get(finding.operator_id, []) if finding.operator_id else []
        if any(_covers(license, finding) for license in held):
            flags[finding.pk] = []
            continue
        flags[finding.pk] = [
            Flag(
                FlagCode.FINDING_WITHOUT_LICENSE,
                finding_id=finding.pk,
                issuer=finding.issuer,
                issuer_en=finding.issuer_en,
                entity=finding.entity_name,
                entity_en=finding.entity_name_en,
                day=finding.published_on,
                domain=finding.data_domain,
            )
        ]
    return flags


# Operators ---------------------------------------------------------------------------------------------


def operator_flags(
    operators: Iterable[Operator], today: datetime.date | None = None
) -> dict[int, list[Flag]]:
    """Flags of each operator, by its id: those of its public licenses' products, its annual disclosures
    overdue, then those of the findings against it. A constant number of queries for any number of
    operators."""
    today = today or local_today()
    operators = list(operators)
    ids = [operator.pk for operator in operators]
    flags: dict[int, list[Flag]] = {pk: [] for pk in ids}
    if not ids:
        return flags
    licenses = list(
        with_products(access.public_licenses(License.objects.filter(operator_id__in=ids))).order_by("number")
    )
    for license in licenses:
        flags[license.operator_id].extend(license_flags(license, today))
    # Its own annual disclosures overdue (one query more, only where a license owes an overdue year).
    by_number = {license.number: license.operator_id for license in licenses}
    for flag in disclosures.overdue_flags(licenses, today, parties=[LicenseParty.OPERATOR]):
        flags[by_number[flag.license_number]].append(flag)
    findings = list(Finding.objects.filter(operator_id__in=ids).order_by("published_on", "id"))
    found = finding_flags(findings)
    for finding in findings:
        flags[finding.operator_id].extend(found[finding.pk])
    return flags


__all__ = [
    "Flag",
    "finding_flags",
    "flagged_licenses",
    "flagged_product_q",
    "format_amount",
    "format_yuan",
    "in_force_on",
    "license_flags",
    "operator_flags",
    "product_flags",
    "with_products",
]
