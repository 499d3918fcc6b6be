"""Filters of the list endpoints (django-filter). Paired as NetBox pairs them: `grantor_id` by id and
`division` by jurisdiction prefix; `operator` by USCC (any form) and `operator_id`; `q` searches."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.drainage import set_override
from rest_framework import exceptions

from .. import disclosures, search
from ..choices import AuthorizationMode, CallStatus, DataDomain, LicenseStatus
from ..identifiers import normalize_uscc, searched_prefix
from ..inputs import MAX_DIGITS, whole_number
from ..models import Authority, Call, Finding, License, Operator
from ..models.licenses import granted_by


def reject_unknown(params, known) -> None:
    """A query parameter the endpoint does not know is a 400 that names it (and lists the known ones)."""
    unknown = sorted(set(params) - set(known))
    if unknown:
        message = _("Unknown parameter; known: %(known)s.") % {"known": ", ".join(sorted(known)) or "-"}
        raise exceptions.ValidationError({name: [message] for name in unknown})


def reject_empty(params, typed) -> None:
    """A typed parameter given empty is a 400 that names it: django-filter and DRF would take it as left
    out (and django-filter an ordering of only commas, ",", as no ordering at all)."""
    empty = sorted(
        name
        for name, values in params.lists()
        if name in typed and any(not v.replace(",", "") for v in values)
    )
    if empty:
        message = _("Give a value, or leave the parameter out.")
        raise exceptions.ValidationError({name: [message] for name in empty})


class StrictFilterSet(django_filters.FilterSet):
    """A parameter the endpoint does not know, or a typed one given empty, is a 400 that names it, not
    silently ignored."""

    # Parameters handled outside the filter set (pagination, ordering).
    extra_parameters: tuple[str, ...] = ("page", "page_size")

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            reject_unknown(data, set(self.base_filters) | set(self.extra_parameters))
            reject_empty(
                data,
                {
                    name
                    for name, filter_ in self.base_filters.items()
                    if not isinstance(filter_, django_filters.CharFilter)
                },
            )
        super().__init__(data, *args, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """`ordering` by the fields asked for, then by key: rows with equal values keep one order from page to
    page, so a client paging through them neither misses a row nor sees one twice."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if qs.query.order_by and not {"id", "-id", "pk", "-pk"} & set(qs.query.order_by):
            qs = qs.order_by(*qs.query.order_by, "id")
        return qs


def jurisdiction_prefix(value: str) -> str:
    """`division` as a prefix (identifiers.searched_prefix), or a 400 naming it."""
    prefix = searched_prefix(value)
    if prefix is None:
        raise exceptions.ValidationError({"division": [_("Up to 6 digits of a division code.")]})
    return prefix


