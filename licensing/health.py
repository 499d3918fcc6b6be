"""/healthz: the database, the broker and the age of the sweep's last run, as JSON, for monitoring.

HTTP 503 when the registry cannot do its work: the database does not answer, or the sweep has not
finished a run for more than two of its intervals (plus a margin), or never has. A broker that does not
answer is reported, but the answer stays 200: pages, admin and API serve without Redis (enqueueing fails
open, and the next sweep sends what is owed), so a load balancer must not take web processes out for it.
An outage that lasts shows all the same: without the broker, beat cannot start the sweep, and the sweep
goes stale.
"""

import datetime
import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .sweep import last_sweep

logger = logging.getLogger(__name__)

# Long enough for a slow Redis to answer, short enough that a monitor's own timeout is never reached.
BROKER_TIMEOUT_SECONDS = 1.0
SWEEP_MARGIN = datetime.timedelta(minutes=5)


def database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("health: the database does not answer: %s", error)
        return {"status": "unavailable"}
    return {"status": "ok", "vendor": connection.vendor}


def broker_check() -> dict:
    if not settings.REDIS_URL:
        return {"status": "eager", "detail": "no broker configured: tasks run in the calling process"}
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        logger.warning("health: the broker does not answer: %s", error)
        return {"status": "unavailable"}
    finally:
        client.close()
    return {"status": "ok"}


def sweep_check(now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    allowed = 2 * datetime.timedelta(minutes=settings.LICENSING_SWEEP_INTERVAL_MINUTES) + SWEEP_MARGIN
    try:
        heartbeat = last_sweep()
    except DatabaseError:
        return {"status": "unknown"}
    if heartbeat is None:
        return {"status": "never", "max_age_seconds": int(allowed.total_seconds())}
    age = now - heartbeat.finished_at
    return {
        "status": "ok" if age <= allowed else "stale",
        "last_finished_at": heartbeat.finished_at.isoformat(),
        "age_seconds": max(0, int(age.total_seconds())),
        "max_age_seconds": int(allowed.total_seconds()),
    }


@never_cache
@require_safe
def healthz(request):
    checks = {"database": database_check(), "broker": broker_check(), "sweep": sweep_check()}
    healthy = checks["database"]["status"] == "ok" and checks["sweep"]["status"] == "ok"
    if not healthy:
        status = "unhealthy"
    elif checks["broker"]["status"] == "unavailable":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse({"status": status, **checks}, status=200 if healthy else 503)
