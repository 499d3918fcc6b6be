"""Finding licenses and operators from what a person types: a number, a title, a name in Chinese or
English, or a USCC in any spacing or width. The public pages, the admin and the API search through here.

On PostgreSQL the substring matches use the trigram indexes of migration 0004.
"""

from django.db.models import Q, QuerySet

from .identifiers import is_valid_uscc, normalize_name, normalize_uscc, strip_invisible
from .inputs import whole_number
from .models import License, Operator

MAX_QUERY_LENGTH = 200


def clean_query(text: str | None) -> str:
    """The query as searched: without invisible characters (as names are stored), trimmed, and cut to a
    sane length."""
    return " ".join(strip_invisible(text).split())[:MAX_QUERY_LENGTH]


def operator_match(text: str, prefix: str = "") -> Q:
    """A Q matching operators by name, English name, alias or USCC (as a path under `prefix`)."""
    text = clean_query(text)
    if not text:
        return Q()
    q = (
        Q(**{f"{prefix}name__icontains": text})
        | Q(**{f"{prefix}name_en__icontains": text})
        | Q(**{f"{prefix}aliases__icontains": text})
    )
    key = normalize_name(text)
    if key and key != text.casefold():
        # "阿里健康（杭州）" also finds "阿里健康(杭州)": the keys drop what varies between writings.
        q |= Q(**{f"{prefix}name_keys__contains": key})
    code = normalize_uscc(text)
    if is_valid_uscc(code):
        q |= Q(**{f"{prefix}uscc": code})
    elif len(code) >= 4 and code.isalnum():
        q |= Q(**{f"{prefix}uscc__contains": code})
    return q


def search_licenses(queryset: QuerySet, text: str | None) -> QuerySet:
    """Licenses whose number, title or operator matches `text`; all of `queryset` for an empty query."""
    text = clean_query(text)
    if not text:
        return queryset
    # A union of narrow matches, so that each can use its own index (an OR across columns and a join
    # makes PostgreSQL scan the whole table).
    operators = Operator.objects.filter(operator_match(text)).values("pk")
    matching = (
        License.objects.filter(number__icontains=text)
        .values("pk")
        .union(
            License.objects.filter(title__icontains=text).values("pk"),
            License.objects.filter(operator_id__in=operators).values("pk"),
        )
    )
    return queryset.filter(pk__in=matching)


def search_operators(queryset: QuerySet | None, text: str | None) -> QuerySet:
    queryset = Operator.objects.all() if queryset is None else queryset
    text = clean_query(text)
    return queryset.filter(operator_match(text)) if text else queryset


def operator_by_key(key: str) -> Operator | None:
    """The operator an address names: its USCC (in any spacing, case or width) or, for any operator and
    the only way for one without a published code, its id. None where there is none."""
    code = normalize_uscc(key)
    if is_valid_uscc(code):
        return Operator.objects.filter(uscc=code).first()
    if (pk := whole_number(key)) is not None:
        return Operator.objects.filter(pk=pk).first()
    return None


def operators_named(name: str) -> QuerySet:
    """Operators one of whose names or aliases is exactly `name` (after normalize_name)."""
    key = normalize_name(name)
    if not key:
        return Operator.objects.none()
    return Operator.objects.filter(name_keys__contains=f"\n{key}\n")


__all__ = ["clean_query", "operator_by_key", "operators_named", "search_licenses", "search_operators"]
