"""The test layer over the main settings: fast hashing and English messages (the test runner itself
swaps every mailer for the in-memory outbox).

Tests run with debug off, as production does; they supply a key and plain-HTTP defaults only where the
environment gives none.
"""

import os
import urllib.parse

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def _redis_of_this_worker(url: str, worker: str) -> str:
    """Under pytest-xdist each worker flushes its cache and runs Celery workers of its own: the n-th test
    worker uses the Redis database n below the one REDIS_URL names, so that workers never share one."""
    parts = urllib.parse.urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = (base - int(worker.removeprefix("gw"))) % 16
    return urllib.parse.urlunsplit(parts._replace(path=f"/{number}"))


# Once: a process the test worker starts (a Celery worker) inherits both variables and the URL it was given.
_url = os.environ.get("REDIS_URL")
if os.environ.get("PYTEST_XDIST_WORKER") and _url and _url != os.environ.get("REDIS_URL_OF_TEST_WORKER"):
    os.environ["REDIS_URL"] = _redis_of_this_worker(_url, os.environ["PYTEST_XDIST_WORKER"])
    os.environ["REDIS_URL_OF_TEST_WORKER"] = os.environ["REDIS_URL"]

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests speak English unless they ask for Chinese, so that assertions on messages read plainly.
LANGUAGE_CODE = "en"

# Each run gets its own PostgreSQL test database, so that runs sharing one server (a developer's and
# CI's) never drop each other's.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_registry_{os.getpid()}"}  # noqa: F405

# Without Redis the settings share a file cache under var/ between local processes; each test run keeps an
# in-process cache of its own instead (tests/conftest.py clears it for every test).
if CACHES["default"]["BACKEND"] == "registry.filecache.SharedFileCache":  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
