"""The one way a license changes: creation, status transitions, edits, renewal and corrections.

Admin, API, sweep and commands all call these functions. Each one locks the license row, checks the
version the caller saw, writes the change and its LicenseEvent in one transaction, and announces the
change (signals.license_changed) only after the transaction commits (the toolkit for that is
licensing.writes). The sweep's activations and expiries go through sweep.transition_due, which applies
transition()'s checks (target_status) to many rows at once.
"""

import datetime
import decimal
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import writes
from .choices import EventAction, LicenseAction, LicenseStatus
from .dates import local_today
from .exceptions import (
    ActionNotAllowed,
    InvalidLicense,
    LicenseClosed,
    LicensingError,
    NotDue,
    ReasonRequired,
    StaleVersion,
    UnknownAction,
)
from .models import Authority, Domain, License, LicenseEvent

S, A = LicenseStatus, LicenseAction

# action -> (the states it may start from, the state it leads to). Expire leads to `renewed` instead
# where a successor exists (see target_status).
TRANSITIONS: dict[LicenseAction, tuple[frozenset[LicenseStatus], LicenseStatus]] = {
    A.LIST: (frozenset({S.DRAFT}), S.LISTED),
    A.GRANT: (frozenset({S.DRAFT, S.LISTED}), S.GRANTED),
    A.ACTIVATE: (frozenset({S.GRANTED}), S.ACTIVE),
    A.SUSPEND: (frozenset({S.ACTIVE}), S.SUSPENDED),
    A.REINSTATE: (frozenset({S.SUSPENDED}), S.ACTIVE),
    A.WITHDRAW: (frozenset({S.DRAFT, S.LISTED, S.GRANTED}), S.WITHDRAWN),
    A.REVOKE: (frozenset({S.GRANTED, S.ACTIVE, S.SUSPENDED}), S.REVOKED),
    A.TERMINATE: (frozenset({S.ACTIVE, S.SUSPENDED}), S.TERMINATED),
    A.EXPIRE: (frozenset({S.ACTIVE, S.SUSPENDED}), S.EXPIRED),
}

REASON_REQUIRED = frozenset({A.WITHDRAW, A.SUSPEND, A.REINSTATE, A.REVOKE, A.TERMINATE})

# The actions a license's term makes due, which the registry takes itself (the sweep, transition_due).
TERM_ACTIONS = frozenset({A.ACTIVATE, A.EXPIRE})

# Fields a caller may set through create_license and edit; the rest belong to the services.
EDITABLE_FIELDS = (
    "title",
    "grantor",
    "co_grantors",
    "implementing_body",
    "operator",
    "data_domains",
    "authorization_mode",
    "scope",
    "selection_method",
    "term_start",
    "term_end",
    "term_approximate",
    "term_exception_reason",
    "signed_on",
    "filed_on",
    "consideration",
    "consideration_note",
    "legal_basis",
    "source_urls",
    "remarks",
    "origin",
)


def allowed_actions(status: str) -> list[LicenseAction]:
    """The actions allowed from `status`, in the table's order."""
    return [action for action, (sources, _target) in TRANSITIONS.items() if status in sources]


def create_license(*, actor, occurred_on: datetime.date | None = None, **fields) -> License:
    """A new draft license with its reference (no public number yet), and its `create` event."""
    _check_field_names(fields)
    occurred_on = check_occurred_on(occurred_on)
    fields = dict(fields)
    domains = fields.pop("data_domains", [])
    co_grantors = fields.pop("co_grantors", [])
    license = License(**fields)
    with transaction.atomic():
        domain_rows = _domain_rows(domains)
        # No number yet: a draft has only its reference; the number comes when it leaves draft (_apply).
        _validate(license, LicenseStatus.DRAFT, domains=domain_rows, exclude=["number"])
        co_grantors = _check_co_grantors(license, co_grantors)
        license.save()
        license.data_domains.set(domain_rows)
        if co_grantors:
            license.co_grantors.add(*co_grantors)
        event = writes.record(
            license,
            EventAction.CREATE,
            from_status="",
            to_status=license.status,
            actor=actor,
            occurred_on=occurred_on,
        )
        writes.announce(license, [event])
    return license


