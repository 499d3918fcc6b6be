"""The lifecycle for many new licenses at once: each created and taken through the acts of its past, on
their days, with the rules of licensing.lifecycle and the queries shared (as transition_due is for the
sweep). For loading existing registers (licensing.imports), where a license at a time costs too much.

For each license, create_license's checks, then each act's: the state it may start from (_target, which
also validates a grant's whole record), its reason, and its effective day (check_occurred_on: not in the
future, not before the previous public act, the term's days for activation, expiry and grant). What is
written is what create_license and transition write: the license, its data domains, an event per act
(the creation first), the public number allocated in the year of the act that made it public, the version
counted per act; each license's events are then announced (signals) as theirs are.

All or none: where any license is refused, nothing of the batch is kept, and HistoriesRefused names each
refusal (every license is still checked, so one call reports them all).
"""

import dataclasses
import datetime
from collections import defaultdict

from django.db import transaction

from . import webhooks
from .choices import EventAction, LicenseStatus
from .exceptions import LicensingError
from .lifecycle import (
    check_field_names,
    check_occurred_on,
    domain_rows,
    due_on,
    parse_action,
    target_status,
    validate,
)
from .models import License, LicenseEvent
from .writes import announce, new_event

# The related rows a caller hands over already read (or just created): not looked up again per license.
RESOLVED = ["grantor", "implementing_body", "operator"]

CREATION = -1


@dataclasses.dataclass(frozen=True)
class Act:
    """One act of a license's past: a lifecycle action on its effective day (None: the day its term
    made it due, for an activation or an expiry)."""

    action: str
    day: datetime.date | None = None
    reason: str = ""


@dataclasses.dataclass
class History:
    """A license to create (create_license's fields, data domains by code) and its acts, in order."""

    fields: dict
    drafted_on: datetime.date
    acts: list[Act]
    license: License | None = None
    events: list = dataclasses.field(default_factory=list)
    domains: list = dataclasses.field(default_factory=list)


class HistoriesRefused(LicensingError):
    code = "histories_refused"

    def __init__(self, refused: dict[int, tuple[int, LicensingError]]):
        # index of the history -> (index of its act refused, or CREATION; the error)
        self.refused = refused
        super().__init__(f"{len(refused)} of the licenses were refused")


def create_with_histories(histories: list[History], *, actor) -> None:
    """Create each history's license and record its acts (see the module); sets `license` and `events`
    of each. Raises HistoriesRefused, having written nothing, where any is refused."""
    refused: dict[int, tuple[int, LicensingError]] = {}
    checked = _check_drafts(histories, refused)
    numbers = defaultdict(list)  # (division, year) -> the licenses made public in that year, in order
    for index in checked:
        history = histories[index]
        try:
            made_public = _record_acts(history, actor)
        except _ActRefused as refusal:
            refused[index] = (refusal.act, refusal.error)
            continue
        if made_public is not None:
            numbers[made_public].append(history.license)
    if refused:
        raise HistoriesRefused(refused)
    with transaction.atomic():
        for (division, year), licenses in numbers.items():
            allocated = License.allocate_numbers(division, year, len(licenses))
            for license, number in zip(licenses, allocated, strict=True):
                license.number = number
        License.objects.bulk_create([history.license for history in histories], batch_size=500)
        through = License.data_domains.through
        through.objects.bulk_create(
            [
                through(license_id=history.license.pk, domain_id=domain.pk)
                for history in histories
                for domain in history.domains
            ],
            batch_size=1000,
        )
        LicenseEvent.objects.bulk_create(
            [event for history in histories for event in history.events], batch_size=1000
        )
        with webhooks.batch():
            for history in histories:
                announce(history.license, history.events)


def _check_drafts(histories: list[History], refused: dict) -> list[int]:
    """create_license's checks for each history: the indexes of those that pass, with their license
    built (not saved yet) and their data domains read."""
    codes = {str(code) for history in histories for code in history.fields.get("data_domains", [])}
    domains = {domain.code: domain for domain in domain_rows(codes)}
    checked = []
    for index, history in enumerate(histories):
        fields = dict(history.fields)
        try:
            check_field_names(fields)
            if fields.pop("co_grantors", None):
                raise ValueError("co-grantors are not created in bulk: use create_license")
            codes = sorted({str(code) for code in fields.pop("data_domains", [])})
            history.domains = [domains[code] for code in codes]
            check_occurred_on(history.drafted_on)
            license = License(**fields)
            validate(license, LicenseStatus.DRAFT, domains=history.domains, exclude=["number", *RESOLVED])
        except LicensingError as error:
            refused[index] = (CREATION, error)
            continue
        history.license = license
        checked.append(index)
    return checked


@dataclasses.dataclass
class _ActRefused(Exception):
    act: int
    error: LicensingError


def _record_acts(history: History, actor) -> tuple[str, int] | None:
    """Take the draft through its acts in memory, with transition()'s checks, setting its events
    (unsaved). Returns the division and year of the act that made it public (None: it never was)."""
    license = history.license
    history.events = [
        new_event(
            license,
            EventAction.CREATE,
            from_status="",
            to_status=license.status,
            actor=actor,
            occurred_on=history.drafted_on,
        )
    ]
    last = made_public = None
    for position, act in enumerate(history.acts):
        try:
            action = parse_action(act.action)
            reason = (act.reason or "").strip()
            target = target_status(
                license, action, reason=reason, renewed=False, domains=history.domains, exclude=RESOLVED
            )
            day = act.day if act.day is not None else due_on(license, action)
            day = check_occurred_on(day, license=license, action=action, last=last)
        except LicensingError as error:
            raise _ActRefused(position, error) from None
        if made_public is None and license.number is None and target != LicenseStatus.WITHDRAWN:
            # As _apply numbers a license leaving draft: in the year of that act's day.
            made_public = (license.grantor.division_code, day.year)
        history.events.append(
            new_event(
                license,
                action,
                from_status=license.status,
                to_status=target,
                actor=actor,
                reason=reason,
                occurred_on=day,
            )
        )
        license.status = target
        license.version += 1
        last = day
    return made_public


__all__ = ["Act", "HistoriesRefused", "History", "create_with_histories"]
