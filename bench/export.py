#!/usr/bin/env python
"""The CSV export of --count licenses (100,000 by default): seconds and peak memory. Not a test.

Runs licensing.exports (what the admin's "Export CSV" streams) over synthetic licenses in a scratch
PostgreSQL database on the server of DATABASE_URL, writing to nowhere, and reports the wall time and the
process's peak resident memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry .venv/bin/python bench/export.py
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from licensing import exports  # noqa: E402
from licensing.dates import local_today  # noqa: E402
from licensing.models import License  # noqa: E402
from licensing.synthetic import generate  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export() -> tuple[float, int, int]:
    """One export to nowhere, as the streaming response reads it (inside a transaction: the server-side
    cursor needs one). Returns seconds, lines and bytes."""
    started = time.perf_counter()
    size = rows = 0
    with transaction.atomic():
        for line in exports.csv_lines(exports.license_rows(License.objects.all())):
            size += len(line.encode())
            rows += 1
    return time.perf_counter() - started, rows, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL to a PostgreSQL server")
    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_export_bench"}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        generate(args.count, local_today())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()  # the export starts from a fresh connection, as a request would
        seconds, rows, size = export()
        tracemalloc.start()  # a second pass for memory: tracing slows Python down too much to time it
        export()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"export            {rows - 1:,} rows, {size / 1e6:.1f} MB of CSV in {seconds:.2f} s")
        print(
            f"peak memory       {peak / 1e6:.1f} MB allocated by the export at its peak; "
            f"{peak_mb():.0f} MB resident for the whole process (data generation included)"
        )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