def transition(
    license: License,
    action: str,
    *,
    actor,
    reason: str = "",
    expected_version: int | None = None,
    occurred_on: datetime.date | None = None,
) -> License:
    """Apply a lifecycle action to one license (transition_due is the same for many, for the sweep).

    `expected_version` is the version the caller saw (None only for the registry's own sweep, which
    re-checks the state under the lock instead). A grant whose term has already started activates at
    once, as a second event (and expires as a third where the term has also ended). Returns the license
    as saved; the caller's instance is updated too.
    """
    action = parse_action(action)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = writes.lock(license, expected_version)
        if occurred_on is None:
            # activate and expire take effect on the day the term makes them due; the rest today.
            occurred_on = due_on(locked, action) if action in TERM_ACTIONS else None
        last = _last_public_day(locked)
        events = [_apply(locked, action, actor=actor, reason=reason, occurred_on=occurred_on, last=last)]
        today = local_today()
        if action == A.GRANT and locked.term_start <= today:
            # Each event on its true day: the activation on the term's first day (or the grant's, if
            # granted later), the expiry, where the term is over, on the day after its last.
            activated_on = max(events[0].occurred_on, locked.term_start)
            events.append(
                _apply(locked, A.ACTIVATE, actor=actor, reason="", occurred_on=activated_on, last=last)
            )
            if locked.term_end is not None and locked.term_end < today:
                expired_on = locked.term_end + datetime.timedelta(days=1)
                events.append(
                    _apply(locked, A.EXPIRE, actor=actor, reason="", occurred_on=expired_on, last=last)
                )
        writes.announce(locked, events)
    writes.refresh(license, locked)
    return license


def due_on(license: License, action: LicenseAction) -> datetime.date | None:
    """The day the term made `action` due: None where the license has no such term (it is refused)."""
    if action == A.ACTIVATE:
        return license.term_start
    return license.term_end + datetime.timedelta(days=1) if license.term_end else None


