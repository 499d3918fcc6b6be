#!/usr/bin/env python
"""Throughput of the read paths, as ratios to a floor measured in the same run. Not a test.

What it does:
1. Creates a scratch PostgreSQL database on the server of DATABASE_URL, migrates it, and fills it with
   --count synthetic licenses (20,000 by default; licensing.synthetic) and the demo data.
2. Serves the registry with gunicorn (2 workers) against it, with Redis as the cache (REDIS_URL, its own
   database number), debug off and throttling off, exactly as configured otherwise, plus the floor view
   (bench/floor.py: one single-row lookup as JSON). Beside it, on another port, a second gunicorn serves
   the bare floor (bench/bare.py: the same row through one cursor, in a Django with no middleware and no
   app), so that every case is also reported against the least Django can do at all.
3. Loads each case from a separate process (wrk) for --seconds at --connections, over at least 10,000
   random license numbers, plain GETs (the conditional case alone sends If-None-Match, with each path's
   current ETag, and expects 304); every other answer is counted as an error.
   Rounds of every case (floor included) are repeated --rounds times; the table shows medians. Two
   states of the cache are measured:
   - cold: each round starts right after the cache is invalidated (as after any committed change), so
     nearly every request builds its answer;
   - warm: the steady state of a registry under constant reads, once every distinct path of the case
     has been asked for (the cache keeps a body until a change or 10 minutes).
4. Drops the scratch database (unless --keep).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/throughput.py
"""

import argparse
import concurrent.futures
import contextlib
import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from licensing import cache  # noqa: E402
from licensing.dates import local_today  # noqa: E402
from licensing.models import License, Operator  # noqa: E402
from licensing.synthetic import generate  # noqa: E402

# A line of the paths file is a path, or a path, a tab and the ETag to send as If-None-Match.
LUA = """
local paths, etags = {}, {}
for line in io.lines("%(paths)s") do
  local path, etag = line:match("^([^\t]+)\t?(.*)$")
  paths[#paths + 1] = path
  etags[#etags + 1] = etag
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) errors = 0 end
function request()
  local i = math.random(#paths)
  if etags[i] ~= "" then return wrk.format("GET", paths[i], {["If-None-Match"] = etags[i]}) end
  return wrk.format("GET", paths[i])
end
function response(status, headers, body) if status ~= %(expected)d then errors = errors + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("errors") end
  io.write(string.format("NON200 %%d\\n", total))
end
"""


FLOOR = "floor (registry's stack)"
BARE = "bare floor (no middleware)"
CONDITIONAL = "API detail, If-None-Match (304)"


def case_paths(numbers, usccs, names, seed=7):
    """Each case's request paths (at least 10,000 distinct license numbers where a case takes one)."""
    rng = random.Random(seed)
    filters = ["status=active", "status=active&domain=health", "division=33", "status=expired&mode=by_domain"]
    return {
        BARE: [f"/bench/bare/{n}/" for n in numbers],
        FLOOR: [f"/bench/floor/{n}/" for n in numbers],
        "API license detail": [f"/api/v1/licenses/{n}/" for n in numbers],
        "API list (50/page, filters)": [
            f"/api/v1/licenses/?{rng.choice(filters)}&page_size=50&page={rng.randint(1, 5)}"
            for _ in range(10_000)
        ],
        "API verify": [f"/api/v1/verify/?uscc={rng.choice(usccs)}" for _ in range(10_000)]
        + [f"/api/v1/verify/?name={quote(rng.choice(names))}" for _ in range(2_000)],
        "public license page": [f"/licenses/{n}/" for n in numbers],
        "verify page": [f"/verify/?q={rng.choice(usccs)}" for _ in range(10_000)],
        "home page": ["/"],
    }


def scratch_database():
    """Creates the scratch database, `<DATABASE_URL's name>_http_bench` (dropped first if it is there),
    migrated, and points the connection at it; returns its name."""
    database = settings.DATABASES["default"]
    database["TEST"] = {**database.get("TEST", {}), "NAME": f"{database['NAME']}_http_bench"}
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def fill_database(count):
    """`count` synthetic licenses and the demo data, in the database the connection uses."""
    generate(count, local_today())
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def wrk(base, paths, seconds, connections, workdir, expected=200):
    paths_file = Path(workdir) / f"paths-{abs(hash(paths[0]))}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = Path(workdir) / "random.lua"
    script.write_text(LUA % {"paths": paths_file, "expected": expected})
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = int(re.search(r"NON200 (\d+)", out).group(1))
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return rps, errors, socket_errors.group(1) if socket_errors else ""


