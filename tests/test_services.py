"""The real services, when configured: PostgreSQL as the database and Redis as the Celery broker."""

import pytest
from django.conf import settings
from django.db import connection

from registry.celery import app as celery_app


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql_with_the_event_guard_installed():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'licensing_licenseevent'::regclass AND NOT tgisinternal"
        )
        assert [row[0] for row in cursor.fetchall()] == ["licensing_event_append_only"]


@pytest.mark.redis
def test_celery_uses_redis_as_broker_and_reaches_it():
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert celery_app.conf.broker_url == settings.REDIS_URL
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.transport.driver_type == "redis"


def test_without_redis_tasks_run_eagerly_in_process():
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: this run exercises the broker instead")
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert celery_app.conf.task_always_eager