class WholeNumberField(forms.Field):
    """ASCII digits within bounds (licensing.inputs.whole_number), or a 400 naming the parameter."""

    def __init__(self, *, minimum: int, maximum: int, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = whole_number(value, minimum=self.minimum, maximum=self.maximum)
        if number is None:
            raise forms.ValidationError(
                _("A whole number from %(minimum)s to %(maximum)s.")
                % {"minimum": self.minimum, "maximum": self.maximum}
            )
        return number


class WholeNumberFilter(django_filters.Filter):
    """An id or a year: a whole number the schema documents with its bounds. (django-filter's
    NumberFilter reads a Decimal, so it took "-1", " 1" and "1e999999999", the last one costing a
    billion-digit integer before the query.)"""

    field_class = WholeNumberField

    def __init__(self, *, minimum: int = 1, maximum: int = 10**MAX_DIGITS - 1, **kwargs):
        super().__init__(minimum=minimum, maximum=maximum, **kwargs)
        schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
        if self.extra.get("help_text"):
            schema["description"] = str(self.extra["help_text"])
        set_override(self, "field", schema)


class LicenseFilter(StrictFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=LicenseStatus.choices, help_text=_("Repeatable."))
    grantor_id = WholeNumberFilter(
        method="filter_grantor_id", help_text=_("A grantor's id: the lead grantor or a co-grantor.")
    )
    grantor = django_filters.CharFilter(
        method="filter_grantor",
        help_text=_("A grantor's division code: the lead grantor's or a co-grantor's."),
    )
    division = django_filters.CharFilter(
        method="filter_division",
        help_text=_(
            "Division-code prefix (33 for Zhejiang, 3301 for Hangzhou) of the lead grantor or a co-grantor."
        ),
    )
    operator = django_filters.CharFilter(
        method="filter_operator", help_text=_("The operator's USCC, any form.")
    )
    operator_id = WholeNumberFilter(field_name="operator_id")
    domain = django_filters.ChoiceFilter(
        method="filter_domain",
        choices=DataDomain.choices,
        help_text=_("Licenses covering the data domain: those that list it, and every whole authorization."),
    )
    mode = django_filters.ChoiceFilter(field_name="authorization_mode", choices=AuthorizationMode.choices)
    expires_before = django_filters.DateFilter(field_name="term_end", lookup_expr="lte")
    expires_after = django_filters.DateFilter(field_name="term_end", lookup_expr="gte")
    q = django_filters.CharFilter(method="filter_q", help_text=_("Number, title, operator name or USCC."))
    # Strictly true or false (a BooleanFilter takes anything else as left out).
    disclosure_overdue = django_filters.ChoiceFilter(
        method="filter_disclosure_overdue",
        choices=[("true", "true"), ("false", "false")],
        help_text=_("Licenses with (true) or without (false) an annual disclosure overdue today."),
    )
    ordering = StableOrderingFilter(
        fields=["number", "term_end", "term_start", "status_changed_at", "created_at", "updated_at"]
    )

    class Meta:
        model = License
        fields = []

    def filter_grantor_id(self, queryset, name, value):
        return queryset.filter(granted_by(Q(pk=value)))

    def filter_grantor(self, queryset, name, value):
        return queryset.filter(granted_by(Q(division_code=value)))

    def filter_division(self, queryset, name, value):
        return queryset.filter(granted_by(Q(division_code__startswith=jurisdiction_prefix(value))))

    def filter_operator(self, queryset, name, value):
        return queryset.filter(operator__uscc=normalize_uscc(value))

    def filter_domain(self, queryset, name, value):
        return queryset.covering_domain(value)

    def filter_q(self, queryset, name, value):
        return search.search_licenses(queryset, value)

    def filter_disclosure_overdue(self, queryset, name, value):
        return disclosures.overdue_licenses(queryset, overdue=value == "true")


class CallFilter(StrictFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CallStatus.choices, help_text=_("Repeatable."))
    grantor = WholeNumberFilter(
        method="filter_grantor", help_text=_("A grantor's id: the lead grantor or a co-grantor.")
    )
    domain = django_filters.ChoiceFilter(field_name="data_domains", choices=DataDomain.choices)

    class Meta:
        model = Call
        fields = []

    def filter_grantor(self, queryset, name, value):
        return queryset.filter(granted_by(Q(pk=value), Call))


class OperatorFilter(StrictFilterSet):
    q = django_filters.CharFilter(method="filter_q", help_text=_("Name (Chinese or English), alias or USCC."))

    class Meta:
        model = Operator
        fields = []

    def filter_q(self, queryset, name, value):
        return search.search_operators(queryset, value)


class AuthorityFilter(StrictFilterSet):
    division = django_filters.CharFilter(method="filter_division")
    q = django_filters.CharFilter(method="filter_q")

    class Meta:
        model = Authority
        fields = []

    def filter_division(self, queryset, name, value):
        return queryset.filter(division_code__startswith=jurisdiction_prefix(value))

    def filter_q(self, queryset, name, value):
        value = search.clean_query(value)
        return queryset.filter(name__icontains=value) | queryset.filter(name_en__icontains=value)


class FindingFilter(StrictFilterSet):
    issuer = django_filters.CharFilter(
        method="filter_issuer", help_text=_("The issuer's name (Chinese or English), as recorded.")
    )
    department = django_filters.CharFilter(
        method="filter_department", help_text=_("The department's name (Chinese or English), as recorded.")
    )
    # A year the calendar has (year 0 or 10000 would fail in the date arithmetic of the lookup).
    year = WholeNumberFilter(
        field_name="published_on__year",
        minimum=1,
        maximum=9999,
        help_text=_("The year the finding was published."),
    )
    domain = django_filters.ChoiceFilter(field_name="data_domain", choices=DataDomain.choices)
    operator = django_filters.CharFilter(
        method="filter_operator", help_text=_("The USCC of the operator found, any form.")
    )
    operator_id = WholeNumberFilter(field_name="operator_id")
    authority_id = WholeNumberFilter(field_name="authority_id")
    q = django_filters.CharFilter(method="filter_q", help_text=_("Entity, department or issuer."))
    ordering = StableOrderingFilter(fields=["published_on", "amount", "created_at"])

    class Meta:
        model = Finding
        fields = []

    def filter_issuer(self, queryset, name, value):
        value = search.clean_query(value)
        return queryset.filter(Q(issuer=value) | Q(issuer_en__iexact=value))

    def filter_department(self, queryset, name, value):
        value = search.clean_query(value)
        return queryset.filter(Q(department=value) | Q(department_en__iexact=value))

    def filter_operator(self, queryset, name, value):
        code = normalize_uscc(value)
        return queryset.filter(Q(operator__uscc=code) | Q(entity_uscc=code))

    def filter_q(self, queryset, name, value):
        value = search.clean_query(value)
        return queryset.filter(
            Q(entity_name__icontains=value)
            | Q(entity_name_en__icontains=value)
            | Q(department__icontains=value)
            | Q(department_en__icontains=value)
            | Q(issuer__icontains=value)
            | Q(issuer_en__icontains=value)
        )


class StrictFilterSchema(DjangoFilterExtension):
    """The schema says what StrictFilterSet enforces: a repeatable or list parameter (`status`,
    `ordering`) given empty is a 400 (reject_empty), so it takes at least one non-empty item."""

    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "array":
                schema["minItems"] = 1
                schema["items"].setdefault("minLength", 1)
        return parameters


def license_filter_help(name: str):
    """What the license list's filter of that name says: the events feed's and a webhook's filters of that
    name mean the same."""
    return LicenseFilter.base_filters[name].extra["help_text"]
