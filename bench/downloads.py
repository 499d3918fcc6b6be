#!/usr/bin/env python
"""The public download of --count licenses (100,000 by default): seconds and peak memory, against the
admin's CSV export in the same run. Not a test.

Runs on the PostgreSQL server of DATABASE_URL, in a scratch database of its own (created and dropped
again), over synthetic licenses (licensing.synthetic). Each case is the download view itself
(licensing.views.downloads) read to its end, as a server would send it, and written to nowhere:

- baseline: the admin's "Export CSV" (licensing.exports, bench/export.py): 14 flat columns, one query;
- licenses.csv, licenses.jsonl: every license as the API shows it (39 columns; the flags and
  co-grantors a chunk at a time); licenses.csv.gz: the same, gzipped for a client that asks;
- with --events, events.jsonl too (every public event, by following the events feed).

A first pass is timed; a second, traced by tracemalloc, gives the peak memory the case allocates (tracing
slows Python down too much to time it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/downloads.py [--count N]
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
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from licensing import exports  # noqa: E402
from licensing.dates import local_today  # noqa: E402
from licensing.models import License  # noqa: E402
from licensing.synthetic import generate  # noqa: E402
from licensing.views.downloads import download  # noqa: E402


def baseline():
    # Inside a transaction, as bench/export.py reads it (the admin's action runs in one).
    with transaction.atomic():
        yield from (line.encode() for line in exports.csv_lines(exports.license_rows(License.objects.all())))


def downloaded(name: str, format: str, gzipped: bool = False):
    def read():
        headers = {"HTTP_ACCEPT_ENCODING": "gzip"} if gzipped else {}
        request = RequestFactory().get(f"/downloads/{name}.{format}", SERVER_NAME="localhost", **headers)
        request.user, request.LANGUAGE_CODE = AnonymousUser(), settings.LANGUAGE_CODE
        response = download(request, dataset=name, format=format)
        assert response.status_code == 200, response.status_code
        assert (response.get("Content-Encoding") == "gzip") == gzipped
        try:
            yield from response.streaming_content
        finally:
            response.close()

    return read


def measure(read) -> tuple[float, int, float]:
    """Seconds and bytes of a pass, and the peak MB a second, traced pass allocates."""
    started = time.perf_counter()
    size = sum(len(block) for block in read())
    seconds = time.perf_counter() - started
    tracemalloc.start()
    for _block in read():
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, size, peak / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--events", action="store_true", help="also the events file (every public event)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL to a PostgreSQL server")
    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_downloads_bench"}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        generate(args.count, local_today())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"{args.count:,} synthetic licenses generated in {time.perf_counter() - started:.0f} s")
        connection.close()  # each case starts from a fresh connection, as a request would
        # A first small read, so that no case pays for what the process does once (imports, catalogues).
        for _block in downloaded("authorities", "csv")():
            pass
        cases = [
            ("baseline: admin CSV export", baseline),
            ("licenses.csv", downloaded("licenses", "csv")),
            ("licenses.jsonl", downloaded("licenses", "jsonl")),
            ("licenses.csv, gzip", downloaded("licenses", "csv", gzipped=True)),
        ]
        if args.events:
            cases.append(("events.jsonl", downloaded("events", "jsonl")))
        print(f"{'case':<28} {'seconds':>8} {'MB sent':>8} {'peak MB':>8}  {'x baseline':>10}")
        base = None
        for label, read in cases:
            seconds, size, peak = measure(read)
            base = base or seconds
            print(f"{label:<28} {seconds:8.2f} {size / 1e6:8.1f} {peak:8.1f}  {seconds / base:10.2f}")
            connection.close()
        resident = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory of the whole process (data generation included): {resident:.0f} MB")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