def edit(
    license: License,
    changes: dict,
    *,
    actor,
    expected_version: int,
    reason: str = "",
    occurred_on: datetime.date | None = None,
) -> License:
    """Change a license's fields, recording the diff as an event.

    Draft and listed licenses are edited freely; granted, active and suspended ones only by an
    amendment with a reason; ended ones not at all. A change that changes nothing writes nothing.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = writes.lock(license, expected_version)
        diff, domains = _prepare_edit(locked, changes, reason)
        if not diff:
            writes.refresh(license, locked)
            return license
        occurred_on = check_occurred_on(occurred_on, license=locked)
        writes.save(locked, [field for field in diff if field not in ("data_domains", "co_grantors")])
        if "data_domains" in diff:
            locked.data_domains.set(domains)
        if "co_grantors" in diff:
            locked.co_grantors.set(changes["co_grantors"])
        event = writes.record(
            locked,
            EventAction.AMEND if locked.status in LicenseStatus.amendable() else EventAction.EDIT,
            from_status=locked.status,
            to_status=locked.status,
            actor=actor,
            reason=reason,
            changes=diff,
            occurred_on=occurred_on,
        )
        writes.announce(locked, [event])
    writes.refresh(license, locked)
    return license


def check_edit(
    license: License,
    changes: dict,
    *,
    expected_version: int,
    reason: str = "",
    occurred_on: datetime.date | None = None,
) -> dict:
    """Raise what edit() would raise for these changes, without writing; return the diff it would record.

    For forms that show every problem before anything is attempted. The write itself still goes
    through edit(), which checks again under the lock.
    """
    current = License.objects.select_related("grantor").get(pk=license.pk)
    if current.version != expected_version:
        raise StaleVersion(expected_version, current.version)
    diff = _prepare_edit(current, changes, (reason or "").strip())[0]
    if diff:
        check_occurred_on(occurred_on, license=current)
    return diff


def check_create(*, occurred_on: datetime.date | None = None, **fields) -> None:
    """Raise what create_license() would raise for these fields, without writing."""
    check_occurred_on(occurred_on)
    _check_field_names(fields)
    fields = dict(fields)
    domains = _domain_rows(fields.pop("data_domains", []))
    co_grantors = fields.pop("co_grantors", [])
    license = License(**fields)
    _validate(license, LicenseStatus.DRAFT, domains=domains, exclude=["number"])
    _check_co_grantors(license, co_grantors)


def renew(
    license: License,
    *,
    term_end: datetime.date,
    actor,
    expected_version: int,
    term_start: datetime.date | None = None,
    term_exception_reason: str = "",
    reason: str = "",
    occurred_on: datetime.date | None = None,
) -> License:
    """Renew an active license: create its successor, granted, for the term that follows it.

    The successor's term starts the day after the predecessor's ends (no gap, no overlap); the
    predecessor stays active until its term ends, and the sweep then ends it as `renewed` before it
    activates the successor.
    A renewal recorded late, of a license that has expired since, is taken where it took effect
    (`occurred_on`) while the term ran: the license then ends as `renewed` on the day its expiry was
    recorded for (a second event that day; the first stays in the history).
    Returns the successor.
    """
    with transaction.atomic():
        locked = writes.lock(license, expected_version)
        late_floor = _late_renewal_floor(locked, occurred_on)
        if locked.status != LicenseStatus.ACTIVE and late_floor is None:
            raise ActionNotAllowed(
                EventAction.RENEW, LicenseStatus(locked.status), allowed_actions(locked.status)
            )
        if locked.term_end is None:
            # The successor starts the day after this term ends: that day must be known first.
            raise InvalidLicense(
                {
                    "term_end": [
                        _(
                            "The end of the current term is not published: record it (an amendment) "
                            "before renewing the license."
                        )
                    ]
                }
            )
        occurred_on = check_occurred_on(occurred_on, license=locked, last=late_floor)
        existing = License.objects.live_successors_of(locked).only("number").first()
        if existing is not None:
            raise LicenseClosed(
                _("The license was already renewed by %(number)s.") % {"number": existing.number}
            )
        follows = locked.term_end + datetime.timedelta(days=1)
        if term_start is None:
            term_start = follows
        if term_start != follows:
            raise InvalidLicense(
                {
                    "term_start": [
                        _("A renewal starts the day after the current term ends: %(day)s.")
                        % {"day": follows.isoformat()}
                    ]
                }
            )
        successor = License(
            title=locked.title,
            grantor=locked.grantor,
            implementing_body=locked.implementing_body,
            operator=locked.operator,
            authorization_mode=locked.authorization_mode,
            scope=locked.scope,
            selection_method=locked.selection_method,
            legal_basis=locked.legal_basis,
            source_urls=locked.source_urls,
            origin=locked.origin,
            term_start=term_start,
            term_end=term_end,
            term_exception_reason=term_exception_reason,
            status=LicenseStatus.GRANTED,
            predecessor=locked,
        )
        domains = list(locked.data_domains.all())
        _validate(successor, LicenseStatus.GRANTED, domains=domains, exclude=["number", "predecessor"])
        successor.number = License.allocate_number(locked.grantor.division_code, occurred_on.year)
        successor.save()
        successor.data_domains.set(domains)
        # The same authorities grant the renewal jointly.
        if co_grantors := list(locked.co_grantors.all()):
            successor.co_grantors.add(*co_grantors)
        events = [
            writes.record(
                successor,
                EventAction.GRANT,
                from_status="",
                to_status=LicenseStatus.GRANTED,
                actor=actor,
                reason=reason,
                changes={"predecessor": [None, locked.number]},
                occurred_on=occurred_on,
            )
        ]
        was = LicenseStatus(locked.status)
        if late_floor is not None:
            locked.status, locked.status_changed_at = S.RENEWED, timezone.now()
        writes.save(locked, ["status", "status_changed_at"] if late_floor is not None else [])
        predecessor_events = [
            writes.record(
                locked,
                EventAction.RENEW,
                # In force on the day it was renewed, whenever that is recorded.
                from_status=S.ACTIVE,
                to_status=S.ACTIVE,
                actor=actor,
                reason=reason,
                changes={"successor": [None, successor.number]},
                occurred_on=occurred_on,
            )
        ]
        if late_floor is not None:
            predecessor_events.append(
                writes.record(
                    locked,
                    EventAction.EXPIRE,
                    from_status=was,
                    to_status=S.RENEWED,
                    actor=actor,
                    occurred_on=locked.term_end + datetime.timedelta(days=1),
                )
            )
        writes.announce(locked, predecessor_events)
        writes.announce(successor, events)
    writes.refresh(license, locked)
    return successor


# Effective days and corrections ----------------------------------------------------------------------
#
# Every event has the day it took effect (`occurred_on`, what the sources say) besides the moment it was
# recorded (`created_at`). The rules below keep a license's public history in order; admin, API, sweep
# and commands all go through them. Events of the draft stage (creation and edits while a draft) record
# the regulator's typing and are not public: they do not order anything, so a license typed in today can
# still be listed or granted on a day years ago. Every later event takes effect on or after the one
# before it. Corrections (`correct` events) are not acts of their own: they move the act they correct.


def check_occurred_on(
    occurred_on: datetime.date | None,
    *,
    license: License | None = None,
    action: LicenseAction | None = None,
    last: datetime.date | None = None,
) -> datetime.date:
    """The effective day of a new event of `license` (today when None), or InvalidLicense naming
    `occurred_on`: not in the future; not before the license's last public event (`last`, read here
    when not given); an activation not before the term's start; an expiry on the day after the term's
    last day; a grant not after it."""
    today = local_today()
    day = occurred_on or today
    errors = []
    if day > today:
        errors.append(
            _("The effective day cannot be in the future (today is %(today)s).")
            % {"today": today.isoformat()}
        )
    elif license is not None and license.pk is not None and license.status != S.DRAFT:
        last = last if last is not None else _last_public_day(license)
        if last is not None and day < last:
            errors.append(
                _("The effective day cannot be before the license's previous event (%(day)s).")
                % {"day": last.isoformat()}
            )
    if license is not None:
        errors += _term_day_errors(license, action, day)
    if errors:
        raise InvalidLicense({"occurred_on": [str(error) for error in errors]})
    return day


def _term_day_errors(license: License, action, day: datetime.date) -> list:
    if action == A.ACTIVATE and license.term_start and day < license.term_start:
        return [
            _("A license comes into force on or after its term's first day (%(day)s).")
            % {"day": license.term_start.isoformat()}
        ]
    if action == A.EXPIRE and license.term_end and day != license.term_end + datetime.timedelta(days=1):
        return [
            _("A license expires on the day after its term's last day: %(day)s.")
            % {"day": (license.term_end + datetime.timedelta(days=1)).isoformat()}
        ]
    if action == A.GRANT and license.term_end and day > license.term_end:
        return [
            _(
                "A grant after its term's last day (%(day)s) would never be in force: give the day it "
                "was granted, or check the term."
            )
            % {"day": license.term_end.isoformat()}
        ]
    return []


def _ordering_events(licenses):
    """The events that order a license's public history: not those of the draft stage, not corrections."""
    return (
        LicenseEvent.objects.filter(license__in=licenses)
        .exclude(to_status=S.DRAFT)
        .exclude(action=EventAction.CORRECT)
        .with_effective_day()
    )


