"""The findings register: recording audit and enforcement findings, linking each to the registered
operator or authority it names, and the totals the findings page shows.

Who records findings is decided in licensing.access (superusers and national-level regulators).
"""

import dataclasses
import decimal
import re
import urllib.parse

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import languages
from .exceptions import InvalidFinding
from .identifiers import normalize_name, normalize_uscc
from .models import Authority, Finding, Operator
from .models.operators import split_lines

# Fields a caller may set; the links are set by matching (link_entity) unless given.
FINDING_FIELDS = (
    "issuer",
    "issuer_en",
    "published_on",
    "period_start",
    "period_end",
    "dates_approximate",
    "entity_name",
    "entity_name_en",
    "entity_uscc",
    "department",
    "department_en",
    "operator",
    "authority",
    "data_domain",
    "amount",
    "systems",
    "description",
    "source",
    "source_urls",
    "origin",
)


def record_finding(**fields) -> Finding:
    """A new finding, validated and linked to the operator or authority it names."""
    finding = _prepare(Finding(), fields)
    with transaction.atomic():
        relink(finding, None)
        finding.save()
    return finding


ENTITY_FIELDS = frozenset({"entity_name", "entity_name_en", "entity_uscc", "department", "department_en"})


def update_finding(finding: Finding, changes: dict) -> Finding:
    """Change a finding; where the entity it names changes, its links are matched again (unless given)."""
    changed = [field for field in changes if getattr(finding, field) != changes[field]]
    _prepare(finding, changes)
    with transaction.atomic():
        relink(finding, changed)
        finding.save()
    return finding


def relink(finding: Finding, changed: list[str] | None) -> None:
    """Link a finding about to be saved: a new one (`changed` None) where no link is given; a changed one
    again where the entity it names changed and its links were not changed with it."""
    if changed is not None and ENTITY_FIELDS & set(changed):
        for link in ("operator", "authority"):
            if link not in changed:
                setattr(finding, link, None)
    link_entity(finding)


def check_finding(fields: dict, *, finding: Finding | None = None) -> None:
    """Raise what record_finding / update_finding would raise, without writing."""
    copy = Finding()
    if finding is not None:
        for field in Finding._meta.concrete_fields:
            setattr(copy, field.attname, getattr(finding, field.attname))
    _prepare(copy, fields)


def link_entity(finding: Finding) -> None:
    """Link the finding to the registered operator and authority it names, where one matches and no link
    was given: an operator by USCC, else by a name or alias; an authority by USCC, else by the name of
    the entity, else by the name of its department."""
    code = normalize_uscc(finding.entity_uscc)
    keys = [key for key in finding.compute_entity_keys().split("\n") if key]
    if finding.operator_id is None:
        operator = None
        if code:
            operator = Operator.objects.filter(uscc=code).first()
        if operator is None and keys:
            matches = Q()
            for key in keys:
                matches |= Q(name_keys__contains=f"\n{key}\n")
            operator = Operator.objects.filter(matches).order_by("pk").first()
        finding.operator = operator
    if finding.authority_id is None:
        authority = Authority.objects.filter(uscc=code).first() if code else None
        for name in (finding.entity_name, finding.entity_name_en, finding.department, finding.department_en):
            if authority is None and name.strip():
                authority = (
                    Authority.objects.filter(Q(name=name.strip()) | Q(name_en__iexact=name.strip()))
                    .order_by("division_code", "pk")
                    .first()
                )
        finding.authority = authority


def _prepare(finding: Finding, fields: dict) -> Finding:
    unknown = sorted(set(fields) - set(FINDING_FIELDS))
    if unknown:
        raise InvalidFinding({field: [str(_("This field cannot be set here."))] for field in unknown})
    for field, value in fields.items():
        if value is None and not Finding._meta.get_field(field).null:
            value = Finding._meta.get_field(field).get_default()
        setattr(finding, field, value)
    try:
        finding.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise InvalidFinding(
            {field: [str(message) for message in messages] for field, messages in error.message_dict.items()}
        ) from None
    return finding


# Totals for the findings page --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Total:
    """The findings of one department (or issuer): their count and the amount found."""

    name: str
    name_en: str
    amount: decimal.Decimal
    count: int

    @property
    def label(self) -> str:
        """The name in the language being served (the Chinese name where no English one is known)."""
        english = (get_language() or "").startswith("en")
        return (self.name_en if english and self.name_en else self.name) or str(_("(not given)"))


@dataclasses.dataclass(frozen=True)
class Source:
    text: str
    urls: list[str]

    @property
    def title(self) -> str:
        """The source's first clause, in the reader's language where it is recorded in it: "National
        Audit Office, report on 2023, published July 2024"."""
        return re.split(r"[;；。]|\.\s", languages.in_reader_language(self.text), maxsplit=1)[0].strip()

    @property
    def links(self) -> list[tuple[str, str]]:
        """(address, its site's name) of each web address of the source."""
        return [
            (url, urllib.parse.urlsplit(url).hostname or url)
            for url in self.urls
            if url.lower().startswith(("http://", "https://"))
        ]


@dataclasses.dataclass(frozen=True)
class Totals:
    amount: decimal.Decimal
    count: int
    by_department: list[Total]
    by_issuer: list[Total]
    # Where the figures come from: each distinct source of the findings counted, with its addresses.
    sources: list[Source] = dataclasses.field(default_factory=list)


def totals(queryset: models.QuerySet | None = None) -> Totals:
    """Amounts and counts of `queryset` (all findings by default), overall, by department and by issuer,
    largest first, and the sources they come from. Four queries, however many findings."""
    queryset = Finding.objects.all() if queryset is None else queryset
    overall = queryset.aggregate(amount=Sum("amount"), count=Count("pk"))

    def grouped(name, name_en):
        # Coalesce: a group with no amounts counts as 0, and sorts last on every database.
        rows = (
            queryset.order_by()
            .values(name, name_en)
            .annotate(
                amount=Coalesce(Sum("amount"), Value(decimal.Decimal(0)), output_field=DecimalField()),
                count=Count("pk"),
            )
            .order_by("-amount", name)
        )
        return [
            Total(row[name], row[name_en], row["amount"] or decimal.Decimal(0), row["count"]) for row in rows
        ]

    return Totals(
        amount=overall["amount"] or decimal.Decimal(0),
        count=overall["count"],
        by_department=grouped("department", "department_en"),
        by_issuer=grouped("issuer", "issuer_en"),
        sources=[
            Source(row["source"], split_lines(row["source_urls"]))
            for row in queryset.order_by("source", "source_urls").values("source", "source_urls").distinct()
        ],
    )


def matching_entity(queryset, *, operators=(), uscc: str = "", name: str = "") -> models.QuerySet:
    """Findings against an entity: linked to one of `operators`, or naming its USCC or its name."""
    condition = Q(operator__in=list(operators)) if operators else Q(pk__in=[])
    code = normalize_uscc(uscc)
    if code:
        condition |= Q(entity_uscc=code)
    key = normalize_name(name)
    if key:
        condition |= Q(entity_keys__contains=f"\n{key}\n")
    return queryset.filter(condition)


__all__ = [
    "FINDING_FIELDS",
    "check_finding",
    "link_entity",
    "matching_entity",
    "record_finding",
    "relink",
    "totals",
    "update_finding",
]
