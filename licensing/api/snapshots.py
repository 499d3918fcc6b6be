"""The daily snapshot: every file of licensing.api.downloads as of one day, in one zip file, kept for
LICENSING_SNAPSHOT_DAYS days under LICENSING_SNAPSHOT_DIR. Beat writes one a day (tasks.write_snapshot);
`manage.py write_snapshot` writes one by hand.

Each zip's manifest.json gives the cursor of the events API at the snapshot: a client that loads a
snapshot follows /api/v1/events/?since=<cursor> for every change after it, and misses none (the events
file of the snapshot is read by following that very feed to its end).
"""

import dataclasses
import datetime
import json
import os
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation

from ..dates import local_today
from . import downloads

NAME = re.compile(r"register-(\d{4}-\d{2}-\d{2})\.zip")
MANIFEST = "manifest.json"


def directory() -> Path:
    return Path(settings.LICENSING_SNAPSHOT_DIR)


def filename(day: datetime.date) -> str:
    return f"register-{day.isoformat()}.zip"


@dataclasses.dataclass(frozen=True)
class Snapshot:
    day: datetime.date
    path: Path
    size: int

    @property
    def filename(self) -> str:
        return self.path.name

    def manifest(self) -> dict:
        """What the zip says of itself (the events cursor, the rows of each file); {} if unreadable."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                return json.loads(archive.read(MANIFEST))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            return {}


def listing() -> list[Snapshot]:
    """The snapshots on disk, newest first."""
    found = []
    folder = directory()
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        match = NAME.fullmatch(path.name)
        if match:
            try:
                day = datetime.date.fromisoformat(match[1])
            except ValueError:
                continue
            found.append(Snapshot(day, path, path.stat().st_size))
    return sorted(found, key=lambda snapshot: snapshot.day, reverse=True)


def find(day: datetime.date) -> Snapshot | None:
    return next((snapshot for snapshot in listing() if snapshot.day == day), None)


def write(day: datetime.date | None = None) -> Snapshot:
    """The snapshot of `day` (today), replacing one written earlier that day, then prune. Written to a
    temporary file renamed into place, so that no reader sees half a zip. In the site's default
    language (the status and flag labels of the records)."""
    day = day or local_today()
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / filename(day)
    partial = folder / f".{target.name}.{os.getpid()}.partial"
    rows, cursor = {}, None
    try:
        with (
            translation.override(settings.LANGUAGE_CODE),
            zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            for dataset in downloads.DATASETS.values():
                for format in downloads.FORMATS:
                    if dataset is downloads.EVENTS:
                        # Both formats hold the same events: the second stops where the first ended.
                        events = downloads.FollowedFeed(until=cursor)
                        records = downloads.event_records(events)
                    else:
                        records = dataset.records()
                    name = dataset.filename(format)
                    rows[name] = _write_member(archive, name, dataset, format, records)
                    if dataset is downloads.EVENTS:
                        cursor = events.cursor
            manifest = {
                "day": day.isoformat(),
                "written_at": timezone.now().isoformat(),
                "events_cursor": cursor.encode(),
                "rows": rows,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    prune(day)
    return Snapshot(day, target, target.stat().st_size)


def _write_member(archive, name, dataset, format, records) -> int:
    """Writes one file into the zip, a block at a time; returns its records."""
    count = 0

    def counted():
        nonlocal count
        for record in records:
            count += 1
            yield record

    # Its size is not known before it is written, and a large register's may pass 2 GiB.
    with archive.open(name, "w", force_zip64=True) as member:
        for block in downloads.blocks(downloads.lines(dataset, format, counted())):
            member.write(block)
    return count


def prune(today: datetime.date | None = None) -> list[Path]:
    """Removes the snapshots older than LICENSING_SNAPSHOT_DAYS days (today counts as one)."""
    today = today or local_today()
    oldest = today - datetime.timedelta(days=settings.LICENSING_SNAPSHOT_DAYS - 1)
    removed = []
    for snapshot in listing():
        if snapshot.day < oldest:
            snapshot.path.unlink(missing_ok=True)
            removed.append(snapshot.path)
    return removed