def _last_public_day(license: License) -> datetime.date | None:
    return last_public_days([license.pk]).get(license.pk)


def last_public_days(pks) -> dict[int, datetime.date]:
    """The effective day of the latest public event of each license of `pks`; one query."""
    rows = _ordering_events(pks).order_by().values("license_id").annotate(last=Max("effective_on"))
    return {row["license_id"]: row["last"] for row in rows}


def _late_renewal_floor(locked: License, occurred_on: datetime.date | None) -> datetime.date | None:
    """Where `locked` has expired and a renewal is recorded as having taken effect while its term ran:
    the effective day of its last public event before the expiry, which the renewal may not precede.
    None where this is no late renewal (the expiry must be the license's last public event)."""
    if (
        locked.status != S.EXPIRED
        or occurred_on is None
        or not locked.term_end
        or occurred_on > locked.term_end
    ):
        return None
    latest = list(_ordering_events([locked.pk]).order_by("-id")[:2])
    if len(latest) < 2 or latest[0].action != EventAction.EXPIRE:
        return None
    return latest[1].effective_on


def correct_event(
    event: LicenseEvent,
    *,
    actor,
    reason: str,
    expected_version: int,
    occurred_on: datetime.date | None = None,
    corrected_reason: str | None = None,
) -> LicenseEvent:
    """Correct the effective day (`occurred_on`) or the reason (`corrected_reason`) of an earlier public
    event of a license, giving `reason`: a new `correct` event naming it, which pages, feeds, the API and
    verdicts then follow. The event corrected stays as it was recorded (events are append-only). The
    corrected day obeys the rules of a new one against the events before and after the one corrected.
    The license's version goes up by one. Returns the correction, with its effective day resolved.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Give the reason for the correction."))
    with transaction.atomic():
        locked = writes.lock(event.license, expected_version)
        original = LicenseEvent.objects.with_effective_day().filter(pk=event.pk, license=locked).first()
        if original is None or original.action == EventAction.CORRECT or original.to_status == S.DRAFT:
            raise InvalidLicense(
                {
                    "event": [
                        _(
                            "Only a public event of this license can be corrected (not one of its draft "
                            "stage, nor a correction: correct the event itself again)."
                        )
                    ]
                }
            )
        current_reason = original.reason
        if original.corrected_by_id is not None:
            latest = LicenseEvent.objects.get(pk=original.corrected_by_id)
            current_reason = latest.changes.get("reason", [None, current_reason])[1]
        day = occurred_on or original.effective_on
        changes = {}
        if day != original.effective_on:
            _check_corrected_day(locked, original, day)
            changes["occurred_on"] = [original.effective_on.isoformat(), day.isoformat()]
        if corrected_reason is not None and corrected_reason.strip() != current_reason:
            changes["reason"] = [current_reason, corrected_reason.strip()]
        if not changes:
            raise InvalidLicense(
                {"occurred_on": [_("Nothing to correct: give another effective day or another reason.")]}
            )
        writes.save(locked, [])
        correction = writes.new_event(
            locked,
            EventAction.CORRECT,
            from_status="",
            to_status="",
            actor=actor,
            reason=reason,
            changes=changes,
            occurred_on=day,
        )
        correction.corrects = original
        correction.save(force_insert=True)
        writes.announce(locked, [correction])
    writes.refresh(event.license, locked)
    return LicenseEvent.objects.with_effective_day().select_related("license").get(pk=correction.pk)


def _check_corrected_day(locked: License, original: LicenseEvent, day: datetime.date) -> None:
    """The corrected day keeps the history in order: between the days of the public events recorded
    just before and just after the one corrected, and within the term's rules for its action."""
    today = local_today()
    errors = []
    if day > today:
        errors.append(
            _("The effective day cannot be in the future (today is %(today)s).")
            % {"today": today.isoformat()}
        )
    events = _ordering_events([locked.pk]).order_by("id")
    before = events.filter(id__lt=original.pk).order_by("-id").first()
    after = events.filter(id__gt=original.pk).first()
    if before is not None and day < before.effective_on:
        errors.append(
            _("The effective day cannot be before the event that precedes it (%(day)s).")
            % {"day": before.effective_on.isoformat()}
        )
    if after is not None and day > after.effective_on:
        errors.append(
            _("The effective day cannot be after the event that follows it (%(day)s).")
            % {"day": after.effective_on.isoformat()}
        )
    errors += _term_day_errors(locked, original.action, day)
    if errors:
        raise InvalidLicense({"occurred_on": [str(error) for error in errors]})


