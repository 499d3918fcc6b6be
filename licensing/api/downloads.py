"""The whole public register as files anyone may download: licenses, events, operators and authorities,
each as CSV and as JSON Lines, streamed a chunk at a time so that memory stays flat however large the
register grows.

Part of the API face: the files hold the API's own records, for those who want all of them at once.
The public site serves them (licensing/views/downloads.py) and a task writes the daily snapshot
(snapshots.py).

One declaration per file (DATASETS): where its records come from, exactly as the API shows each one (a
test holds the two together), and its CSV columns, each a path into that record with a description. The
JSON Lines writer, the CSV writer and the data dictionary page all read it. Drafts are in none of them
(access.public_licenses; the events feed's visible_events).
"""

import csv
import dataclasses
import datetime
import functools
import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.utils.encoders import JSONEncoder

from .. import access, compliance, event_cursor
from ..choices import (
    AuthorityKind,
    AuthorizationMode,
    DataDomain,
    DivisionLevel,
    EventAction,
    LicenseStatus,
    OperatorKind,
    SelectionMethod,
)
from ..dates import local_today
from ..exports import Echo, spreadsheet_safe
from ..models import Authority, Finding, License, LicenseEvent, Operator, Product
from .representations import license_representation, license_values, with_domains, with_flags
from .serializers import AuthoritySerializer, LicenseEventSerializer, OperatorWithFlagsSerializer

# Rows read from the database at a time (a server-side cursor on PostgreSQL). The events come a page of
# the feed at a time (event_cursor.MAX_PAGE).
CHUNK_SIZE = 2000
# Bytes handed to the server at a time: a line each would cost a write to the socket per line.
BLOCK_SIZE = 64 * 1024

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
}


@dataclasses.dataclass(frozen=True)
class Column:
    """A CSV column: `name` is its header (stable: scripts read it), `source` the field of the API's
    record it comes from (dotted into nested objects; `field[].x` takes `x` of each item of a list),
    `joined_by` what separates a list's items in one cell, `choices` the codes it may hold."""

    name: str
    description: str
    source: str = ""
    joined_by: str = ";"
    choices: type | None = None

    @property
    def path(self) -> str:
        return self.source or self.name

    @functools.cached_property
    def cell(self) -> Callable[[dict], object]:
        """The function that gives this column's cell of a record (made once: it runs for every cell)."""
        get, joined_by = _getter(self.path.split(".")), self.joined_by

        def cell(record: dict):
            value = get(record)
            if isinstance(value, list):
                return joined_by.join(str(_text(item)) for item in value)
            return _text(value)

        return cell


def _getter(parts: list[str]) -> Callable[[dict], object]:
    if len(parts) > 2 or any(part.endswith("[]") for part in parts):
        return lambda record: _pick(record, parts)
    if len(parts) == 1:
        return itemgetter(parts[0])
    outer, inner = parts
    return lambda record: None if record[outer] is None else record[outer][inner]


def _pick(value, parts: list[str]):
    if not parts or value is None:
        return value
    part, rest = parts[0], parts[1:]
    if part.endswith("[]"):
        return [_pick(item, rest) for item in value[part[:-2]]]
    return _pick(value[part], rest)


def _text(value):
    """A value of the API's record as a CSV cell: empty for null, true/false, objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=JSONEncoder)
    return value


def _chunks(rows: Iterable, size: int = CHUNK_SIZE) -> Iterator[list]:
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


# Where the records come from -------------------------------------------------------------------------


def license_records(licenses: QuerySet | None = None) -> Iterator[dict]:
    """Public licenses (of `licenses`, already filtered, if given) by number, as the API shows each: one
    query read in chunks, and for each chunk the queries of the API's list page (co-grantors, products)."""
    rows = license_values(access.public_licenses(licenses).order_by("number")).iterator(chunk_size=CHUNK_SIZE)
    for chunk in _chunks(rows):
        yield from (license_representation(row) for row in with_flags(with_domains(chunk)))


class FollowedFeed:
    """Every event the public may read, by following the events API's feed to its end (so in its order,
    and each exactly once), or `until` a cursor it gave out before; `cursor` is then where a client
    continues from for what came after."""

    def __init__(self, until: event_cursor.Cursor | None = None):
        self.cursor = event_cursor.START
        self.until = until

    def __iter__(self) -> Iterator[LicenseEvent]:
        public = AnonymousUser()
        while self.cursor != self.until:
            page = event_cursor.read(public, self.cursor, event_cursor.MAX_PAGE)
            for event in page.events:
                yield event
                # As the feed makes its cursors (event_cursor.read).
                self.cursor = event_cursor.Cursor(event.txid if event.txid is not None else -1, event.id)
                if self.cursor == self.until:
                    return
            if not page.has_more:
                return


def event_records(events: Iterable[LicenseEvent] | None = None) -> Iterator[dict]:
    """Public events, as the events API shows them to the public (no login names)."""
    # One serializer for every event: binding its fields again for each would cost more than the event.
    serializer = LicenseEventSerializer(context={"request": None})
    for event in FollowedFeed() if events is None else events:
        yield serializer.to_representation(event)


