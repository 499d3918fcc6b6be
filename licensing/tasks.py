"""Celery tasks: thin entry points into the sweep and the outbox, so that the same code runs from a worker,
from `manage.py sweep` and, without a broker, in the calling process. Nothing in licensing imports this
module: the outbox publishes its task by name (outbox.SEND_TASK), and beat schedules the sweep and the
snapshot by name."""

from celery import shared_task
from django.utils import timezone

from . import outbox, webhooks
from .api import snapshots
from .sweep import run_full_sweep


@shared_task(name="licensing.sweep")
def sweep() -> str:
    """The sweep, as beat schedules it (LICENSING_SWEEP_INTERVAL_MINUTES)."""
    return str(run_full_sweep())


@shared_task(name=outbox.SEND_TASK)
def deliver(kind: str, pk: int) -> str:
    """Send one outbox row (see licensing.outbox for the claim that makes this safe to run twice)."""
    return outbox.deliver(kind, pk)


@shared_task(name="licensing.write_snapshot")
def write_snapshot() -> str:
    """The day's snapshot of the register, as beat schedules it (settings.CELERY_BEAT_SCHEDULE)."""
    return snapshots.write().filename


@shared_task(name="licensing.dispatch_webhooks")
def dispatch_webhooks() -> int:
    """The webhook deliveries due (retries, lapsed claims), as beat schedules it every minute."""
    return outbox.dispatch_due(timezone.now(), kinds=(webhooks.KIND,))
