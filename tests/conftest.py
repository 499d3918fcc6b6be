"""Test-wide rules: which services a test needs, and what happens when they are missing.

Without REQUIRE_SERVICES (a new user's `make test`), tests that need PostgreSQL or Redis skip and say why.
With REQUIRE_SERVICES=postgres,redis (CI's second pass) the same tests fail when the service is missing,
so a broken service can never pass as a green run.
"""

import os

import pytest
import time_machine

from .clock import NOW

KNOWN_SERVICES = {"postgres", "redis"}
REQUIRED = {name.strip() for name in os.environ.get("REQUIRE_SERVICES", "").split(",") if name.strip()}
RUN_SLOW = os.environ.get("RUN_SLOW", "").lower() in {"1", "true", "yes"}

if REQUIRED - KNOWN_SERVICES:
    unknown = sorted(REQUIRED - KNOWN_SERVICES)
    raise pytest.UsageError(
        f"REQUIRE_SERVICES names unknown service(s) {unknown}; known: {sorted(KNOWN_SERVICES)}"
    )


def _missing(service: str, why: str):
    if service in REQUIRED:
        pytest.fail(f"{service} is required (REQUIRE_SERVICES) but {why}", pytrace=False)
    pytest.skip(f"needs {service}: {why}")


def postgres_problem() -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return "DATABASE_URL is not a PostgreSQL database (set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)"
    return None


def redis_problem() -> str | None:
    from django.conf import settings

    if not settings.REDIS_URL:
        return "REDIS_URL is not set (for example REDIS_URL=redis://127.0.0.1:6379/15)"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at {settings.REDIS_URL} does not answer: {error}"
    return None


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back between tests, the cache is not.
    (Under REQUIRE_SERVICES the cache is Redis database 15, which belongs to the tests.)"""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: the locale middleware leaves the language of the last
    request active in the thread, which would otherwise leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def frozen_clock():
    """Time stands still at tests.clock.NOW for the test (ask for it with usefixtures, or as an argument to
    move it: the traveller's shift() and move_to())."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db):
    """The named world of test entities that tests of access and of the faces share: two jurisdictions,
    `hangzhou` (330100, a city) and `hunan` (430000, a province), and a user of each role under `users`:
    `anonymous` (None), `superuser`, `inside` (a regulator of Hangzhou), `outside` (a regulator of Hunan)
    and `auditor`. Every user is staff, as regulators are. A test file adds what it needs by overriding
    the fixture: `def world(world): return {**world, "active": ...}`."""
    from . import factories

    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    hunan = factories.authority("430000", name="湖南省数据局")
    users = {
        "anonymous": None,
        "superuser": factories.user("root", is_staff=True, is_superuser=True),
        "inside": factories.regulator("inside", hangzhou, is_staff=True),
        "outside": factories.regulator("outside", hunan, is_staff=True),
        "auditor": factories.auditor(is_staff=True),
    }
    return {"hangzhou": hangzhou, "hunan": hunan, "users": users}


def pytest_runtest_setup(item):
    if item.get_closest_marker("slow") and not RUN_SLOW:
        pytest.skip("slow suite: runs with RUN_SLOW=1 (CI's second pass)")
    if item.get_closest_marker("postgres") and (problem := postgres_problem()):
        _missing("postgres", problem)
    if item.get_closest_marker("redis") and (problem := redis_problem()):
        _missing("redis", problem)
