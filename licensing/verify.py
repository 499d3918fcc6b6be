"""The verdict "is this entity licensed, for what, until when", on a given day. The verify page and the
API give the same one.

An entity is found by its USCC (normalised first) or by a name or alias (compared under
identifiers.normalize_name). Only public licenses count (drafts never do); with a data domain, only
licenses covering it. Each license's state on the day comes from its history: the last status change
that took effect on or before it (its effective day as last corrected: LicenseEventQuerySet.
with_effective_day). For a day after today, the calendar is played forward:
a granted license whose term has started is in force, one whose term has passed has ended.
"""

import dataclasses
import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from . import access, compliance, disclosures, findings
from .choices import DataDomain, EventAction, LicenseParty, LicenseStatus
from .dates import local_today
from .identifiers import clean_uscc, normalize_uscc
from .models import Finding, License, LicenseEvent, Operator
from .models.licenses import load_co_grantors
from .search import operators_named

S = LicenseStatus
ENDED = (S.EXPIRED, S.RENEWED, S.REVOKED, S.TERMINATED)


class Headline(models.TextChoices):
    """The verdict's one-word answer, in order of precedence (the first that applies wins)."""

    LICENSED = "licensed", _("Licensed")
    SUSPENDED = "suspended", _("Suspended")
    NOT_YET_IN_FORCE = "not_yet_in_force", _("Granted, not yet in force")
    LISTED = "listed", _("Listed, not licensed yet")
    ENDED = "ended", _("License ended")
    WITHDRAWN_ONLY = "withdrawn_only", _("Listed, then withdrawn: never licensed")
    NO_LICENSE = "no_license", _("No license on record")

    @classmethod
    def precedence(cls, headline: str) -> int:
        """The headline's rank: 0 for the one that wins over all others."""
        return cls.values.index(headline)


class UntilReason(models.TextChoices):
    """Why a verdict gives no `until` day: nothing is in force on the day, or a license in force has a
    term whose end is not published (it is in force with no known last day)."""

    NOT_IN_FORCE = "not_in_force", _("No license is in force on the day.")
    TERM_END_NOT_PUBLISHED = (
        "term_end_not_published",
        _("A license in force has a term whose end is not published."),
    )


# A license in force that ends within this many days of the verdict's day "ends soon": the verdict says
# so before anything else it details.
ENDING_SOON_DAYS = 30

# The headline's label where a license is in force but the end of its term is not published.
LICENSED_TERM_NOT_PUBLISHED = _("Licensed, term not published")


_HEADLINE_OF_STATUS = {
    S.ACTIVE: Headline.LICENSED,
    S.SUSPENDED: Headline.SUSPENDED,
    S.GRANTED: Headline.NOT_YET_IN_FORCE,
    S.EXPIRED: Headline.ENDED,
    S.RENEWED: Headline.ENDED,
    S.REVOKED: Headline.ENDED,
    S.TERMINATED: Headline.ENDED,
    S.WITHDRAWN: Headline.WITHDRAWN_ONLY,
    S.LISTED: Headline.LISTED,  # a live listing, no grant yet: not licensed, and not withdrawn either
}


