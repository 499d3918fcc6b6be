#!/usr/bin/env python
"""Response bodies before and after a change, compared byte for byte over a sample of paths. Not a test.

What it does:
- `record OUT.json.gz`: asks in process (Django's test client; bench settings, debug off, throttling off,
  as profile.py) for a sample of --per-case paths of each read case of throughput.py, and of the verify
  page, against the database and Redis of DATABASE_URL and REDIS_URL (a database such as the one
  `throughput.py --keep` or `bodies.py setup` leaves). The sample is drawn, seeded, from the case's sorted
  distinct paths, so the same database gives the same sample in any checkout. The cache's keys take a
  prefix of the run's own; before each case the cache is invalidated, and each path is then asked for cold
  (its body is built) and at once warm (served from the cache), the two answers compared on the spot. It
  writes each path's status, Content-Type and the sha256 of its cold body.
- `compare BEFORE.json.gz`: asks for the same paths with the code of this checkout (or, with --against,
  reads a second file) and prints, case by case, the identical and the different answers. Exits 1 if any
  differs, if a warm answer differed from its cold one, or if the two samples are not the same paths.
- `setup [--count N]`: makes the database as throughput.py --keep does (`<name>_http_bench`), and stops.

One thing is stripped before hashing: the visitor's CSRF token in a page's forms (each visitor has their
own). Request ids and ETags are headers, not bodies. The pages and verdicts show today, so both runs
must be made the same day: compare refuses files of different days.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/bodies.py record before.json.gz    # in a checkout of the old commit
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/bodies.py compare before.json.gz   # in the new one
"""

import argparse
import collections
import gzip
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection
from django.test import Client

import licensing
from bench import inprocess, throughput  # inprocess first: it sets Django up, for the bench
from licensing import cache
from licensing.dates import local_today
from licensing.models import License, Operator

# The code under test must be this checkout's. Celery's Django fixup puts the working directory first on
# sys.path, so run from elsewhere, the script would import another checkout's apps.
if not Path(licensing.__file__).resolve().is_relative_to(inprocess.ROOT):
    sys.exit(f"licensing is imported from {Path(licensing.__file__).parent}: run this from {inprocess.ROOT}")

# The run's own prefix for the cache's keys: a registry on the same Redis database (a throughput.py run, a
# record in another checkout) must neither serve its bodies into this run nor have its cache invalidated.
KEY_PREFIX = f"bench-bodies-{os.getpid()}-{time.time_ns()}"
settings.CACHES["default"]["KEY_PREFIX"] = KEY_PREFIX

CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
SHOWN = 5  # differing paths listed per case


def sample(per_case, seed):
    """Each case's sample: `per_case` of its distinct paths (all of them if fewer), sorted."""
    # Sorted, because the database returns rows in no set order and case_paths draws from these lists.
    numbers = sorted(License.objects.exclude(status="draft").values_list("number", flat=True))
    usccs = sorted(Operator.objects.exclude(uscc="").values_list("uscc", flat=True))
    names = sorted(Operator.objects.values_list("name_en", flat=True))
    paths = throughput.case_paths(numbers, usccs, names)
    for case in (throughput.BARE, throughput.FLOOR):  # not the product's answers
        del paths[case]
    chosen = {}
    for case, case_paths in paths.items():
        distinct = sorted(set(case_paths))
        rng = random.Random(f"{seed}:{case}")  # per case: one case's size does not move another's sample
        chosen[case] = sorted(rng.sample(distinct, min(per_case, len(distinct))))
    return chosen


def answer(client, path):
    """Status, Content-Type and the sha256 of the body without the CSRF token, as a new visitor gets it."""
    client.cookies.clear()  # no CSRF or session cookie: an anonymous visitor's first request
    response = client.get(path)
    body = CSRF_TOKEN.sub(b"", response.content)
    return [response.status_code, response.get("Content-Type", ""), hashlib.sha256(body).hexdigest()]