def operator_records() -> Iterator[dict]:
    """Operators, as the API lists them (with their compliance flags, computed a chunk at a time)."""
    rows = Operator.objects.order_by("name", "id").iterator(chunk_size=CHUNK_SIZE)
    for chunk in _chunks(rows):
        serializer = OperatorWithFlagsSerializer(context={"flags": compliance.operator_flags(chunk)})
        yield from (serializer.to_representation(operator) for operator in chunk)


def authority_records() -> Iterator[dict]:
    serializer = AuthoritySerializer()
    for authority in Authority.objects.order_by("division_code", "name", "id").iterator(
        chunk_size=CHUNK_SIZE
    ):
        yield serializer.to_representation(authority)


# The files ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    api_path: str
    records: Callable[..., Iterator[dict]]
    columns: tuple[Column, ...]

    def filename(self, format: str) -> str:
        return f"{self.name}.{format}"


_FLAG_CODES = Column(
    "flags", _("Codes of its compliance flags, as of the file's day."), source="flags[].code"
)

LICENSES = Dataset(
    "licenses",
    _("Licenses"),
    _("Every license past the draft stage, by number."),
    "/api/v1/licenses/<number>/",
    license_records,
    (
        Column("number", _("The license's public number.")),
        Column("reference", _("The grantor's own reference; every license has one.")),
        Column("title", _("Title.")),
        Column("status", _("Status."), choices=LicenseStatus),
        Column("status_label", _("The status in words, in the file's language.")),
        Column("status_changed_at", _("When the status last changed (ISO 8601).")),
        Column("grantor_id", _("Lead grantor: id (see authorities)."), source="grantor.id"),
        Column("grantor_name", _("Lead grantor: name."), source="grantor.name"),
        Column("grantor_division_code", _("Lead grantor: division code."), source="grantor.division_code"),
        Column("co_grantor_ids", _("Co-grantors: ids (see authorities)."), source="co_grantors[].id"),
        Column(
            "implementing_body_id",
            _("Implementing body: id (see authorities)."),
            source="implementing_body.id",
        ),
        Column("operator_id", _("Operator: id (see operators)."), source="operator.id"),
        Column("operator_name", _("Operator: name."), source="operator.name"),
        Column("operator_uscc", _("Operator: unified social credit code."), source="operator.uscc"),
        Column("data_domains", _("Codes of the data domains it lists."), choices=DataDomain),
        Column("covers_all_domains", _("Whether it authorizes every domain (a whole authorization).")),
        Column("authorization_mode", _("Authorization mode."), choices=AuthorizationMode),
        Column("scope", _("Scope of the authorization.")),
        Column("selection_method", _("How the operator was selected."), choices=SelectionMethod),
        Column("term_start", _("First day of the term (YYYY-MM-DD).")),
        Column("term_end", _("Last day of the term; empty when not published.")),
        Column("term_end_published", _("Whether the term's end is published.")),
        Column(
            "term_approximate",
            _("Whether the term's days are approximate (the sources give a month or a year)."),
        ),
        Column("term_exception_reason", _("Why the term exceeds the usual maximum, if it does.")),
        Column("signed_on", _("Day the agreement was signed.")),
        Column("filed_on", _("Day it was filed with the data administration.")),
        Column("consideration", _("Consideration in CNY (two decimals); empty when not published.")),
        Column("consideration_note", _("Note on the consideration.")),
        Column("legal_basis", _("Legal basis.")),
        Column("source_urls", _("Addresses of its published sources, separated by spaces."), joined_by=" "),
        Column("remarks", _("Remarks.")),
        Column("predecessor", _("Number of the license it renews.")),
        Column("successor", _("Number of the license that renews it.")),
        Column("call", _("Id of the selection call it came from.")),
        _FLAG_CODES,
        Column("origin", _("How it entered the registry.")),
        Column("version", _("Version: goes up by one with each change.")),
        Column("created_at", _("When the registry recorded it (ISO 8601).")),
        Column("updated_at", _("When the registry last changed it (ISO 8601).")),
    ),
)

EVENTS = Dataset(
    "events",
    _("Events"),
    _("Every public lifecycle event, in the order of the events API."),
    "/api/v1/events/",
    event_records,
    (
        Column("id", _("The event's id.")),
        Column("license", _("Number of the license.")),
        Column("license_reference", _("Reference of the license.")),
        Column("action", _("What happened."), choices=EventAction),
        Column("from_status", _("Status before."), choices=LicenseStatus),
        Column("to_status", _("Status after."), choices=LicenseStatus),
        Column("reason", _("Reason given.")),
        Column("changes", _("Fields changed, as JSON: each with its old and new value.")),
        Column("occurred_on", _("Day it took effect, as recorded.")),
        Column("effective_on", _("Day it took effect, as last corrected.")),
        Column("created_at", _("When the registry recorded it (ISO 8601).")),
        Column("actor", _("Who acted: the authority they acted for.")),
        Column("corrects", _("On a correction: the id of the event it corrects.")),
        Column("corrected_by", _("Id of the event's latest correction.")),
    ),
)

