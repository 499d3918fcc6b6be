"""Celery tasks: thin entry points into the sweep and the outbox, so that the same code runs from a worker,
from `manage.py sweep` and, without a broker, in the calling process. Nothing in licensing imports this
module: the outbox publishes its task by name (outbox.SEND_TASK), and beat schedules the sweep by name."""

from celery import shared_task

from . import outbox
from .sweep import run_full_sweep


@shared_task(name="licensing.sweep")
def sweep() -> str:
    """The sweep, as beat schedules it (LICENSING_SWEEP_INTERVAL_MINUTES)."""
    return str(run_full_sweep())


@shared_task(name=outbox.SEND_TASK)
def deliver(kind: str, pk: int) -> str:
    """Send one outbox row (see licensing.outbox for the claim that makes this safe to run twice)."""
    return outbox.deliver(kind, pk)
