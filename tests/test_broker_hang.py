"""A hung broker (a Redis that accepts connections and never answers) does not stall writes: publishing
gives up within the broker timeout, once per request however many emails it owes, and the email stays
owed for the sweep. So does /healthz.

The test starts its own redis-server on a free port and pauses it with SIGSTOP (the shared server is
never touched). The test database commits here, so on-commit enqueues happen inside the request.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from rest_framework.test import APIClient

from licensing.dates import local_today
from licensing.models import LifecycleNotification, OutboxState

from . import factories
from .conftest import REQUIRED
from .outbox_support import D, active_license, celery_conf

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
BOUND_SECONDS = 2.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def paused_redis():
    """A redis-server of this test's own (its `url`), running until its `pause()`; resumed and killed at
    the end whatever happens."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        if "redis" in REQUIRED:
            pytest.fail("redis-server is required (REQUIRE_SERVICES names redis) but not installed")
        pytest.skip("needs the redis-server binary")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        text=True,
    )
    # It says so when it accepts connections; its further output is not read (and is small).
    for line in process.stdout:
        if "Ready to accept connections" in line:
            break
    else:
        process.kill()
        pytest.fail(f"redis-server on port {port} did not start")

    class Server:
        url = f"redis://127.0.0.1:{port}/0"

        @staticmethod
        def pause():
            os.kill(process.pid, signal.SIGSTOP)

    try:
        yield Server
    finally:
        os.kill(process.pid, signal.SIGCONT)
        process.kill()
        process.wait(timeout=10)


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_write_returns_within_the_bound_and_the_email_stays_owed(paused_redis, settings):
    today = local_today()
    license = active_license(today, today + D(days=200))
    user = factories.user("root", is_superuser=True, is_staff=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=factories.api_token_header(user))
    path = f"/api/v1/licenses/{license.number}/transitions/"
    with celery_conf(task_always_eager=False, broker_url=paused_redis.url) as app:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)  # it answers, until paused
        paused_redis.pause()

        response, took = _timed(
            lambda: client.post(
                path, {"action": "suspend", "reason": "Review.", "version": license.version}, format="json"
            )
        )
        assert response.status_code == 200, response.content
        assert took < BOUND_SECONDS, f"the write took {took:.1f} s with the broker hung"
        owed = LifecycleNotification.objects.get(event__license=license, event__action="suspend")
        assert (owed.state, owed.sent_at, owed.attempts) == (OutboxState.PENDING, None, 0)

        # A second write right after does not wait for the hung broker again.
        response, took = _timed(
            lambda: client.post(
                path,
                {"action": "reinstate", "reason": "Done.", "version": license.version + 1},
                format="json",
            )
        )
        assert response.status_code == 200, response.content
        assert took < 0.5, f"the second write took {took:.1f} s"
        assert LifecycleNotification.objects.filter(state=OutboxState.PENDING).count() == 2

        # The health check answers in time too, and says the broker is unavailable.
        settings.REDIS_URL = paused_redis.url
        response, took = _timed(lambda: client.get("/healthz"))
        assert took < BOUND_SECONDS
        assert response.json()["broker"] == {"status": "unavailable"}