OPERATORS = Dataset(
    "operators",
    _("Operators"),
    _("Every registered operator, by name."),
    "/api/v1/operators/<uscc-or-id>/",
    operator_records,
    (
        Column("id", _("The operator's id.")),
        Column("name", _("Name.")),
        Column("name_en", _("Name in English.")),
        Column("aliases", _("Other names, separated by semicolons.")),
        Column("uscc", _("Unified social credit code; empty when not published.")),
        Column("uscc_note", _("Why there is no code, where there is none.")),
        Column("kind", _("Kind of entity."), choices=OperatorKind),
        Column("website", _("Website.")),
        _FLAG_CODES,
    ),
)

AUTHORITIES = Dataset(
    "authorities",
    _("Authorities"),
    _("Every authority: grantors, implementing bodies and the administrations above them."),
    "/api/v1/authorities/<id>/",
    authority_records,
    (
        Column("id", _("The authority's id.")),
        Column("name", _("Name.")),
        Column("name_en", _("Name in English.")),
        Column("division_code", _("Division code of its area (GB/T 2260); 100000 for national bodies.")),
        Column("level", _("Administrative level, from the division code."), choices=DivisionLevel),
        Column("kind", _("Kind of authority."), choices=AuthorityKind),
        Column("uscc", _("Unified social credit code.")),
    ),
)

DATASETS = {dataset.name: dataset for dataset in (LICENSES, EVENTS, OPERATORS, AUTHORITIES)}


# Writers --------------------------------------------------------------------------------------------


def jsonl_lines(records: Iterable[dict]) -> Iterator[str]:
    """A JSON object per line, the record as the API gives it (DRF's encoder, as its renderer uses)."""
    encoder = JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    for record in records:
        yield encoder.encode(record) + "\n"


def csv_lines(dataset: Dataset, records: Iterable[dict]) -> Iterator[str]:
    """CSV: a byte-order mark (spreadsheet programs then read the Chinese as UTF-8), the column names,
    a line per record. Every cell is spreadsheet-safe (exports.spreadsheet_safe)."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow([column.name for column in dataset.columns])
    cells = [column.cell for column in dataset.columns]
    for record in records:
        yield writer.writerow([spreadsheet_safe(cell(record)) for cell in cells])


def lines(dataset: Dataset, format: str, records: Iterable[dict]) -> Iterator[str]:
    return csv_lines(dataset, records) if format == "csv" else jsonl_lines(records)


def blocks(text: Iterable[str], size: int = BLOCK_SIZE) -> Iterator[bytes]:
    """The text as UTF-8 in blocks of about `size` bytes."""
    buffer, length = [], 0
    for piece in text:
        data = piece.encode()
        buffer.append(data)
        length += len(data)
        if length >= size:
            yield b"".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield b"".join(buffer)


def in_language(language: str, pieces: Iterable) -> Iterator:
    """`pieces`, each made with `language` active: a streamed body is made after its view has returned,
    when the request's language is no longer the thread's."""
    pieces = iter(pieces)
    while True:
        with translation.override(language):
            piece = next(pieces, None)
        if piece is None:
            return
        yield piece


# Validators: what a conditional GET compares -------------------------------------------------------


def _stamp_sql() -> str:
    """The latest change of anything a file shows, the latest event (by its id, which the primary key
    indexes), and the row counts that a deletion would lower. The text holds only the models' own table
    names: no input reaches it."""
    table = {
        model: connection.ops.quote_name(model._meta.db_table)
        for model in (License, Operator, Authority, Product, Finding, LicenseEvent)
    }
    events = table[LicenseEvent]
    changed = (License, Operator, Authority, Product, Finding)
    parts = [f"(SELECT MAX(updated_at) FROM {table[model]})" for model in changed]  # noqa: S608
    parts.append(f"(SELECT MAX(id) FROM {events})")  # noqa: S608
    parts.append(f"(SELECT created_at FROM {events} ORDER BY id DESC LIMIT 1)")  # noqa: S608
    parts += [f"(SELECT COUNT(*) FROM {table[model]})" for model in (License, Operator, Authority)]  # noqa: S608
    return "SELECT " + ", ".join(parts)


@dataclasses.dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime.datetime


def validators(*parts) -> Validators:
    """An ETag and a Last-Modified for a file, from one query of maxima and counts (_stamp_sql: a few
    milliseconds at 100,000 licenses, where the file takes seconds): they change whenever a record
    could. The flags depend on the day too, so the day is part of the ETag, and Last-Modified is never
    before the day's start. `parts`: what else the file depends on (its name, format, filters,
    language)."""
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql())
        stamp = cursor.fetchone()
    today = local_today()
    times = [_as_datetime(value) for value in (*stamp[:5], stamp[6])]
    day_start = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    last_modified = max([day_start, *(t for t in times if t is not None)])
    raw = repr((today.isoformat(), stamp, *parts)).encode()
    return Validators(f'"{hashlib.sha256(raw).hexdigest()[:32]}"', last_modified)


def _as_datetime(value) -> datetime.datetime | None:
    # A raw query's timestamps: datetimes on PostgreSQL, text on SQLite (stored in UTC).
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value
