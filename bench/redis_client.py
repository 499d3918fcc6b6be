#!/usr/bin/env python
"""One Redis client per connection pool (registry.rediscache) against Django's client made for every
cache call: read paths timed in one process, the two alternating, each ratio against the other in the
same run. Not a test.

Runs the product's WSGI handler (bench settings, debug off, throttling off) against a database that
throughput.py kept (`--keep`) or `bodies.py setup` made, over N random paths of one case, cold (the cache
emptied first: every request builds) and warm (every path asked for once before):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/redis_client.py detail --requests 1500 --rounds 3
"""

import argparse
import statistics
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCacheClient
from django.core.handlers.wsgi import WSGIHandler

from bench.inprocess import CASES, call, random_paths  # imported first of the project's: sets Django up
from registry.rediscache import SharedClientRedisCache


def use(client, shared: bool):
    """Make the cache's client call get_client as registry.rediscache does, or as Django does."""
    if shared:
        client.__dict__.pop("get_client", None)
    else:
        client.get_client = types.MethodType(RedisCacheClient.get_client, client)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not isinstance(caches["default"], SharedClientRedisCache):
        parser.error("set REDIS_URL: the cache must be Redis (registry.rediscache)")
    paths = random_paths(args.case, args.requests)
    handler, client = WSGIHandler(), caches["default"]._cache
    times = {(shared, warm): [] for shared in (False, True) for warm in (False, True)}
    for round_number in range(args.rounds):
        for shared in (False, True):
            use(client, shared)
            for warm in (False, True):
                cache.clear()
                if warm:
                    for path in paths:
                        call(handler, path)
                started = time.perf_counter()
                for path in paths:
                    call(handler, path)
                times[shared, warm].append((time.perf_counter() - started) / len(paths) * 1000)
        print(f"round {round_number + 1}/{args.rounds} done")
    print(f"\n{'state':<6} {'Django: ms/request':>24} {'one client: ms/request':>28} {'ratio':>6}")
    for warm in (False, True):
        django_ms, shared_ms = times[False, warm], times[True, warm]
        ratio = statistics.median(d / s for d, s in zip(django_ms, shared_ms, strict=True))
        print(
            f"{'warm' if warm else 'cold':<6} {' / '.join(f'{t:.3f}' for t in django_ms):>24} "
            f"{' / '.join(f'{t:.3f}' for t in shared_ms):>28} {ratio:>6.2f}"
        )
    print(f"\n{args.case}: {len(paths)} requests per round; ratio: Django's time over one client's (median)")


if __name__ == "__main__":
    main()
