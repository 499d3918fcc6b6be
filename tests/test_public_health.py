"""/healthz: database, broker and the sweep's age as JSON; 503 when the registry cannot do its work."""

import datetime
import time

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.utils import timezone

from licensing import health
from licensing.models import SweepHeartbeat
from licensing.sweep import HEARTBEAT_NAME, run_full_sweep

from .conftest import FROZEN_NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
NOW = FROZEN_NOW


def _sweep_finished(ago: datetime.timedelta):
    finished = timezone.now() - ago
    SweepHeartbeat.objects.update_or_create(
        name=HEARTBEAT_NAME, defaults={"started_at": finished, "finished_at": finished}
    )


def _health(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


@override_settings(REDIS_URL="")
def test_healthy_without_a_broker_says_tasks_run_eagerly(client):
    run_full_sweep()
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "eager"
    assert body["sweep"]["status"] == "ok" and body["sweep"]["age_seconds"] == 0
    assert body["sweep"]["last_finished_at"] == NOW.isoformat()


@override_settings(REDIS_URL="", LICENSING_SWEEP_INTERVAL_MINUTES=60)
def test_a_sweep_that_stopped_makes_it_unhealthy(client):
    _sweep_finished(datetime.timedelta(minutes=60 * 2 + 4))
    status, body = _health(client)
    assert (status, body["sweep"]["status"]) == (200, "ok")
    _sweep_finished(datetime.timedelta(minutes=60 * 2 + 6))
    status, body = _health(client)
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["sweep"]["status"] == "stale" and body["sweep"]["age_seconds"] == (126 * 60)
    assert body["sweep"]["max_age_seconds"] == 125 * 60


@override_settings(REDIS_URL="")
def test_a_sweep_that_never_ran_makes_it_unhealthy(client):
    status, body = _health(client)
    assert status == 503 and body["sweep"]["status"] == "never"


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_broker_down_is_reported_quickly_and_fails_open(client):
    _sweep_finished(datetime.timedelta(minutes=1))
    started = time.monotonic()
    status, body = _health(client)
    assert time.monotonic() - started < 5
    assert body["broker"]["status"] == "unavailable"
    # The site serves without Redis, so a load balancer must keep it in: degraded, not down.
    assert (status, body["status"]) == (200, "degraded")


@pytest.mark.redis
def test_broker_up_is_ok(client):
    _sweep_finished(datetime.timedelta(minutes=1))
    status, body = _health(client)
    assert status == 200 and body["broker"]["status"] == "ok" and body["status"] == "ok"


def test_database_down_makes_it_unhealthy(client, monkeypatch):
    class Unreachable:
        vendor = "postgresql"

        def cursor(self):
            raise DatabaseError("connection refused")

    def no_sweep_record():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "connection", Unreachable())
    monkeypatch.setattr(health, "last_sweep", no_sweep_record)
    status, body = _health(client)
    assert status == 503 and body["status"] == "unhealthy"
    assert body["database"]["status"] == "unavailable" and body["sweep"]["status"] == "unknown"


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    _sweep_finished(datetime.timedelta(minutes=1))
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/licenses/").status_code == 301
