"""Annual disclosure duties: who owes which disclosure of which year, and what has been recorded.

The rule (NDA notice of 2026-02-10, see docs/disclosures.md): for each license in force during a year
(any day of it), two disclosures of that year's operation fall due on 31 March of the next year:
- the implementing body's: recipient, content, scope, term and price caps;
- the operator's: products and services, prices, and use of the data.

Duties are computed, never stored: from the licenses' terms and the calendar, so nothing is created when a
year ends and an amended term changes what is owed at once. A regulator records each disclosure made
(a Disclosure row); a duty without one is, on a day (a local day, Asia/Shanghai):
- pending: the year has ended, before 1 March;
- due: from 1 March to 31 March (reminders go out from 1 March);
- overdue: from 1 April on.
The first year owed is FIRST_YEAR: no disclosure is owed for earlier years.

The questions take licenses, so they are asked of any set: one license (license_duties), an operator's
(its licenses; the verdict flags its own overdue ones), an authority's (authority_licenses), a
jurisdiction's (access.managed_licenses, as the admin dashboard asks), as of any day.

"In force during a year" is read from the license as it stands: granted at some point (not draft, listed
or withdrawn), its term overlapping the year (a term whose end is not published is open-ended), and, for a
license revoked or terminated before its term ended, the day it was recorded as such after the year began
and after the term started. `in_force_during` (one license) and `in_force_during_q` (the database) are the
same rule; tests/test_disclosures.py holds them to each other.
"""

import dataclasses
import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access
from .choices import DutyState, FlagCode, LicenseParty, LicenseStatus
from .dates import local_today
from .exceptions import InvalidDisclosure
from .models import Disclosure, License
from .models.licenses import granted_by

S = LicenseStatus
P = LicenseParty

# The NDA's notice of 2026-02-10 first asks for the disclosure of 2025's operation.
FIRST_YEAR = 2025
DUE_MONTH, DUE_DAY = 3, 31
REMINDER_MONTH, REMINDER_DAY = 3, 1

# States of a license that was granted at some point (a license never granted was never in force).
GRANTED_AT_SOME_POINT = (S.GRANTED, S.ACTIVE, S.SUSPENDED, S.EXPIRED, S.RENEWED, S.REVOKED, S.TERMINATED)
# States in which a license may have ended before its term did: the day it was recorded ends it.
ENDED_EARLY = (S.REVOKED, S.TERMINATED)

# What each party's disclosure covers, as the pages and emails say it.
CONTENTS = {
    P.IMPLEMENTING_BODY: _("recipient, content, scope, term and price caps of the authorization"),
    P.OPERATOR: _("products and services, prices, and use of the data"),
}


def due_on(year: int) -> datetime.date:
    """The last day to disclose `year`'s operation: 31 March of the next year."""
    return datetime.date(year + 1, DUE_MONTH, DUE_DAY)


def reminders_from(year: int) -> datetime.date:
    return datetime.date(year + 1, REMINDER_MONTH, REMINDER_DAY)


def last_overdue_year(on: datetime.date) -> int:
    """The latest year whose disclosures are overdue on `on` (31 March is still in time)."""
    return on.year - 1 if on > due_on(on.year - 1) else on.year - 2


# In force during a year ------------------------------------------------------------------------------


def in_force_during(license: License, year: int) -> bool:
    """Whether `license` was in force on some day of `year` (see the module's note)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if license.status not in GRANTED_AT_SOME_POINT or license.term_start is None:
        return False
    if license.term_start > last or (license.term_end is not None and license.term_end < first):
        return False
    if license.status in ENDED_EARLY:
        ended = timezone.localdate(license.status_changed_at)
        return ended > first and ended > license.term_start
    return True


def in_force_during_q(year: int, prefix: str = "") -> Q:
    """The database's form of in_force_during, for licenses under `prefix` (as "license__")."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def q(**lookups) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    # The day recorded, as a local day, after both the year's first day and the term's start.
    ended_in_time = q(status_changed_at__date__gt=first) & Q(
        **{f"{prefix}status_changed_at__date__gt": F(f"{prefix}term_start")}
    )
    return (
        q(status__in=GRANTED_AT_SOME_POINT, term_start__lte=last)
        & (q(term_end__isnull=True) | q(term_end__gte=first))
        & (~q(status__in=ENDED_EARLY) | ended_in_time)
    )