@contextlib.contextmanager
def gunicorn(database_name, port, redis_url, app="registry.wsgi:application"):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "API_THROTTLE": "false",
        "REDIS_URL": redis_url,
        "DATABASE_URL": _database_url(database_name),
        "DATABASE_CONN_MAX_AGE": "600",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            app,
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--env",
            "DJANGO_SETTINGS_MODULE=bench.settings",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                probe.request("GET", "/")
                probe.getresponse().read()
                probe.close()
                break  # it answers (what it answers is checked per case)
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _database_url(name):
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fill(base, paths, workers=8):
    """Ask once for every distinct path (8 at a time, each on its own kept-alive connection), so that
    the cache holds them all; the number of answers that were not 200."""
    address = urllib.parse.urlsplit(base)
    local = threading.local()

    def get(path):
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        local.connection.request("GET", path)
        response = local.connection.getresponse()
        response.read()
        return response.status == 200

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return sum(1 for ok in pool.map(get, sorted(set(paths))) if not ok)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reachable(base, path):
    """Whether `path` answers 200 itself (a redirect does not count)."""
    try:
        with urllib.request.build_opener(_NoRedirect).open(base + path, timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def etags(base, paths, count=2_000):
    """`count` of `paths`, each with the ETag it answers with now: the conditional case's lines."""
    address = urllib.parse.urlsplit(base)
    lines = []
    client = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    for path in paths[:count]:
        client.request("GET", path)
        response = client.getresponse()
        response.read()
        if response.getheader("ETag"):
            lines.append(f"{path}\t{response.getheader('ETag')}")
    client.close()
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20_000, help="synthetic licenses (at least 10000)")
    parser.add_argument("--seconds", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=3, help="repetitions; medians are shown")
    parser.add_argument("--port", type=int, default=0, help="the registry's (default: a free one)")
    parser.add_argument("--bare-port", type=int, default=0, help="the bare floor's (default: a free one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    args.port = args.port or _free_port()
    args.bare_port = args.bare_port or _free_port()
    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL to a PostgreSQL server")
    redis_url = os.environ.get("REDIS_URL") or parser.error(
        "set REDIS_URL (the cache), e.g. redis://127.0.0.1:6379/11"
    )
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")

    name = scratch_database()
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    try:
        started = time.perf_counter()
        fill_database(args.count)
        numbers = list(License.objects.exclude(status="draft").values_list("number", flat=True))
        usccs = list(Operator.objects.exclude(uscc="").values_list("uscc", flat=True))
        names = list(Operator.objects.values_list("name_en", flat=True)[:2000])
        made = time.perf_counter() - started
        print(f"data              {len(numbers):,} public licenses in {name}, made in {made:.0f} s")
        connection.close()
        paths = case_paths(numbers, usccs, names)
        with (
            tempfile.TemporaryDirectory() as workdir,
            gunicorn(name, args.port, redis_url) as base,
            gunicorn(name, args.bare_port, redis_url, app="bench.bare:application") as bare_base,
        ):
            bases = {case: bare_base if case == BARE else base for case in paths}
            cases = [case for case, case_list in paths.items() if _reachable(bases[case], case_list[0])]
            for case in paths:
                if case not in cases:
                    print(f"skipped           {case}: {paths[case][0]} does not answer 200 here")
            if "API license detail" in cases:
                paths[CONDITIONAL] = etags(base, paths["API license detail"])
                bases[CONDITIONAL] = base
                cases.append(CONDITIONAL)
            expected = {CONDITIONAL: 304}
            warm = {case: [] for case in cases}
            cold = {case: [] for case in cases}

            def load(case, seconds):
                return wrk(
                    bases[case], paths[case], seconds, args.connections, workdir, expected.get(case, 200)
                )

            for case in cases:  # warm up: connections, code paths
                load(case, 2)
            for round_number in range(args.rounds):
                for case in cases:
                    cache.bump()  # every body cached so far is stale, as after a committed change
                    cold[case].append(load(case, args.seconds))
                print(f"cold round {round_number + 1}/{args.rounds} done")
            for case in cases:
                if case in (FLOOR, BARE, CONDITIONAL):  # they cache nothing, or the detail's bodies
                    continue
                started = time.perf_counter()
                failed = fill(base, paths[case])
                print(
                    f"filled            {case}: {len(set(paths[case])):,} paths in "
                    f"{time.perf_counter() - started:.0f} s" + (f", {failed} not 200" if failed else "")
                )
            for round_number in range(args.rounds):
                for case in cases:
                    warm[case].append(load(case, args.seconds))
                print(f"warm round {round_number + 1}/{args.rounds} done")
        print()
        print(
            f"{'metric':<32} {'warm req/s':>10} {'÷floor':>7} {'÷bare':>6}   "
            f"{'cold req/s':>10} {'÷floor':>7} {'÷bare':>6} {'errors':>7}"
        )
        for case in cases:
            figures = []
            for runs in (warm, cold):
                rps = statistics.median(r[0] for r in runs[case])
                ratios = [
                    # Each round's ratio to the floor measured in that round: the machine's speed drifts
                    # over minutes, and this cancels the drift out.
                    statistics.median(
                        mine[0] / floors[0] for mine, floors in zip(runs[case], runs[floor], strict=True)
                    )
                    if floor in runs
                    else float("nan")
                    for floor in (FLOOR, BARE)
                ]
                figures.append(f"{rps:>10.0f} {ratios[0]:>7.2f} {ratios[1]:>6.2f}")
            errors = sum(r[1] for r in warm[case] + cold[case])
            print(f"{case:<32} {figures[0]}   {figures[1]} {errors:>7}")
        print(
            f"\n{args.rounds} rounds of {args.seconds} s each at {args.connections} connections; "
            "gunicorn 2 sync workers each for the registry and the bare floor; medians. A ratio is the "
            "median of each round's ratio to that floor in that round. Errors: answers other than 200 "
            "(304 for the conditional case)."
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