# Internals -------------------------------------------------------------------------------------------


def _prepare_edit(current: License, changes: dict, reason: str) -> tuple[dict, list | None]:
    """Apply `changes` to `current` in memory and validate them: the diff and the new domain rows."""
    _check_field_names(changes)
    if current.is_terminal:
        raise LicenseClosed(
            _("The license has ended (%(status)s): it can no longer be changed.")
            % {"status": current.get_status_display()}
        )
    if current.status in LicenseStatus.amendable() and not reason:
        raise ReasonRequired(
            _("A %(status)s license is changed by an amendment: give its reason.")
            % {"status": current.get_status_display().lower()}
        )
    changes = dict(changes)
    domains = _domain_rows(changes.pop("data_domains")) if "data_domains" in changes else None
    co_grantors = changes.pop("co_grantors", None)
    diff = {}
    for field, value in changes.items():
        before = writes.jsonable(getattr(current, field))
        model_field = License._meta.get_field(field)
        if not model_field.is_relation:
            # Compare stored forms: "100" and Decimal("100.00") are the same consideration.
            try:
                value = model_field.to_python(value)
            except ValidationError as error:
                raise InvalidLicense({field: error.messages}) from None
            if isinstance(value, decimal.Decimal) and value.is_finite():
                value = value.quantize(decimal.Decimal(1).scaleb(-model_field.decimal_places))
        setattr(current, field, value)
        after = writes.jsonable(getattr(current, field))
        if before != after:
            diff[field] = [before, after]
    _check_term_change(current, diff)
    if domains is not None:
        before = sorted(current.data_domains.values_list("code", flat=True))
        after = sorted(domain.code for domain in domains)
        if before != after:
            diff["data_domains"] = [before, after]
    if co_grantors is not None or "grantor" in diff:
        # Recorded as the data domains are: the sorted lists before and after.
        given = co_grantors if co_grantors is not None else current.co_grantors.all()
        rows = _check_co_grantors(current, given)
        before = [writes.jsonable(row) for row in current.co_grantors.order_by("pk")]
        after = [writes.jsonable(row) for row in sorted(rows, key=lambda row: row.pk)]
        if before != after:
            diff["co_grantors"] = [before, after]
    if diff:
        _validate(current, current.status, domains=domains)
    return diff, domains