def years_in_force(license: License, until: int) -> list[int]:
    """The years from FIRST_YEAR to `until` (inclusive) in which `license` was in force."""
    if license.term_start is None:
        return []
    start = max(FIRST_YEAR, license.term_start.year)
    return [year for year in range(start, until + 1) if in_force_during(license, year)]


# Duties ----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Duty:
    """One party's disclosure of one year of one license, as it stands on `on`."""

    license: License
    year: int
    party: str
    state: str
    on: datetime.date
    disclosure: Disclosure | None = None

    @property
    def due_on(self) -> datetime.date:
        return due_on(self.year)

    @property
    def party_label(self) -> str:
        return str(P(self.party).label)

    @property
    def state_label(self) -> str:
        return str(DutyState(self.state).label)

    @property
    def contents(self) -> str:
        return str(CONTENTS[P(self.party)])

    @property
    def overdue(self) -> bool:
        return self.state == DutyState.OVERDUE


def state_on(year: int, disclosure: Disclosure | None, on: datetime.date) -> DutyState:
    if disclosure is not None and disclosure.disclosed_on <= on:
        return DutyState.DONE
    if on > due_on(year):
        return DutyState.OVERDUE
    if on >= reminders_from(year):
        return DutyState.DUE
    return DutyState.PENDING


def duties_of(licenses: Iterable[License], on: datetime.date | None = None) -> dict[int, list[Duty]]:
    """Each license's duties on `on` (default today), by its id, latest year first: every year it was in
    force that has ended, both parties. One query for the disclosures of all of them, none when none owes
    anything."""
    on = on or local_today()
    licenses = list(licenses)
    years = {license.pk: years_in_force(license, on.year - 1) for license in licenses}
    recorded: dict[tuple, Disclosure] = {}
    wanted = [pk for pk, owed in years.items() if owed]
    if wanted:
        for disclosure in Disclosure.objects.filter(license_id__in=wanted):
            recorded[(disclosure.license_id, disclosure.year, disclosure.party)] = disclosure
    found = {}
    for license in licenses:
        found[license.pk] = [
            Duty(license, year, party, state_on(year, found_one, on), on, found_one)
            for year in reversed(years[license.pk])
            for party in P.values
            for found_one in [recorded.get((license.pk, year, party))]
        ]
    return found


def license_duties(license: License, on: datetime.date | None = None) -> list[Duty]:
    return duties_of([license], on)[license.pk]


def overdue_q(on: datetime.date | None = None, prefix: str = "") -> Q:
    """Licenses (under `prefix`, as "license__") with a disclosure overdue on `on`: for some year from
    FIRST_YEAR to the last overdue one, in force then and missing one party's disclosure. A condition per
    year, so it grows by one a year, not with the licenses."""
    on = on or local_today()
    condition = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
    for year in range(FIRST_YEAR, last_overdue_year(on) + 1):
        missing = Q()
        for party in P.values:
            made = Disclosure.objects.filter(
                license=OuterRef(f"{prefix}pk"), year=year, party=party, disclosed_on__lte=on
            )
            missing |= ~Exists(made)
        condition |= in_force_during_q(year, prefix) & missing
    return condition


def overdue_licenses(queryset: QuerySet, on: datetime.date | None = None, *, overdue: bool = True):
    """Licenses of `queryset` with (or, overdue=False, without) a disclosure overdue on `on`."""
    condition = overdue_q(on)
    return queryset.filter(condition if overdue else ~condition)


def overdue_duties(queryset: QuerySet, on: datetime.date | None = None, limit: int = 50) -> list[Duty]:
    """The overdue duties of the licenses of `queryset` (up to `limit` licenses, by number), oldest year
    first: two queries."""
    on = on or local_today()
    licenses = list(
        overdue_licenses(queryset, on)
        .select_related("grantor", "implementing_body", "operator")
        .order_by("number")[:limit]
    )
    found = duties_of(licenses, on)
    duties = [duty for license in licenses for duty in found[license.pk] if duty.overdue]
    return sorted(duties, key=lambda duty: (duty.year, duty.license.number or "", duty.party))


def authority_licenses(authority, queryset: QuerySet | None = None) -> QuerySet:
    """Public licenses an authority answers for: granted by it (lead or co-grantor) or implemented by it."""
    queryset = access.public_licenses(queryset)
    return queryset.filter(granted_by(Q(pk=authority.pk)) | Q(implementing_body=authority))


