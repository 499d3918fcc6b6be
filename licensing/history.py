"""A license's history as the public reads it: which events are public, what each one is called, the
event that put a license in its status (when and why it was listed, suspended or ended), and the chain
of renewals it belongs to. The public pages and the feeds use these.

A draft is not public, and neither is what happened to a license while it was one: its creation and its
edits as a draft (events that leave it a draft) stay in the regulators' admin. Everything from the
listing or the grant on is public record.

Every surface says "when" by an event's effective day, as last corrected (`effective_on`, resolved by
LicenseEventQuerySet.with_effective_day); a correction stays in the record beside the event it
corrects, which keeps the day and reason it was recorded with.
"""

import dataclasses
import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access
from .choices import EventAction, LicenseStatus
from .display import in_language, long_date
from .models import License, LicenseEvent
from .models.licenses import DEAD_SUCCESSOR_STATES

S = LicenseStatus

# What each event is called on a public page or in a feed: what happened, in the past tense.
EVENT_HEADINGS = {
    EventAction.CREATE: _("Recorded"),
    EventAction.EDIT: _("Details changed"),
    EventAction.AMEND: _("Amended"),
    EventAction.RENEW: _("Renewed"),
    EventAction.PRODUCT: _("Products or prices changed"),
    EventAction.LIST: _("Listed"),
    EventAction.GRANT: _("Granted"),
    EventAction.ACTIVATE: _("Came into force"),
    EventAction.SUSPEND: _("Suspended"),
    EventAction.REINSTATE: _("Reinstated"),
    EventAction.WITHDRAW: _("Withdrawn"),
    EventAction.REVOKE: _("Revoked"),
    EventAction.TERMINATE: _("Terminated early"),
    EventAction.EXPIRE: _("Expired"),
    EventAction.CORRECT: _("Corrected"),
}
ENDED_AS_RENEWED = _("Ended; continued by its renewal")

# Who acted, as the public is told: the authority the actor acted for, else one of these.
REGISTRY_ACTOR = _("registry (automatic)")
REGISTRY_STAFF = _("registry staff")

# Renewal chains are short (one license per term); the bound only keeps a corrupt loop from running on.
MAX_CHAIN = 100


def heading(event: LicenseEvent):
    if event.action == EventAction.EXPIRE and event.to_status == S.RENEWED:
        return ENDED_AS_RENEWED
    return EVENT_HEADINGS.get(event.action, event.get_action_display())


def public_actor(event: LicenseEvent) -> str:
    """Who acted, as anyone may read it: the authority the actor acted for (recorded with the event),
    "registry (automatic)" for the registry's own acts (the sweep), and "registry staff" for a user
    acting for no authority (a superuser) or an event recorded before the authority was kept. Never a
    login name. Reads event.actor_authority: select it with the events."""
    if event.actor_authority_id is not None:
        authority = event.actor_authority
        return in_language(authority.name, authority.name_en)
    return str(REGISTRY_ACTOR if event.actor_id is None else REGISTRY_STAFF)


def recorded_actor(event: LicenseEvent) -> str:
    """The actor as the record names it, for those who see the details (the regulators' admin): the login
    name, or "registry (automatic)" in the reader's language for the registry's own acts (which the
    record keeps in English)."""
    return str(REGISTRY_ACTOR) if event.actor_id is None else event.actor_repr


def actor_shown(event: LicenseEvent, user) -> str:
    """The actor of `event` as `user` may read it: the login name for those who see the license's
    history in full (access.sees_event_details), else public_actor. Reads event.license.grantor."""
    if access.sees_event_details(user, event.license):
        return event.actor_repr
    return public_actor(event)


def public_events(licenses: QuerySet | None = None) -> QuerySet:
    """The public history: events of public licenses, without those of the draft stage, each with its
    effective day (`effective_on`) and latest correction (`corrected_by_id`)."""
    return (
        LicenseEvent.objects.filter(license__in=access.public_licenses(licenses))
        .exclude(to_status=S.DRAFT)
        .with_effective_day()
    )


