#!/usr/bin/env python
"""Where a read path spends its time: pyinstrument over in-process requests. Not a test.

Runs the product's WSGI handler (bench settings, debug off, throttling off) against a database that
throughput.py kept (`--keep`), for N random license numbers of one case, and prints the profile.
Run it once with --warm to see the cached path, once without to see requests that build the body.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/profile.py detail --requests 2000
"""

import argparse
import io
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
os.environ["API_THROTTLE"] = "false"
os.environ["DJANGO_DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

from licensing.models import License, Operator  # noqa: E402

CASES = {
    "floor": lambda n, u: f"/bench/floor/{n}/",
    "detail": lambda n, u: f"/api/v1/licenses/{n}/",
    "verify": lambda n, u: f"/api/v1/verify/?uscc={u}",
    "page": lambda n, u: f"/licenses/{n}/",
    "verify-page": lambda n, u: f"/verify/?q={u}",
    "home": lambda n, u: "/",
}


def call(handler, path):
    """One GET through the whole WSGI stack, as gunicorn would make it; returns the status line."""
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    status = []
    body = handler(environ, lambda line, headers: status.append(line))
    b"".join(body)
    body.close()
    return status[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warm", action="store_true", help="make every request once before profiling")
    parser.add_argument("--all", action="store_true", help="show library frames too (Django's, DRF's)")
    args = parser.parse_args()
    from pyinstrument import Profiler

    rng = random.Random(3)
    numbers = list(License.objects.exclude(status="draft").values_list("number", flat=True)[:50_000])
    usccs = list(Operator.objects.exclude(uscc="").values_list("uscc", flat=True))
    paths = [CASES[args.case](rng.choice(numbers), rng.choice(usccs)) for _ in range(args.requests)]
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
