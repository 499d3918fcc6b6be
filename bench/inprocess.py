"""The registry in process, as the benchmark's server runs it: bench settings, debug off, throttling off.
Imported first by the scripts that make requests in process (profile.py, redis_client.py, bodies.py),
which is what sets Django up; it also gives them their cases, the request they make and the paths."""

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

from licensing.models import License, Operator  # noqa: E402

# A case's path, given a public license number and an operator's USCC.
CASES = {
    "floor": lambda n, u: f"/bench/floor/{n}/",
    "detail": lambda n, u: f"/api/v1/licenses/{n}/",
    "verify": lambda n, u: f"/api/v1/verify/?uscc={u}",
    "page": lambda n, u: f"/licenses/{n}/",
    "verify-page": lambda n, u: f"/verify/?q={u}",
    "home": lambda n, u: "/",
}


def random_paths(case: str, count: int) -> list[str]:
    """`count` paths of `case`, for random public licenses and operators (the same ones on every run)."""
    rng = random.Random(3)
    numbers = list(License.objects.exclude(status="draft").values_list("number", flat=True)[:50_000])
    usccs = list(Operator.objects.exclude(uscc="").values_list("uscc", flat=True))
    return [CASES[case](rng.choice(numbers), rng.choice(usccs)) for _ in range(count)]


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