def timeline(license: License) -> list[LicenseEvent]:
    """`license`'s public events, newest first by effective day; one query. A corrected event carries its
    corrections (`event.correction_list`, oldest first; the last one is in effect), and is shown with
    them rather than each correction on its own line (with_corrections)."""
    events = list(
        license.events.exclude(to_status=S.DRAFT)
        .with_effective_day()
        .order_by("-effective_on", "-created_at", "-id")
    )
    return with_corrections(events)


def with_corrections(events: list[LicenseEvent]) -> list[LicenseEvent]:
    """`events` without the corrections among them, each corrected event given its `correction_list`
    (the corrections among `events`, oldest first) and `effective_reason` (its reason as last
    corrected). No query."""
    present = {event.pk for event in events}
    corrections: dict[int, list[LicenseEvent]] = {}
    for event in events:
        if event.action == EventAction.CORRECT:
            corrections.setdefault(event.corrects_id, []).append(event)
    shown = []
    for event in events:
        if event.action == EventAction.CORRECT and event.corrects_id in present:
            continue
        event.correction_list = sorted(corrections.get(event.pk, []), key=lambda e: e.pk)
        event.effective_reason = event.reason
        for correction in event.correction_list:
            correction.corrects = event
            if "reason" in correction.changes:
                event.effective_reason = correction.changes["reason"][1]
        shown.append(event)
    return shown


def latest_changes(limit: int, licenses: QuerySet | None = None) -> list[LicenseEvent]:
    """The lifecycle changes that happened last (listed, granted, in force, suspended, ended...; by
    effective day), newest first, with their licenses; one query. Edits and product or price changes
    are left to `other_changes`: loading a license's price list would flood a list of changes. A history
    recorded late takes its place by the day it happened; a correction moves the event it corrects and
    is not a change of its own here."""
    return list(
        public_events(licenses)
        .exclude(action=EventAction.CORRECT)
        .exclude(to_status="")
        .exclude(from_status=F("to_status"))
        .select_related("license")
        .order_by("-effective_on", "-created_at", "-id")[:limit]
    )


@dataclasses.dataclass(frozen=True)
class ChangeGroup:
    """The changes that kept a license's status, grouped per license and day: "3 product or price
    changes, 1 edit"."""

    license_number: str
    license_title: str
    day: datetime.date
    counts: list[tuple[str, int]]  # (the action's label, how many), by action


def other_changes(limit: int, licenses: QuerySet | None = None) -> list[ChangeGroup]:
    """The last `limit` days-and-licenses with changes that kept the status (edits, amendments, product
    and price changes), newest first; one query."""
    rows = (
        public_events(licenses)
        .exclude(action=EventAction.CORRECT)
        .filter(Q(to_status="") | Q(from_status=F("to_status")))
        .values("license__number", "license__title", "effective_on", "action")
        .annotate(n=Count("id"))
        .order_by("-effective_on", "license__number", "action")[: limit * len(EventAction)]
    )
    groups: dict[tuple, list[tuple[str, int]]] = {}
    titles = {}
    for row in rows:
        key = (row["effective_on"], row["license__number"])
        if key not in groups and len(groups) == limit:
            break
        groups.setdefault(key, []).append((str(EventAction(row["action"]).label), row["n"]))
        titles[key] = row["license__title"]
    return [
        ChangeGroup(number, titles[(day, number)], day, counts) for (day, number), counts in groups.items()
    ]


def latest_recorded(limit: int, licenses: QuerySet | None = None) -> list[LicenseEvent]:
    """The public events recorded last, newest first (what a feed reader has not seen yet); one query.
    Corrections are among them, with the event they correct."""
    events = public_events(licenses).select_related("license", "corrects", "actor_authority")
    return list(events.order_by("-id")[:limit])


def status_event(license: License, events: list[LicenseEvent]) -> LicenseEvent | None:
    """Of `events` (the license's, as timeline() gives them), the one that put `license` in its current
    status: the day it was listed, granted, suspended or ended, and why."""
    changes = [e for e in events if e.to_status == license.status and e.from_status != e.to_status]
    return max(changes, key=lambda e: (e.effective_on, e.created_at, e.pk), default=None)


