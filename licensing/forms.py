"""What a visitor asks the public pages: the license list's filters and the verify question.

Both read the query string, so that every answer has a link. A filter value that cannot be used (an
unknown status, a word where a number belongs) is dropped with a note saying so: a page never fails on
what someone typed into its address.
"""

from django import forms
from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from . import access, status_counts, verify
from .choices import DataDomain, LicenseStatus
from .identifiers import (
    USCC_LENGTH,
    division_prefix,
    is_valid_division_code,
    normalize_division_code,
    normalize_uscc,
)
from .inputs import whole_number
from .models import Authority
from .models.licenses import granted_by
from .search import MAX_QUERY_LENGTH, clean_query, search_licenses

PUBLIC_STATUSES = [status for status in LicenseStatus if status != LicenseStatus.DRAFT]
EXPIRY_WINDOWS = (7, 30, 90, 180, 365)
MAX_EXPIRY_DAYS = 3660

# The list's orders: the `sort` parameter's values, each with its label and its ORDER BY (a tie-break on
# the number keeps pages stable). Without `sort`: newest first, or by relevance for a search, or the
# soonest end for "expiring within".
SORTS = {
    "number": (_("Number"), ("number",)),
    "title": (_("Title"), ("title", "number")),
    "term_end": (_("Last day, soonest first"), ("term_end", "number")),
    "-term_end": (_("Last day, latest first"), ("-term_end", "number")),
    "-changed": (_("Latest status change"), ("-status_changed_at", "number")),
}


class LicenseFilters:
    """The public license list's filters: search text, statuses (repeatable), data domain, grantor or
    division, and "in force and expiring within N days". `notes` says what was ignored and why."""

    FIELDS = ("q", "status", "domain", "grantor", "division", "expires_within")

    def __init__(self, params: QueryDict):
        self.params = params
        self.notes: list[str] = []
        # What was ignored, by parameter: the page notes it, a download refuses it (views/downloads.py).
        self.problems: dict[str, list[str]] = {}
        self.q = clean_query(params.get("q"))
        self.statuses = self._statuses(params.getlist("status"))
        self.domain = self._choice("domain", params.get("domain"), DataDomain.values, _("data domain"))
        public = access.public_licenses()
        co_granted = public.model.co_grantors.through.objects.filter(license__in=public)
        self.grantor_options = list(
            Authority.objects.filter(
                Q(pk__in=public.values("grantor_id")) | Q(pk__in=co_granted.values("authority_id"))
            ).order_by("division_code", "name")
        )
        self.grantor = self._grantor(params.get("grantor"))
        self.division = self._division(params.get("division"))
        self.expires_within = self._days(params.get("expires_within"))
        self.sort = self._choice("sort", params.get("sort"), SORTS, _("order"))

    # Reading --------------------------------------------------------------------------------------

    def _ignored(self, parameter, what, value, why) -> None:
        self.notes.append(
            _("The %(what)s “%(value)s” was ignored: %(why)s")
            % {"what": what, "value": str(value)[:MAX_QUERY_LENGTH], "why": why}
        )
        self.problems.setdefault(parameter, []).append(
            _("“%(value)s”: %(why)s") % {"value": str(value)[:MAX_QUERY_LENGTH], "why": why}
        )

    def _statuses(self, values: list[str]) -> list[LicenseStatus]:
        statuses = []
        for value in values:
            value = value.strip()
            if not value:
                continue
            if value in PUBLIC_STATUSES and LicenseStatus(value) not in statuses:
                statuses.append(LicenseStatus(value))
            elif value not in PUBLIC_STATUSES:
                self._ignored("status", _("status"), value, _("there is no such public status."))
        return statuses

    def _choice(self, parameter, value, known, what) -> str:
        value = (value or "").strip()
        if value and value not in known:
            self._ignored(parameter, what, value, _("there is no such choice."))
            return ""
        return value

    def _grantor(self, value) -> Authority | None:
        value = (value or "").strip()
        if not value:
            return None
        found = next((a for a in self.grantor_options if str(a.pk) == value), None)
        if found is None:
            self._ignored(
                "grantor", _("grantor"), value, _("no authority with this number has granted a license.")
            )
        return found

    def _division(self, value) -> str:
        code = normalize_division_code(value)
        if not code:
            return ""
        if not is_valid_division_code(code):
            self._ignored(
                "division", _("division code"), value, _("a division code has 6 digits, such as 330100.")
            )
            return ""
        return code

    def _days(self, value) -> int | None:
        value = (value or "").strip()
        if not value:
            return None
        days = whole_number(value, minimum=1, maximum=MAX_EXPIRY_DAYS)
        if days is None:
            self._ignored(
                "expires_within",
                _("expiry window"),
                value,
                _("give a number of days from 1 to %(max)s.") % {"max": MAX_EXPIRY_DAYS},
            )
            return None
        return days

    # Using --------------------------------------------------------------------------------------------

    @property
    def narrowed(self) -> bool:
        """Whether a filter other than the search text is in use."""
        return bool(self.statuses or self.domain or self.grantor or self.division or self.expires_within)

    @property
    def active(self) -> bool:
        return bool(self.q) or self.narrowed

    @property
    def query_string(self) -> str:
        """The filters in use as a query string, without what was ignored: for links that carry them
        (the list's "download these results")."""
        params = QueryDict(mutable=True)
        params.setlist("status", [status.value for status in self.statuses])
        for name, value in (
            ("q", self.q),
            ("domain", self.domain),
            ("grantor", self.grantor.pk if self.grantor else None),
            ("division", self.division),
            ("expires_within", self.expires_within),
        ):
            if value:
                params[name] = str(value)
        return params.urlencode()

    @property
    def domain_choices(self):
        return DataDomain.choices

    def apply(self, licenses: QuerySet) -> QuerySet:
        """`licenses` (already limited to what the visitor may see) narrowed by the filters."""
        licenses = search_licenses(licenses, self.q)
        if self.statuses:
            licenses = licenses.filter(status__in=self.statuses)
        if self.domain:
            licenses = licenses.covering_domain(self.domain)
        if self.grantor:
            licenses = licenses.filter(granted_by(Q(pk=self.grantor.pk)))
        if self.division:
            licenses = licenses.filter(
                granted_by(Q(division_code__startswith=division_prefix(self.division)))
            )
        if self.expires_within:
            licenses = status_counts.expiring_within(licenses, self.expires_within)
        if self.sort:
            # NULLs (an unpublished end) last, whichever the direction.
            licenses = licenses.order_by(
                *(
                    F(field[1:]).desc(nulls_last=True)
                    if field.startswith("-")
                    else F(field).asc(nulls_last=True)
                    for field in SORTS[self.sort][1]
                )
            )
        return licenses

    # The page's links: orders, and the filters in use, each removable ----------------------------------

    def _link(self, **changes) -> str:
        """The list's query string with `changes` (None removes a parameter; a pair removes one value of
        a repeated one), back on the first page."""
        params = self.params.copy()
        params.pop("page", None)
        for name in [name for name, values in params.lists() if not any(v.strip() for v in values)]:
            params.pop(name)  # what an empty form field sent
        for name, value in changes.items():
            if isinstance(value, tuple):
                params.setlist(name, [v for v in params.getlist(name) if v != value[1]])
            elif value is None:
                params.pop(name, None)
            else:
                params[name] = value
        query = params.urlencode()
        return f"?{query}" if query else "?"

    @property
    def sort_links(self) -> list[tuple[str, str, bool]]:
        """(label, link, current) of each order the list offers."""
        return [(label, self._link(sort=key), key == self.sort) for key, (label, _order) in SORTS.items()]

    @property
    def chips(self) -> list[tuple[str, str]]:
        """(what, link without it) of each filter in use: a chip the reader removes with one click."""
        chips = []
        if self.q:
            chips.append((_("Search: “%(q)s”") % {"q": self.q}, self._link(q=None)))
        for status in self.statuses:
            chips.append(
                (_("Status: %(status)s") % {"status": status.label}, self._link(status=("", status.value)))
            )
        if self.domain:
            chips.append(
                (
                    _("Data domain: %(domain)s") % {"domain": DataDomain(self.domain).label},
                    self._link(domain=None),
                )
            )
        if self.grantor:
            chips.append((_("Grantor: %(name)s") % {"name": self.grantor.name}, self._link(grantor=None)))
        if self.division:
            chips.append((_("Region: %(code)s") % {"code": self.division}, self._link(division=None)))
        if self.expires_within:
            chips.append(
                (
                    _("In force, ending within %(days)s days") % {"days": self.expires_within},
                    self._link(expires_within=None),
                )
            )
        return chips