def overdue_flags(licenses: Iterable[License], on: datetime.date | None = None, parties=None) -> list:
    """Compliance flags (code disclosure_overdue) of the overdue duties of `licenses`, of `parties` (all by
    default): one query, none when no license owes a year that is overdue."""
    on = on or local_today()
    owing = [license for license in licenses if years_in_force(license, last_overdue_year(on))]
    found = duties_of(owing, on) if owing else {}
    return duty_flags([duty for license in owing for duty in found[license.pk]], parties)


def duty_flags(duties: Iterable[Duty], parties=None) -> list:
    """The flags of the overdue ones of `duties` (of `parties`, all by default), oldest year first."""
    from .compliance import Flag  # compliance explains the flags; this module finds them

    parties = set(parties or P.values)
    return [
        Flag(
            FlagCode.DISCLOSURE_OVERDUE,
            duty.party,
            license_number=duty.license.number or duty.license.reference,
            day=duty.due_on,
            year=duty.year,
        )
        for duty in sorted(duties, key=lambda duty: (duty.year, duty.license.pk, duty.party))
        if duty.overdue and duty.party in parties
    ]


# Recording -------------------------------------------------------------------------------------------

DISCLOSURE_FIELDS = ("year", "party", "disclosed_on", "url", "summary", "origin")


def check_disclosure(license: License, fields: dict) -> Disclosure:
    """The disclosure `fields` describe, validated (InvalidDisclosure names the fields at fault), unsaved."""
    unknown = sorted(set(fields) - set(DISCLOSURE_FIELDS))
    if unknown:
        raise InvalidDisclosure({field: [str(_("This field cannot be set here."))] for field in unknown})
    disclosure = Disclosure(license=license, **fields)
    errors: dict[str, list[str]] = {}
    try:
        disclosure.full_clean(
            exclude=["license", "recorded_by"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        errors = {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    today = local_today()
    year, day = disclosure.year, disclosure.disclosed_on
    if "year" not in errors and year is not None:
        if year < FIRST_YEAR:
            errors["year"] = [
                str(_("No disclosure is owed for %(year)s: the annual duty starts with %(first)s."))
                % {"year": year, "first": FIRST_YEAR}
            ]
        elif year >= today.year:
            errors["year"] = [
                str(_("%(year)s has not ended: its operation is disclosed from %(day)s on."))
                % {"year": year, "day": datetime.date(year + 1, 1, 1).isoformat()}
            ]
        elif not in_force_during(license, year):
            errors["year"] = [
                str(_("License %(number)s was not in force during %(year)s: it owes no disclosure for it."))
                % {"number": license.number or license.reference, "year": year}
            ]
    if "disclosed_on" not in errors and day is not None:
        if day > today:
            errors["disclosed_on"] = [str(_("A disclosure cannot be dated in the future."))]
        elif year is not None and "year" not in errors and day.year <= year:
            errors["disclosed_on"] = [
                str(_("A disclosure of %(year)s is made after the year has ended.")) % {"year": year}
            ]
    if not errors and Disclosure.objects.filter(license=license, year=year, party=disclosure.party).exists():
        errors["party"] = [duplicate_message(license, year, disclosure.party)]
    if errors:
        raise InvalidDisclosure(errors)
    return disclosure


def duplicate_message(license: License, year: int, party: str) -> str:
    return str(_("The %(party)s's disclosure of %(year)s for license %(number)s is already recorded.")) % {
        "party": str(P(party).label).lower(),
        "year": year,
        "number": license.number or license.reference,
    }


def record_disclosure(license: License, *, actor, **fields) -> Disclosure:
    """Record that a party disclosed a year's operation of `license`. Who may is the caller's to check
    (access.can_record_disclosures)."""
    disclosure = check_disclosure(license, fields)
    disclosure.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            disclosure.save()
    except IntegrityError:
        # Recorded by someone else between the check and the insert.
        raise InvalidDisclosure(
            {"party": [duplicate_message(license, disclosure.year, disclosure.party)]}
        ) from None
    return disclosure


__all__ = [
    "FIRST_YEAR",
    "Duty",
    "check_disclosure",
    "due_on",
    "duties_of",
    "duty_flags",
    "in_force_during",
    "in_force_during_q",
    "license_duties",
    "overdue_duties",
    "overdue_flags",
    "overdue_licenses",
    "overdue_q",
    "record_disclosure",
]
