#!/usr/bin/env python
"""Benchmark of the sweep: N licenses (100,000 by default), about 1% of them due, one sweep; prints seconds
and queries. Not a test.

Runs on the PostgreSQL server of DATABASE_URL, in a scratch database of its own (created, migrated and
dropped again; --keep keeps it), so the configured database is never touched. Rows are bulk-inserted and
marked as synthetic. The due 1%: 0.3% granted licenses whose term has started, 0.3% licenses in force whose
term has passed, 0.4% licenses in force within a reminder window. Send tasks are published to an in-memory
broker (nothing consumes them), so the figures are the sweep's own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry .venv/bin/python bench/sweep.py [--count 1000000]
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from licensing import outbox, reminders  # noqa: E402
from licensing.choices import (  # noqa: E402
    AuthorityKind,
    AuthorizationMode,
    DataDomain,
    LicenseStatus,
    RecordOrigin,
    SelectionMethod,
)
from licensing.dates import local_today  # noqa: E402
from licensing.identifiers import uscc_check_character  # noqa: E402
from licensing.models import Authority, Domain, License, Operator  # noqa: E402
from licensing.reminders import run_full_sweep  # noqa: E402
from registry.celery import app as celery_app  # noqa: E402

D = datetime.timedelta
CHUNK = 5000
DIVISIONS = ["330100", "330200", "310000", "440100", "440300", "510100", "420100", "320100", "370200"]


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def populate(count: int, today: datetime.date) -> dict:
    """Bulk-insert `count` licenses, about 1% due; returns how many of each kind are due."""
    (health,) = Domain.objects.for_codes([DataDomain.HEALTH])
    authorities = Authority.objects.bulk_create(
        Authority(
            name=f"Synthetic authority {code}",
            division_code=code,
            kind=AuthorityKind.DATA_AUTHORITY,
            origin=RecordOrigin.SYNTHETIC,
        )
        for code in DIVISIONS
    )
    operators = []
    for start in range(0, max(count // 100, 1), CHUNK):
        batch = []
        for i in range(start, min(start + CHUNK, max(count // 100, 1))):
            body = f"91330100MA{i:07d}"
            batch.append(
                Operator(
                    name=f"Synthetic operator {i}",
                    uscc=body + uscc_check_character(body),
                    contact_emails=f"ops{i}@operator.example",
                    origin=RecordOrigin.SYNTHETIC,
                )
            )
        operators += Operator.objects.bulk_create(batch)
    due = {"activation": 0, "expiry": 0, "reminder": 0}
    through = License.data_domains.through
    for start in range(0, count, CHUNK):
        licenses = []
        for i in range(start, min(start + CHUNK, count)):
            grantor = authorities[i % len(authorities)]
            slot = i % 1000  # 10 in 1000 are due
            if slot < 3:
                kind, status = "activation", LicenseStatus.GRANTED
                term_start, term_end = today - D(days=slot), today + D(days=3 * 365)
            elif slot < 6:
                kind, status = "expiry", LicenseStatus.ACTIVE
                term_start, term_end = today - D(days=3 * 365), today - D(days=slot - 2)
            elif slot < 10:
                kind, status = "reminder", LicenseStatus.ACTIVE
                term_start, term_end = today - D(days=365), today + D(days=(i // 1000) % 91)
            else:
                kind = None
                status = LicenseStatus.EXPIRED if slot < 100 else LicenseStatus.ACTIVE
                if status == LicenseStatus.EXPIRED:
                    term_start, term_end = today - D(days=4 * 365), today - D(days=365)
                else:
                    term_start, term_end = today - D(days=365), today + D(days=91 + i % 1400)
            if kind:
                due[kind] += 1
            licenses.append(
                License(
                    number=f"{grantor.division_code}-2025-{i:07d}",
                    title=f"Synthetic license {i}",
                    grantor=grantor,
                    operator=operators[i % len(operators)],
                    authorization_mode=AuthorizationMode.BY_DOMAIN,
                    scope="Synthetic benchmark data.",
                    selection_method=SelectionMethod.OPEN_TENDER,
                    term_start=term_start,
                    term_end=term_end,
                    status=status,
                    origin=RecordOrigin.SYNTHETIC,
                )
            )
        created = License.objects.bulk_create(licenses)
        through.objects.bulk_create(through(license_id=row.pk, domain_id=health.pk) for row in created)
    return due


PHASES = [
    ("activate/end", reminders, "run_sweep"),
    ("record reminders", reminders, "create_due_reminders"),
    ("enqueue sends", outbox, "dispatch_due"),
]


def _timed(function, label, phases):
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[label] += time.perf_counter() - started

    return timed


def timed_sweep() -> tuple[float, int, object, dict]:
    """One sweep, with its seconds and queries, and the seconds of each phase."""
    counter = QueryCounter()
    phases = {}
    originals = [(module, name, getattr(module, name)) for _label, module, name in PHASES]
    for (label, _module, _name), (module, name, function) in zip(PHASES, originals, strict=True):
        phases[label] = 0.0
        setattr(module, name, _timed(function, label, phases))
    try:
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            report = run_full_sweep()
            seconds = time.perf_counter() - started
    finally:
        for module, name, function in originals:
            setattr(module, name, function)
    return seconds, counter.count, report, phases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="licenses to create (default 100000)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL to a PostgreSQL server: the figures are for PostgreSQL")

    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_sweep_bench"}
    # Publish send tasks for real, to a broker nobody consumes: the sweep's cost, not the emails'.
    celery_app.conf.update(task_always_eager=False, broker_url="memory://")
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        today = local_today()
        started = time.perf_counter()
        due = populate(args.count, today)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"database          {name} (scratch)")
        print(f"licenses          {args.count:,} created in {time.perf_counter() - started:.1f} s")
        print(
            f"due               {sum(due.values()):,} ({due['activation']:,} to activate, "
            f"{due['expiry']:,} to end, {due['reminder']:,} to remind)"
        )
        for label in ("sweep", "sweep again"):
            seconds, queries, report, phases = timed_sweep()
            print(f"{label:<17} {seconds:.2f} s, {queries:,} queries: {report}")
            print(" " * 18 + ", ".join(f"{phase} {spent:.2f} s" for phase, spent in phases.items()))
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
