#!/usr/bin/env python
"""Where a read path spends its time: pyinstrument over in-process requests. Not a test.

Runs the product's WSGI handler (bench settings, debug off, throttling off) against a database that
throughput.py kept (`--keep`), for N random license numbers of one case, and prints the profile.
Run it once with --warm to see the cached path, once without to see requests that build the body.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/profile.py detail --requests 2000
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler

from bench.inprocess import CASES, call, random_paths  # imported first of the project's: sets Django up


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warm", action="store_true", help="make every request once before profiling")
    parser.add_argument("--all", action="store_true", help="show library frames too (Django's, DRF's)")
    args = parser.parse_args()
    from pyinstrument import Profiler

    paths = random_paths(args.case, args.requests)
    handler = WSGIHandler()
    cache.clear()
    if args.warm:
        for path in paths:
            call(handler, path)
    profiler = Profiler(interval=0.0002)
    profiler.start()
    statuses = [call(handler, path) for path in paths]
    profiler.stop()
    bad = [s for s in statuses if not s.startswith("200")]
    print(profiler.output_text(unicode=True, show_all=args.all))
    print(f"{len(paths)} requests, {len(bad)} not 200")


if __name__ == "__main__":
    main()