class QueryError(ValueError):
    """The question cannot be asked as given: the errors name the parameter at fault."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in errors.items()))
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class LicenseOnDay:
    license: License
    status: LicenseStatus
    # For an ended license: the day it ended and the action that ended it.
    ended_on: datetime.date | None = None
    ended_by: str = ""

    @property
    def in_force(self) -> bool:
        return self.status == S.ACTIVE

    @property
    def headline(self) -> str:
        return _HEADLINE_OF_STATUS[self.status]


@dataclasses.dataclass(frozen=True)
class Verdict:
    on: datetime.date
    uscc: str
    name: str
    domain: str
    operators: list[Operator]
    licenses: list[LicenseOnDay]
    headline: str
    # Compliance flags of the entity as of `flags_on` (today, whatever day the verdict is for): those of
    # the products of the licenses shown, its annual disclosures overdue, then those of the findings
    # against the entity.
    flags: list[compliance.Flag] = dataclasses.field(default_factory=list)
    flags_on: datetime.date | None = None

    @property
    def headline_label(self):
        if self.headline == Headline.LICENSED and self.until_reason == UntilReason.TERM_END_NOT_PUBLISHED:
            return LICENSED_TERM_NOT_PUBLISHED
        return Headline(self.headline).label

    @property
    def in_force(self) -> list[LicenseOnDay]:
        return [item for item in self.licenses if item.in_force]

    @property
    def until(self) -> datetime.date | None:
        """The last day covered by a license in force on the day; None when none is in force, or when one
        in force has a term whose end is not published (until_reason says which)."""
        ends = [item.license.term_end for item in self.in_force]
        return None if not ends or None in ends else max(ends)

    @property
    def until_reason(self) -> str | None:
        """Why `until` is None (UntilReason), or None when it is a day."""
        if not self.in_force:
            return UntilReason.NOT_IN_FORCE
        if any(item.license.term_end is None for item in self.in_force):
            return UntilReason.TERM_END_NOT_PUBLISHED
        return None

    @property
    def ending_soon(self) -> list[tuple[LicenseOnDay, int]]:
        """Licenses in force whose term ends within ENDING_SOON_DAYS of the day, soonest first, each with
        its days left (0 on its last day)."""
        soon = [
            (item, (item.license.term_end - self.on).days)
            for item in self.in_force
            if item.license.term_end and (item.license.term_end - self.on).days <= ENDING_SOON_DAYS
        ]
        return sorted(soon, key=lambda pair: pair[1])

    @property
    def found(self) -> bool:
        return bool(self.operators)


def verdict(
    uscc: str | None = None,
    name: str | None = None,
    domain: str | None = None,
    on: datetime.date | None = None,
) -> Verdict:
    """The verdict for one entity. Give a USCC or a name (a USCC wins where both are given)."""
    uscc, name, domain = (uscc or "").strip(), (name or "").strip(), (domain or "").strip()
    errors = {}
    if not uscc and not name:
        errors["uscc"] = [_("Give a USCC or a name.")]
    if uscc:
        try:
            uscc = clean_uscc(uscc)
        except Exception as error:
            errors["uscc"] = list(getattr(error, "messages", [str(error)]))
    if domain and domain not in DataDomain.values:
        errors["domain"] = [
            _("Unknown data domain %(domain)s; known: %(known)s.")
            % {"domain": domain, "known": ", ".join(DataDomain.values)}
        ]
    if errors:
        raise QueryError(errors)
    on = on or local_today()

    if uscc:
        operators = list(Operator.objects.filter(uscc=normalize_uscc(uscc)))
    else:
        operators = list(operators_named(name).order_by("name"))
    return _judge(operators, uscc=uscc, name=name, domain=domain, on=on)


def verdict_for(operator: Operator, on: datetime.date | None = None) -> Verdict:
    """The verdict for one known operator (its public page), whether or not it has a USCC."""
    return _judge([operator], uscc=operator.uscc, name="", domain="", on=on or local_today())


def _judge(operators: list[Operator], *, uscc: str, name: str, domain: str, on: datetime.date) -> Verdict:
    licenses = access.public_licenses(License.objects.filter(operator__in=operators))
    if domain:
        # A whole authorization (整体授权) covers every domain.
        licenses = licenses.covering_domain(domain)
    today = local_today()
    # A past day needs each license's whole status history; today or later only the ending events.
    events = LicenseEvent.objects.exclude(to_status="").with_effective_day()
    if on >= today:
        events = events.filter(to_status__in=ENDED)
        # For the calendar played forward: whether an ended term ends as renewed (_projected).
        licenses = licenses.annotate(
            has_live_successor=Exists(License.objects.live_successors_of(OuterRef("pk")))
        )
    licenses = licenses.select_related("grantor", "operator").prefetch_related(
        "data_domains",
        compliance.products_prefetch(),
        Prefetch(
            "events", queryset=events.order_by("effective_on", "created_at", "id"), to_attr="status_events"
        ),
    )
    licenses = load_co_grantors(list(licenses.flag_co_grantors().distinct()))
    states = [state for license in licenses if (state := _state_on(license, on, today))]
    # Licenses in force first, the one ending soonest at the top (the one a reader must act on); then
    # the others, the latest term first.
    states.sort(key=lambda item: (Headline.precedence(item.headline), _end_order(item, on)))
    headline = states[0].headline if states else Headline.NO_LICENSE
    flags = [flag for state in states for flag in compliance.license_flags(state.license, today)]
    # The entity's own annual disclosures overdue (the implementing body's are not the entity's to make).
    flags += disclosures.overdue_flags(
        [state.license for state in states], today, parties=[LicenseParty.OPERATOR]
    )
    # As for operators, a USCC wins over a name.
    against = findings.matching_entity(
        Finding.objects.all(), operators=operators, uscc=uscc, name="" if uscc else name
    )
    if domain:
        against = against.filter(Q(data_domain=domain) | Q(data_domain=""))
    against = list(against.order_by("published_on", "id"))
    found = compliance.finding_flags(against)
    flags += [flag for finding in against for flag in found[finding.pk]]
    return Verdict(
        on=on,
        uscc=uscc,
        name=name,
        domain=domain,
        operators=operators,
        licenses=states,
        headline=headline,
        flags=flags,
        flags_on=today,
    )


def _end_order(item: LicenseOnDay, on: datetime.date) -> int:
    end = (item.license.term_end or datetime.date.max).toordinal()
    return end if item.in_force else -(item.license.term_end or on).toordinal()


def _state_on(license: License, on: datetime.date, today: datetime.date) -> LicenseOnDay | None:
    """The license's state on `on`, or None if it was not yet on record (or only a draft) then."""
    if on >= today:
        status = _projected(license, on)
    else:
        status = None
        for event in license.status_events:
            if event.effective_on > on:
                break
            status = S(event.to_status)
        if status is None or status == S.DRAFT:
            return None
    if status == S.DRAFT:
        return None
    if status in ENDED:
        ending = next((e for e in reversed(license.status_events) if e.to_status == status), None)
        if ending is not None:
            return LicenseOnDay(license, status, ending.effective_on, str(EventAction(ending.action).label))
        # Projected into the future: it will have expired the day after its term.
        return LicenseOnDay(
            license, status, license.term_end + datetime.timedelta(days=1), str(EventAction.EXPIRE.label)
        )
    return LicenseOnDay(license, status)


def _projected(license: License, on: datetime.date) -> LicenseStatus:
    """Today's status, played forward to `on` by the calendar alone (`license` as _judge annotates it)."""
    status = S(license.status)
    if status == S.GRANTED and license.term_start and license.term_start <= on:
        status = S.ACTIVE
    if status in S.in_force() and license.term_end and license.term_end < on:
        status = S.RENEWED if license.has_live_successor else S.EXPIRED
    return status
