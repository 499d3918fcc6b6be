"""Synthetic data at scale, for benchmarks: authorities, operators and licenses with their events,
bulk-inserted and marked `origin=synthetic` so they are never taken for real records.

The mix: licenses across the data domains and every status, about 1% of them due for the sweep (0.3%
granted with a started term, 0.3% in force with a passed term, 0.4% in force within a reminder window).
Each license gets the events its status implies (create, grant, activate, and the ending), so pages and
the change feed have a history to show.
"""

import dataclasses
import datetime
import itertools
from collections.abc import Callable

from django.db import transaction

from . import cache
from .choices import (
    AuthorityKind,
    AuthorizationMode,
    DataDomain,
    EventAction,
    LicenseStatus,
    RecordOrigin,
    SelectionMethod,
)
from .identifiers import uscc_check_character
from .models import Authority, Domain, License, LicenseEvent, Operator

D = datetime.timedelta
CHUNK = 5000
DIVISIONS = [
    "330100",
    "330200",
    "310000",
    "440100",
    "440300",
    "510100",
    "420100",
    "320100",
    "370200",
    "100000",
]
S = LicenseStatus
ACTOR = "registry (synthetic)"


@dataclasses.dataclass
class Generated:
    authorities: int = 0
    operators: int = 0
    licenses: int = 0
    events: int = 0
    due: dict = dataclasses.field(default_factory=lambda: {"activation": 0, "expiry": 0, "reminder": 0})