def parse_action(action) -> LicenseAction:
    """The action `action` names, or UnknownAction listing those there are."""
    try:
        return LicenseAction(action)
    except ValueError:
        raise UnknownAction(action, list(LicenseAction)) from None


def _check_field_names(fields: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidLicense({field: [_("This field cannot be set here.")] for field in unknown})


def _domain_rows(domains) -> list[Domain]:
    codes = [domain.code if isinstance(domain, Domain) else domain for domain in domains]
    try:
        return Domain.objects.for_codes(codes)
    except ValueError:
        raise InvalidLicense(
            {
                "data_domains": [
                    _("Unknown data domain among: %(codes)s.") % {"codes": ", ".join(map(str, codes))}
                ]
            }
        ) from None


def _check_co_grantors(license: License, co_grantors) -> list:
    """The co-grantors as authorities (rows or keys), each once and none the lead grantor itself."""
    rows = list(co_grantors)
    keys = [row.pk if isinstance(row, Authority) else row for row in rows]
    found = {authority.pk: authority for authority in Authority.objects.filter(pk__in=keys)}
    if len(found) != len(set(keys)):
        raise InvalidLicense({"co_grantors": [_("Unknown authority among the co-grantors.")]})
    if license.grantor_id in found:
        raise InvalidLicense({"co_grantors": [_("The lead grantor is not also one of its co-grantors.")]})
    return [found[key] for key in dict.fromkeys(keys)]


def _check_term_change(current: License, diff: dict) -> None:
    """An amendment may not contradict the state: a license in force has a started term, and a renewed
    one ends the day before its successor starts."""
    errors = {}
    in_force = current.status in S.in_force()
    if "term_start" in diff and in_force and current.term_start and current.term_start > local_today():
        errors["term_start"] = [_("A license in force cannot have a term that starts in the future.")]
    if "term_end" in diff and current.term_end:
        successor = License.objects.live_successors_of(current).only("number", "term_start").first()
        if successor and current.term_end + datetime.timedelta(days=1) != successor.term_start:
            errors["term_end"] = [
                _("The term must end the day before its successor %(number)s starts (%(day)s).")
                % {
                    "number": successor.number,
                    "day": (successor.term_start - datetime.timedelta(days=1)).isoformat(),
                }
            ]
    if errors:
        raise InvalidLicense(errors)


def _apply(
    locked: License, action: LicenseAction, *, actor, reason: str, occurred_on, last=None
) -> LicenseEvent:
    current = LicenseStatus(locked.status)
    target = target_status(locked, action, reason=reason)
    occurred_on = check_occurred_on(occurred_on, license=locked, action=action, last=last)
    locked.status = target
    locked.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at"]
    if locked.number is None and target != S.WITHDRAWN:
        # Leaving draft by a listing or a grant makes the license public: its number is allocated now,
        # in the year of the act's day, so public numbers have no gaps where drafts are. A draft
        # withdrawn never gets one (it was never public).
        locked.number = License.allocate_number(locked.grantor.division_code, occurred_on.year)
        fields.append("number")
    writes.save(locked, fields)
    return writes.record(
        locked,
        action,
        from_status=current,
        to_status=target,
        actor=actor,
        reason=reason,
        occurred_on=occurred_on,
    )


def target_status(
    locked: License, action: LicenseAction, *, reason: str, renewed: bool | None = None
) -> LicenseStatus:
    """The state `action` leads the locked license to, or the exception that refuses it; writes nothing.

    `renewed` says whether the license has a live successor, where the caller has read that already
    (None: it is read here, when an expiry needs it). The data domains are read through the license, so a
    caller that prefetched them saves that query too.
    """
    sources, target = TRANSITIONS[action]
    current = LicenseStatus(locked.status)
    if current not in sources:
        raise ActionNotAllowed(action, current, allowed_actions(current))
    if action in REASON_REQUIRED and not reason:
        raise ReasonRequired(_("Give a reason to %(action)s a license.") % {"action": action.label.lower()})
    today = local_today()
    if action == A.ACTIVATE and (locked.term_start is None or locked.term_start > today):
        raise NotDue(_("The term has not started yet: the license activates on its first day."))
    if action == A.EXPIRE:
        if locked.term_end is None or locked.term_end >= today:
            raise NotDue(_("The term has not ended yet: the license expires the day after its last day."))
        if renewed is None:
            renewed = License.objects.live_successors_of(locked).exists()
        if renewed:
            target = S.RENEWED
    if action == A.GRANT:
        # Granting is the decision: the whole record must satisfy today's rules.
        _validate(locked, target)
    else:
        # Later actions must not be blocked by a rule that changed since the grant (say a shorter maximum
        # term): they need only what the new state requires.
        _require(locked, target)
    return target


def _validate(license: License, status: str, *, domains=None, exclude=None) -> None:
    """Field validation, the term rule and the fields `status` requires; nothing is written on failure."""
    errors: dict[str, list] = {}
    try:
        license.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    for field, messages in license.requirement_errors(status, domains=domains).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise InvalidLicense(
            {field: [str(message) for message in messages] for field, messages in errors.items()}
        )


def _require(license: License, status: str) -> None:
    errors = license.requirement_errors(status)
    if errors:
        raise InvalidLicense(
            {field: [str(message) for message in messages] for field, messages in errors.items()}
        )


__all__ = [
    "EDITABLE_FIELDS",
    "REASON_REQUIRED",
    "TERM_ACTIONS",
    "TRANSITIONS",
    "LicensingError",
    "allowed_actions",
    "check_create",
    "check_edit",
    "check_occurred_on",
    "correct_event",
    "create_license",
    "due_on",
    "edit",
    "last_public_days",
    "parse_action",
    "renew",
    "target_status",
    "transition",
]
