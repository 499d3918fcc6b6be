"""The change feed: every lifecycle event in a stable order, read a page at a time with a cursor, for
clients that keep a copy of the registry in sync (GET /api/v1/events/?since=<cursor>).

The guarantee: a client that follows the cursor sees every event it may see exactly once, even while
events are being written. Event ids alone cannot give that on PostgreSQL: a transaction can take an id
and commit after a later one has been read. So events are ordered by (writing transaction, id), and a
page only reaches up to the oldest transaction still running in this database: anything a later page
returns belongs to a transaction that had not ended yet, so it sorts after everything already returned.
On SQLite writers run one at a time and ids follow commit order.
"""

import base64
import binascii
import dataclasses

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import access
from .access import Role
from .choices import DataDomain, EventAction, LicenseStatus
from .identifiers import is_valid_uscc, normalize_uscc, searched_prefix
from .inputs import whole_number
from .models import License, LicenseEvent
from .models.licenses import granted_by

MAX_PAGE = 500
# What the feed (and a webhook) may select events by; each means what the license list's filter of that
# name means, and `actions` is a list of event actions.
FILTERS = ("license_number", "operator", "grantor", "division", "domain", "actions")


class CursorError(ValueError):
    pass


class FilterError(ValueError):
    """Filters the feed cannot apply: `errors` maps each filter at fault to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def clean_filters(filters: dict) -> dict:
    """The filters with a value, cleaned (a USCC normalised, actions without repeats), or FilterError
    naming each one at fault."""
    cleaned, errors = {}, {}
    for name, value in filters.items():
        if name not in FILTERS:
            errors[name] = [gettext("Unknown field; known: %(known)s.") % {"known": ", ".join(FILTERS)}]
        elif name == "actions":
            unknown = [action for action in value if action not in EventAction.values]
            if unknown:
                errors[name] = [
                    gettext("Not an event action: %(actions)s.") % {"actions": ", ".join(unknown)}
                ]
            cleaned[name] = list(dict.fromkeys(value))
        elif name == "division" and value and searched_prefix(value) is None:
            errors[name] = [gettext("Up to 6 digits of a division code.")]
        elif name == "grantor" and value and (len(value) != 6 or searched_prefix(value) is None):
            errors[name] = [gettext("A division code of 6 digits.")]
        elif name == "operator" and value and not is_valid_uscc(value):
            errors[name] = [gettext("An operator's Unified Social Credit Code (18 characters).")]
        elif name == "domain" and value and value not in DataDomain.values:
            errors[name] = [gettext("Not a data domain.")]
        else:
            cleaned[name] = normalize_uscc(value) if name == "operator" else value
    if errors:
        raise FilterError(errors)
    return cleaned


def filtered(events: QuerySet, filters: dict) -> QuerySet:
    """`events` narrowed by cleaned `filters` (an empty value selects everything)."""
    if filters.get("actions"):
        events = events.filter(action__in=filters["actions"])
    licenses = License.objects.all()
    if filters.get("license_number"):
        licenses = licenses.filter(number=filters["license_number"])
    if filters.get("operator"):
        licenses = licenses.filter(operator__uscc=filters["operator"])
    if filters.get("grantor"):
        licenses = licenses.filter(granted_by(Q(division_code=filters["grantor"])))
    if filters.get("division"):
        prefix = searched_prefix(filters["division"])
        licenses = licenses.filter(granted_by(Q(division_code__startswith=prefix)))
    if filters.get("domain"):
        licenses = licenses.covering_domain(filters["domain"])
    if licenses.query.where:
        events = events.filter(license__in=licenses.values("pk"))
    return events


@dataclasses.dataclass(frozen=True)
class Cursor:
    txid: int
    id: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.txid}.{self.id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            padded = text + "=" * (-len(text) % 4)
            txid, event_id = base64.urlsafe_b64decode(padded.encode()).decode().split(".")
            # ASCII digits of a size the database's integers hold (licensing.inputs): int() would also
            # read other scripts' digits, and numbers past 64 bits.
            numbers = (whole_number(txid.removeprefix("-")), whole_number(event_id))
            if None in numbers:
                raise ValueError(text)
            return cls(-numbers[0] if txid.startswith("-") else numbers[0], numbers[1])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise CursorError(_("Not a cursor this feed gave out: start without one.")) from None


START = Cursor(-1, 0)


def visible_events(user) -> QuerySet:
    """Events `user` may read. The public never sees a draft's events (they are not public when they
    happen, and would otherwise surface behind a cursor once the license is listed), nor any event of a
    license that was never public. Those who may read an event in full: access.sees_event_details."""
    events = LicenseEvent.objects.all()
    role = access.role_of(user)
    if role in (Role.SUPERUSER, Role.AUDITOR):
        return events
    # A public event: not of a draft stage, and of a license that ever became public (not a draft
    # withdrawn before it was listed or granted, whose withdrawal is not a draft event).
    public = ~Q(to_status=LicenseStatus.DRAFT) & access.public_q("license__")
    if role == Role.REGULATOR:
        prefix = access.jurisdiction_prefix(user)
        return events.filter(public | Q(license__grantor__division_code__startswith=prefix))
    return events.filter(public)


@dataclasses.dataclass
class Page:
    events: list
    next_cursor: Cursor
    has_more: bool


def read(user, since: Cursor = START, limit: int = 100, filters: dict | None = None) -> Page:
    """Events after `since` that cleaned `filters` select, oldest first, at most `limit`; the cursor to
    continue from."""
    limit = max(1, min(limit, MAX_PAGE))
    # The grantor and the actor's authority: which actor each reader is shown (history.actor_shown).
    events = filtered(visible_events(user), filters or {})
    events = events.with_effective_day().select_related("license__grantor", "actor_authority")
    if connection.vendor == "postgresql":
        # Only transactions that have ended: anything still running may yet commit with a smaller txid.
        # (The reader's own transaction counts as ended for itself: it sees its own writes.)
        horizon, own = _horizon()
        settled = Q(txid__lt=horizon) | Q(txid=own) if own is not None else Q(txid__lt=horizon)
        events = (
            events.filter(settled)
            .filter(Q(txid__gt=since.txid) | Q(txid=since.txid, id__gt=since.id))
            .order_by("txid", "id")
        )
    else:
        events = events.filter(id__gt=since.id).order_by("id")
    rows = list(events[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    next_cursor = Cursor(last.txid if last.txid is not None else -1, last.id) if last else since
    return Page(events=rows, next_cursor=next_cursor, has_more=has_more)


# The transactions of this database that hold a transaction id (other sessions', and prepared ones), with
# the next id and the reader's own.
RUNNING = """
    SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
           pg_current_xact_id_if_assigned()::text::bigint,
           ARRAY(
               SELECT backend_xid::text::bigint FROM pg_stat_activity
               WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()
               UNION ALL
               SELECT transaction::text::bigint FROM pg_prepared_xacts WHERE database = current_database()
           )
"""


def _horizon() -> tuple[int, int | None]:
    """The oldest transaction id still running in this database (or the next id, when none is), and the
    reader's own. Only this database's transactions can write its events: a long transaction in another
    database on the same server does not hold the feed back (the server-wide snapshot's xmin would)."""
    with connection.cursor() as cursor:
        cursor.execute(RUNNING)
        next_id, own, running = cursor.fetchone()
    return min([_widened(xid, next_id) for xid in running] + [next_id]), own


def _widened(xid: int, next_id: int) -> int:
    """The 64-bit id of a 32-bit transaction id still running, by the epoch of `next_id` (a running
    transaction is less than 2^31 ids old, so it is in that epoch or the one before)."""
    full = (next_id & ~0xFFFFFFFF) | xid
    return full - 2**32 if full > next_id else full