def looks_like_uscc(text: str) -> bool:
    """Whether what was typed is meant as a USCC rather than a name: 18 letters and digits (in any width
    or spacing) whose 3rd to 8th characters, the region code, are digits. No name looks like that."""
    code = normalize_uscc(text)
    return len(code) == USCC_LENGTH and code.isascii() and code.isalnum() and code[2:8].isdigit()


class VerifyForm(forms.Form):
    """ "Is this entity licensed?": a name or USCC, optionally a data domain and a day. A valid form
    carries the verdict of licensing.verify, the same one the API gives."""

    q = forms.CharField(
        label=_("Name or unified social credit code (USCC)"),
        max_length=MAX_QUERY_LENGTH,
        help_text=_("For example 阿里健康, Ali Health or an 18-character USCC, in any spacing or width."),
        # Each error says what to type, not only that something is wrong.
        error_messages={"required": _("Enter the operator's name, or its 18-character USCC.")},
    )
    domain = forms.ChoiceField(
        label=_("Data domain (optional)"),
        required=False,
        choices=[("", _("Any data domain")), *DataDomain.choices],
        error_messages={"invalid_choice": _("Choose a data domain from the list, or “Any data domain”.")},
    )
    on = forms.DateField(
        label=_("On the day (optional)"),
        required=False,
        help_text=_("Leave empty for today. Format: 2025-10-01."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": _("Enter the day as year-month-day, for example 2025-10-01, or leave it empty.")
        },
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        text = data["q"]
        asked = {"uscc": text} if looks_like_uscc(text) else {"name": text}
        try:
            self.verdict = verify.verdict(**asked, domain=data.get("domain") or None, on=data.get("on"))
        except verify.QueryError as error:
            for parameter, messages in error.errors.items():
                field = "domain" if parameter == "domain" else "on" if parameter == "on" else "q"
                for message in messages:
                    self.add_error(field, str(message))
        return data


def saved_search_query(query: str) -> str:
    """A search of the list as it is saved: its filters in use, in one spelling ("" if none is)."""
    return LicenseFilters(QueryDict(query)).query_string


def saved_search_licenses(query: str) -> QuerySet:
    """The public licenses a saved search of the list (its query string) finds today."""
    return LicenseFilters(QueryDict(query)).apply(access.public_licenses())