def _plan(i: int, today: datetime.date) -> tuple[str | None, LicenseStatus, datetime.date, datetime.date]:
    """(due kind, status, term start, term end) of the i-th license."""
    slot = i % 1000
    if slot < 3:
        return "activation", S.GRANTED, today - D(days=slot), today + D(days=3 * 365)
    if slot < 6:
        return "expiry", S.ACTIVE, today - D(days=3 * 365), today - D(days=slot - 2)
    if slot < 10:
        return "reminder", S.ACTIVE, today - D(days=365), today + D(days=(i // 1000) % 91)
    if slot < 80:
        return None, S.EXPIRED, today - D(days=4 * 365), today - D(days=365 + slot)
    if slot < 90:
        return None, S.REVOKED, today - D(days=700), today + D(days=400)
    if slot < 100:
        return None, S.SUSPENDED, today - D(days=200), today + D(days=600)
    if slot < 120:
        return None, S.GRANTED, today + D(days=30 + slot), today + D(days=1000)
    return None, S.ACTIVE, today - D(days=365), today + D(days=91 + i % 1400)


_EVENTS = {
    S.GRANTED: [("create", "", S.DRAFT), ("grant", S.DRAFT, S.GRANTED)],
    S.ACTIVE: [("create", "", S.DRAFT), ("grant", S.DRAFT, S.GRANTED), ("activate", S.GRANTED, S.ACTIVE)],
}
_EVENTS[S.SUSPENDED] = [*_EVENTS[S.ACTIVE], ("suspend", S.ACTIVE, S.SUSPENDED)]
_EVENTS[S.REVOKED] = [*_EVENTS[S.ACTIVE], ("revoke", S.ACTIVE, S.REVOKED)]
_EVENTS[S.EXPIRED] = [*_EVENTS[S.ACTIVE], ("expire", S.ACTIVE, S.EXPIRED)]


def generate(count: int, today: datetime.date, progress: Callable[[int], None] | None = None) -> Generated:
    """Create `count` synthetic licenses (and 1 operator per 5 licenses, as in the registers seen, and the
    authorities)."""
    result = Generated()
    domains = Domain.objects.for_codes(DataDomain.values)
    authorities = []
    for code in DIVISIONS:
        authority, created = Authority.objects.get_or_create(
            division_code=code,
            name=f"Synthetic authority {code}",
            defaults={"kind": AuthorityKind.DATA_AUTHORITY, "origin": RecordOrigin.SYNTHETIC},
        )
        authorities.append(authority)
        result.authorities += created
    start_number = License.objects.filter(origin=RecordOrigin.SYNTHETIC).count()
    operator_count = max(count // 5, 1)
    operator_start = Operator.objects.filter(origin=RecordOrigin.SYNTHETIC).count()
    operators = []
    for first in range(operator_start, operator_start + operator_count, CHUNK):
        batch = []
        for i in range(first, min(first + CHUNK, operator_start + operator_count)):
            body = f"91330100MA{i:07d}"
            batch.append(
                Operator(
                    name=f"合成数据运营机构 {i}",
                    name_en=f"Synthetic operator {i}",
                    uscc=body + uscc_check_character(body),
                    contact_emails=f"ops{i}@operator.example",
                    origin=RecordOrigin.SYNTHETIC,
                )
            )
        for operator in batch:
            operator.name_keys = operator.compute_name_keys()
        operators += Operator.objects.bulk_create(batch)
    result.operators = len(operators)
    through = License.data_domains.through
    numbers = itertools.count(start_number)
    for first in range(0, count, CHUNK):
        with transaction.atomic():
            licenses, plans = [], []
            for _ in range(first, min(first + CHUNK, count)):
                seq = next(numbers)
                grantor = authorities[seq % len(authorities)]
                kind, status, term_start, term_end = _plan(seq, today)
                if kind:
                    result.due[kind] += 1
                plans.append((status, term_start, term_end))
                licenses.append(
                    License(
                        number=f"{grantor.division_code}-2025-{seq + 1:07d}",
                        title=f"合成授权许可 {seq} Synthetic license",
                        grantor=grantor,
                        operator=operators[seq % len(operators)],
                        authorization_mode=AuthorizationMode.BY_DOMAIN,
                        scope="Synthetic benchmark data.",
                        selection_method=SelectionMethod.OPEN_TENDER,
                        term_start=term_start,
                        term_end=term_end,
                        status=status,
                        version=len(_EVENTS[status]),
                        origin=RecordOrigin.SYNTHETIC,
                    )
                )
            created = License.objects.bulk_create(licenses)
            through.objects.bulk_create(
                through(license_id=row.pk, domain_id=domains[row.pk % len(domains)].pk) for row in created
            )
            events = []
            for license, (status, term_start, term_end) in zip(created, plans, strict=True):
                for action, from_status, to_status in _EVENTS[status]:
                    day = term_start if action in ("activate", "grant") else term_start - D(days=30)
                    if action == EventAction.EXPIRE:
                        day = term_end + D(days=1)
                    elif action in (EventAction.SUSPEND, EventAction.REVOKE):
                        day = term_start + D(days=100)
                    events.append(
                        LicenseEvent(
                            license=license,
                            action=action,
                            from_status=from_status,
                            to_status=to_status,
                            actor_repr=ACTOR,
                            occurred_on=day,
                            reason="Synthetic." if action in ("suspend", "revoke") else "",
                        )
                    )
            LicenseEvent.objects.bulk_create(events)
            result.licenses += len(created)
            result.events += len(events)
        if progress:
            progress(result.licenses)
    # Bulk inserts send no signals: cached public reads are invalidated here (on commit, if in a transaction).
    cache.bump_on_commit()
    return result


def generate_registrations(count: int, today: datetime.date) -> dict:
    """Bulk-insert `count` registrations over the synthetic licenses (marked synthetic, without events:
    the sweep reads none), about 1% of them due for the sweep: 0.3% issued codes expired unrenewed, 0.3%
    within a reminder window before expiry, 0.2% applications not accepted in time, 0.2% formal reviews
    overrun. The rest are codes issued and valid for months yet. Returns how many of each are due."""
    from .models import Registration
    from .registration_codes import format_code

    licenses = list(License.objects.filter(origin=RecordOrigin.SYNTHETIC).values_list("pk", flat=True))
    if not licenses:
        raise ValueError("generate the synthetic licenses first")
    due = {"cancellation": 0, "reminder": 0, "overdue": 0}
    rows = []

    def flush():
        with transaction.atomic():
            Registration.objects.bulk_create(rows, batch_size=CHUNK)
        rows.clear()

    for i in range(count):
        slot = i % 1000
        fields = {"status": "issued", "applied_on": today - D(days=400)}
        if slot < 3:
            expires, due["cancellation"] = today - D(days=1 + i % 30), due["cancellation"] + 1
        elif slot < 6:
            expires, due["reminder"] = (
                today + D(days=(61 + i % 30) if slot < 5 else i % 14),
                due["reminder"] + 1,
            )
        elif slot < 8:
            fields, expires = {"status": "applied", "applied_on": today - D(days=30)}, None
            due["overdue"] += 1
        elif slot < 10:
            fields = {
                "status": "under_review",
                "applied_on": today - D(days=70),
                "accepted_on": today - D(days=60),
            }
            expires, due["overdue"] = None, due["overdue"] + 1
        else:
            expires = today + D(days=200 + i % 800)
        if expires is not None:
            issued = expires - D(days=3 * 365 - 1)
            fields.update(
                accepted_on=issued - D(days=40),
                notice_starts_on=issued - D(days=20),
                notice_ends_on=issued - D(days=6),
                issued_on=issued,
                expires_on=expires,
                code=format_code("990000", issued.year, "data_resource", i + 1),
            )
        rows.append(
            Registration(
                license_id=licenses[i % len(licenses)],
                registrant_role="operator",
                kind="data_resource",
                name=f"Synthetic registration {i}",
                summary="Synthetic benchmark data.",
                origin=RecordOrigin.SYNTHETIC,
                **fields,
            )
        )
        if len(rows) >= CHUNK:
            flush()
    if rows:
        flush()
    return due
