"""The cache on Redis (registry.rediscache): one redis-py client per connection pool, not one per call,
which must still work in a forked process (a Celery or gunicorn worker)."""

import os
import uuid

import pytest
from django.conf import settings

from registry.rediscache import SharedClientRedisCache

pytestmark = pytest.mark.redis


@pytest.fixture
def backend():
    prefix = f"test-rediscache-{uuid.uuid4().hex}"
    cache = SharedClientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})
    yield cache
    cache.delete_many(["counter", "body", "added", "before-fork", "from-child"])


def test_one_client_serves_every_call(backend, monkeypatch):
    made = []
    make = backend._cache._client
    monkeypatch.setattr(backend._cache, "_client", lambda **options: made.append(options) or make(**options))
    backend.set("counter", 1)
    backend.set("body", (1, b"{}"))
    assert backend.incr("counter") == 2
    assert backend.add("added", 7) and not backend.add("added", 8)
    assert backend.get_many(["counter", "body", "added", "absent"]) == {
        "counter": 2,
        "body": (1, b"{}"),
        "added": 7,
    }
    assert len(made) == 1


def test_a_forked_process_uses_the_cache_on_connections_of_its_own(backend):
    backend.set("before-fork", "parent")  # the parent's client and pool hold a connection now
    pid = os.fork()
    if pid == 0:  # the child: report by exit status only, and leave without pytest's cleanup
        try:
            seen = backend.get("before-fork")
            backend.set("from-child", "child")
            os._exit(0 if seen == "parent" else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert backend.get("from-child") == "child"
    assert backend.get("before-fork") == "parent"
