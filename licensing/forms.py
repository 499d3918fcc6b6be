"""What a visitor asks the public pages: the license list's filters and the verify question.

Both read the query string, so that every answer has a link. A filter value that cannot be used (an
unknown status, a word where a number belongs) is dropped with a note saying so: a page never fails on
what someone typed into its address.
"""

from django import forms
from django.db.models import Q, QuerySet
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


class LicenseFilters:
    """The public license list's filters: search text, statuses (repeatable), data domain, grantor or
    division, and "in force and expiring within N days". `notes` says what was ignored and why."""

    FIELDS = ("q", "status", "domain", "grantor", "division", "expires_within")

    def __init__(self, params: QueryDict):
        self.notes: list[str] = []
        self.q = clean_query(params.get("q"))
        self.statuses = self._statuses(params.getlist("status"))
        self.domain = self._choice(params.get("domain"), DataDomain.values, _("data domain"))
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

    # Reading --------------------------------------------------------------------------------------

    def _ignored(self, what, value, why) -> None:
        self.notes.append(
            _("The %(what)s “%(value)s” was ignored: %(why)s")
            % {"what": what, "value": str(value)[:MAX_QUERY_LENGTH], "why": why}
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
                self._ignored(_("status"), value, _("there is no such public status."))
        return statuses

    def _choice(self, value, known, what) -> str:
        value = (value or "").strip()
        if value and value not in known:
            self._ignored(what, value, _("there is no such choice."))
            return ""
        return value

    def _grantor(self, value) -> Authority | None:
        value = (value or "").strip()
        if not value:
            return None
        found = next((a for a in self.grantor_options if str(a.pk) == value), None)
        if found is None:
            self._ignored(_("grantor"), value, _("no authority with this number has granted a license."))
        return found

    def _division(self, value) -> str:
        code = normalize_division_code(value)
        if not code:
            return ""
        if not is_valid_division_code(code):
            self._ignored(_("division code"), value, _("a division code has 6 digits, such as 330100."))
            return ""
        return code

    def _days(self, value) -> int | None:
        value = (value or "").strip()
        if not value:
            return None
        days = whole_number(value, minimum=1, maximum=MAX_EXPIRY_DAYS)
        if days is None:
            self._ignored(
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
            return status_counts.expiring_within(licenses, self.expires_within)
        return licenses


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
    )
    domain = forms.ChoiceField(
        label=_("Data domain (optional)"),
        required=False,
        choices=[("", _("Any data domain")), *DataDomain.choices],
    )
    on = forms.DateField(
        label=_("On the day (optional)"),
        required=False,
        help_text=_("Leave empty for today. Format: 2025-10-01."),
        widget=forms.DateInput(attrs={"type": "date"}),
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