def record(paths):
    """Every path's cold answer, and the paths whose warm answer differed from it, case by case."""
    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    cases = {}
    for case, case_paths in paths.items():
        started = time.perf_counter()
        cache.bump()  # every body cached so far is stale: the first request of each path builds it
        answers, warm_differs = {}, []
        for path in case_paths:
            answers[path] = answer(client, path)
            if answer(client, path) != answers[path]:
                warm_differs.append(path)
        statuses = collections.Counter(status for status, _, _ in answers.values())
        print(
            f"{case}: {len(answers):,} path{'' if len(answers) == 1 else 's'}, "
            + ", ".join(f"{count:,} {status}s" for status, count in sorted(statuses.items()))
            + f", {len(warm_differs):,} warm answers not the cold one"
            + f" ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        cases[case] = {"answers": answers, "warm_differs": warm_differs}
    return cases


def _checkout():
    def git(*args):
        return subprocess.run(
            ["git", "-C", str(inprocess.ROOT), *args], capture_output=True, text=True
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit} with uncommitted changes" if changed else commit


def run(paths, seed=None):
    """A recording: the answers, and what they were made with."""
    day = local_today().isoformat()
    try:
        cases = record(paths)
    finally:
        _drop_keys()
    recording = {
        "day": day,
        "checkout": _checkout(),
        "database": settings.DATABASES["default"]["NAME"],
        "seed": seed,
        "cases": cases,
    }
    if local_today().isoformat() != day:
        sys.exit(f"the day changed during the run ({day} to {local_today()}): run it again")
    return recording


def _drop_keys():
    """Deletes the run's keys: its counters are stored without expiry."""
    import redis

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = list(client.scan_iter(match=f"{KEY_PREFIX}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def _check_services(parser):
    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL to a PostgreSQL database")
    if not os.environ.get("REDIS_URL") or "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        parser.error("set REDIS_URL (the cache), e.g. redis://127.0.0.1:6379/11")
    if django_cache.key_prefix != KEY_PREFIX:  # the cache was made before the prefix was set
        parser.error(f"the cache's key prefix is {django_cache.key_prefix!r}, not the run's own")
    try:
        django_cache.set("bench:bodies:probe", 1, 10)
    except Exception as error:  # without the cache, warm answers would be built too
        parser.error(f"the cache at REDIS_URL does not answer: {error}")


def _read(path):
    with gzip.open(path, "rt") as file:
        return json.load(file)


def _describe(label, recording):
    return f"{label} {recording['checkout']}, {recording['day']}, database {recording['database']}"


def compare(before, after):
    """Prints the comparison; True if every answer is the same and the samples are the same paths."""
    print(_describe("before:", before))
    print(_describe("after: ", after))
    if before["day"] != after["day"]:
        sys.exit("the runs were made on different days, and the bodies show the day: record both on one day")
    if before["database"] != after["database"]:
        print("warning: not the same database")
    same = True
    rows, listed = [], []
    for case in dict.fromkeys([*before["cases"], *after["cases"]]):
        if case not in before["cases"] or case not in after["cases"]:
            print(f"{case}: only in {'after' if case in after['cases'] else 'before'}")
            same = False
            continue
        old, new = before["cases"][case]["answers"], after["cases"][case]["answers"]
        if list(old) != list(new):
            print(f"{case}: not the same sample ({len(set(old) ^ set(new)):,} paths in only one of them)")
            same = False
        common = [path for path in old if path in new]
        different = [path for path in common if old[path] != new[path]]
        warm = len(before["cases"][case]["warm_differs"]) + len(after["cases"][case]["warm_differs"])
        rows.append((case, len(common), len(common) - len(different), len(different), warm))
        same = same and not different and not warm
        for path in different[:SHOWN]:
            (old_status, old_type, old_sha), (new_status, new_type, new_sha) = old[path], new[path]
            what = [
                name
                for name, a, b in (("status", old_status, new_status), ("type", old_type, new_type))
                if a != b
            ] + (["body"] if old_sha != new_sha else [])
            listed.append(
                f"  {case}: {path}\n    {old_status} {old_type} -> {new_status} {new_type}; "
                f"not the same: {', '.join(what)}"
            )
        if len(different) > SHOWN:
            listed.append(f"  {case}: and {len(different) - SHOWN:,} more")
        for when in ("before", "after"):
            for path in (before if when == "before" else after)["cases"][case]["warm_differs"][:SHOWN]:
                listed.append(f"  {case}: {path}\n    {when}, the warm answer was not the cold one")
    print(f"\n{'case':<30} {'paths':>7} {'identical':>10} {'different':>10} {'warm≠cold':>10}")
    for case, paths, identical, different, warm in rows:
        print(f"{case:<30} {paths:>7,} {identical:>10,} {different:>10,} {warm:>10,}")
    if listed:
        print("\nDifferences (before -> after):")
        print("\n".join(listed))
    total = sum(row[1] for row in rows)
    print(f"\n{'all' if same else 'NOT all'} of {total:,} answers identical (status, Content-Type and body)")
    return same


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    record_parser = commands.add_parser("record", help="record the answers of a sample of paths")
    record_parser.add_argument("out", help="the file to write (.json.gz)")
    record_parser.add_argument("--per-case", type=int, default=1000, help="paths per case")
    record_parser.add_argument("--seed", type=int, default=1, help="of the sample")
    compare_parser = commands.add_parser("compare", help="compare with a recorded file")
    compare_parser.add_argument("before", help="a file `record` wrote")
    compare_parser.add_argument("--against", help="a second recorded file, instead of asking afresh")
    setup_parser = commands.add_parser("setup", help="make the database, as throughput.py --keep does")
    setup_parser.add_argument("--count", type=int, default=20_000, help="synthetic licenses")
    args = parser.parse_args()

    if args.command == "setup":
        if connection.vendor != "postgresql":
            parser.error("set DATABASE_URL to a PostgreSQL server")
        started = time.perf_counter()
        name = throughput.scratch_database()
        throughput.fill_database(args.count)
        made = time.perf_counter() - started
        print(f"made {name} in {made:.0f} s: DATABASE_URL={throughput._database_url(name)}")
    elif args.command == "record":
        _check_services(parser)
        recording = run(sample(args.per_case, args.seed), args.seed)
        with gzip.open(args.out, "wt") as file:
            json.dump(recording, file)
        print(f"written {args.out}")
    else:
        before = _read(args.before)
        if args.against:
            after = _read(args.against)
        else:
            _check_services(parser)
            if before["day"] != local_today().isoformat():  # before spending minutes on it
                sys.exit(f"{args.before} was recorded on {before['day']}, and the bodies show the day")
            after = run({case: list(found["answers"]) for case, found in before["cases"].items()})
            print()
        sys.exit(0 if compare(before, after) else 1)


if __name__ == "__main__":
    main()
