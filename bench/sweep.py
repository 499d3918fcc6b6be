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
import shutil
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

from licensing import outbox, reminders, sweep  # noqa: E402
from licensing.dates import local_today  # noqa: E402
from licensing.sweep import run_full_sweep  # noqa: E402
from licensing.synthetic import generate  # noqa: E402
from registry.celery import app as celery_app  # noqa: E402


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def populate(count: int, today: datetime.date) -> dict:
    """Bulk-insert `count` licenses (licensing.synthetic), about 1% due; returns how many of each kind."""
    return generate(count, today).due


PHASES = [
    ("activate/end", sweep, "run_sweep"),
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
    # About 2 GB of table and index per million licenses with their events; ask for twice that.
    needed_gb = max(1.0, 4.0 * args.count / 1_000_000)
    where = "/var/lib/postgresql" if Path("/var/lib/postgresql").exists() else "/"
    free_gb = shutil.disk_usage(where).free / 1e9
    if free_gb < needed_gb:
        raise SystemExit(
            f"not enough free disk for {args.count:,} licenses: {free_gb:.1f} GB free under {where}, "
            f"{needed_gb:.1f} GB needed"
        )

    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_sweep_bench"}
    # Publish send tasks for real, to a broker nobody consumes: the sweep's cost, not the emails'.
    celery_app.conf.update(task_always_eager=False, broker_url="memory://localhost/")
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