# An event recorded more than this long after it took effect is shown with both days.
LATE_RECORD = datetime.timedelta(days=1)


def recorded_on(event: LicenseEvent) -> datetime.date | None:
    """The day (Asia/Shanghai) `event` was recorded, where that is more than a day after it took effect
    (pages then say both: "granted 29 September 2022, recorded 1 December 2026"); else None."""
    recorded = timezone.localdate(event.created_at)
    return recorded if recorded - event.effective_on > LATE_RECORD else None


def renewal_chain(license: License) -> list[License]:
    """Every public license in `license`'s line of renewals, oldest first (itself included); [itself]
    when it was never renewed and renews nothing. One query for a license alone, two for a line of any
    length.

    Upwards the chain follows `predecessor`; downwards the live successor (License.successor: one
    withdrawn or revoked before it took over is not a renewal).
    """
    table = connection.ops.quote_name(License._meta.db_table)
    dead = ", ".join(["%s"] * len(DEAD_SUCCESSOR_STATES))
    # One recursive query each way; both databases we run on (SQLite, PostgreSQL) support it.
    sql = f"""
        WITH RECURSIVE
        up(id, predecessor_id, depth) AS (
            SELECT id, predecessor_id, 0 FROM {table} WHERE id = %s
            UNION ALL
            SELECT l.id, l.predecessor_id, up.depth - 1 FROM {table} l JOIN up ON l.id = up.predecessor_id
            WHERE up.depth > -%s
        ),
        down(id, depth) AS (
            SELECT id, 0 FROM {table} WHERE id = %s
            UNION ALL
            SELECT l.id, down.depth + 1 FROM {table} l JOIN down ON l.predecessor_id = down.id
            WHERE l.status NOT IN ({dead}) AND down.depth < %s
        )
        SELECT id, depth FROM up UNION SELECT id, depth FROM down
    """  # noqa: S608 (the table name is ours; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [license.pk, MAX_CHAIN, license.pk, *DEAD_SUCCESSOR_STATES, MAX_CHAIN])
        depth_of = dict(cursor.fetchall())
    if len(depth_of) == 1:
        return [license]
    members = access.public_licenses(License.objects.filter(pk__in=depth_of)).only(
        "pk", "number", "title", "status", "term_start", "term_end", "predecessor_id"
    )
    return sorted(members, key=lambda member: depth_of[member.pk])


def renewal_line_numbers(licenses: Iterable[License]) -> set[str]:
    """The numbers and references (what the API may be asked by) of every license linked to one of
    `licenses` by renewal, either way and in any state (themselves included): the licenses whose own
    pages show them in their line. A query per step along the longest line."""
    numbers, seen, frontier = set(), set(), {license.pk for license in licenses}
    while frontier:
        seen |= frontier
        rows = License.objects.filter(Q(pk__in=frontier) | Q(predecessor_id__in=frontier)).values_list(
            "pk", "number", "reference", "predecessor_id"
        )
        linked = set()
        for pk, number, reference, predecessor_id in rows:
            numbers |= {number, reference} - {None}
            linked |= {pk, predecessor_id}
        frontier = linked - seen - {None}
    return numbers


def correction_summary(correction: LicenseEvent) -> str:
    """What a correction changed, in a sentence: "“Granted” of 1 October 2023 now took effect on
    29 September 2023." (`correction.corrects` loaded)."""
    corrected = correction.corrects
    parts = []
    if "occurred_on" in correction.changes:
        before, after = (datetime.date.fromisoformat(day) for day in correction.changes["occurred_on"])
        parts.append(
            _("“%(heading)s” took effect on %(after)s, not %(before)s.")
            % {"heading": heading(corrected), "after": long_date(after), "before": long_date(before)}
        )
    if "reason" in correction.changes:
        parts.append(
            _("The reason of “%(heading)s” is corrected to: %(reason)s")
            % {"heading": heading(corrected), "reason": correction.changes["reason"][1]}
        )
    return " ".join(str(part) for part in parts)
