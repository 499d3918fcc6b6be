"""The outbox protocol: how an owed email (a row of an outbox kind: an ExpiryReminder, a
LifecycleNotification...) is handed to a worker, claimed, sent, and recorded as sent, failed or not needed.

Kinds plug in: the module that owns a kind calls `register(kind, model=..., message=...)` when it is
imported (licensing.reminders, licensing.notifications; LicensingConfig.ready imports them in every
process), and this module never names them. The model has the fields of models.OutboxRow; `message(row)`
returns the email to send, or raises NotNeeded. A kind that is not an email (a webhook's delivery) gives
`send(row)` instead, which delivers the row itself and raises on failure, and may give its own
`retry_delay(attempts)` and `give_up_after` (retried until that long after the row was made, then failed)
in place of the email settings below.

- A row is `pending` from creation; its send task is enqueued only after the row is committed.
- A worker claims the row with one conditional UPDATE (claimed_at, attempts + 1). The claim is a lease:
  while it is fresh no other worker can claim the row, so two workers never send one email; once it is
  older than LICENSING_SEND_LEASE_MINUTES the worker that held it is presumed dead, and the sweep offers
  the row again. Delivery is therefore at least once: a worker that dies after the mail server accepted
  the email but before recording it sends it again later. Losing an expiry reminder would be worse.
- A failed attempt moves `next_attempt_at` later (doubling), and the sweep offers the row again when that
  moment has passed; after LICENSING_SEND_MAX_ATTEMPTS attempts the row is `failed` until a regulator
  retries it from the admin. No task waits in Redis with an ETA or a long countdown (Redis would hand it
  out again after its visibility timeout).
- The send task is published by its name (SEND_TASK, licensing.tasks.deliver), so that nothing here
  imports the task module, which imports this one.
- Enqueueing fails open: with the broker unreachable the failure is logged and the row stays pending, so
  the next sweep after the broker returns sends what is owed. Publishing is one attempt bounded by
  CELERY_BROKER_TIMEOUT_SECONDS (settings), and after a failure this process skips publishing to that
  broker for BROKER_BACKOFF_SECONDS: a request owing several emails waits for a hung broker once.
"""

import dataclasses
import datetime
import logging
import time
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from kombu.exceptions import OperationalError

from .models import OutboxState

logger = logging.getLogger(__name__)

# The Celery task that sends one row (licensing.tasks.deliver), by its name.
SEND_TASK = "licensing.deliver"


@dataclasses.dataclass(frozen=True)
class Kind:
    """A kind of outbox row: its model, the email a row sends (or the function that delivers it), what
    building that email reads, and (for kinds with their own) the retry schedule."""

    name: str
    model: type
    message: Callable[..., EmailMessage] | None = None
    related: tuple[str, ...] = ()
    send: Callable[..., None] | None = None
    retry_delay: Callable[[int], datetime.timedelta] | None = None
    give_up_after: datetime.timedelta | None = None
    max_attempts: int | None = None

    def delay(self, attempts: int) -> datetime.timedelta:
        return (self.retry_delay or retry_delay)(attempts)

    def attempts_allowed(self) -> int:
        return self.max_attempts or settings.LICENSING_SEND_MAX_ATTEMPTS


class NotNeeded(Exception):
    """Raised by a kind's `message`: the row need not be sent any more (the reason is recorded)."""


# Kind name -> Kind, in registration order (the order dispatch_due reads them in).
KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    model,
    message: Callable[..., EmailMessage] | None = None,
    related: tuple[str, ...] = (),
    send: Callable[..., None] | None = None,
    retry_delay: Callable[[int], datetime.timedelta] | None = None,
    give_up_after: datetime.timedelta | None = None,
    max_attempts: int | None = None,
) -> Kind:
    """Make rows of `model` outbox rows named `name`: `message(row)` builds the email a row sends (or raises
    NotNeeded), reading the row with select_related(*related); or `send(row)` delivers it (raising
    NotNeeded, or anything else for a failed attempt). A failed attempt is retried after
    `retry_delay(attempts)` (the email settings' doubling delay by default) until `give_up_after` has
    passed since the row was made, or else until `max_attempts` (LICENSING_SEND_MAX_ATTEMPTS) attempts.
    Registering a kind again replaces it."""
    if (message is None) == (send is None):
        raise ValueError("an outbox kind either builds an email (message) or delivers itself (send)")
    kind = Kind(name, model, message, tuple(related), send, retry_delay, give_up_after, max_attempts)
    KINDS[name] = kind
    return kind


def kind_of(model) -> str:
    """The name of the outbox kind whose rows are `model`'s."""
    return next(kind.name for kind in KINDS.values() if kind.model is model)


BATCH_SIZE = 500
BROKER_BACKOFF_SECONDS = 30.0
# Broker URL -> the time.monotonic() until which publishing to it is skipped (see the module's docstring).
_broker_down_until: dict[str, float] = {}


def lease() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LICENSING_SEND_LEASE_MINUTES)


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed attempt: the base delay, doubled each time."""
    return datetime.timedelta(minutes=settings.LICENSING_SEND_RETRY_MINUTES * 2 ** max(attempts - 1, 0))


def due(model, now: datetime.datetime):
    """Rows of `model` a worker may claim now: pending, due, and not held by a live claim."""
    return model.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease())
    )


def enqueue(kind: str, pk: int) -> None:
    """Have a worker send the row `kind`/`pk` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _publish(kind, pk))


def _publish(kind: str, pk: int) -> bool:
    # Either way the row stays pending and the next sweep offers it again: never let this turn a committed
    # change into an error page.
    conf = current_app.conf
    broker = None if conf.task_always_eager else str(conf.broker_url)
    if broker is not None and _broker_down_until.get(broker, 0.0) > time.monotonic():
        logger.error(
            "could not enqueue %s %s, broker unreachable (failed < %d s ago); the next sweep retries",
            kind,
            pk,
            BROKER_BACKOFF_SECONDS,
        )
        return False
    try:
        _send_task(kind, pk, eager=broker is None)
    except OperationalError as error:
        if broker is not None:
            _broker_down_until[broker] = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.error(
            "could not enqueue %s %s, broker unreachable (%s); the next sweep retries", kind, pk, error
        )
        return False
    except Exception:
        # With eager tasks (no broker) the send runs here, so this is also where a bug in it lands.
        logger.exception("could not enqueue %s %s; the next sweep retries", kind, pk)
        return False
    return True


def _send_task(kind: str, pk: int, *, eager: bool) -> None:
    if eager:
        # send_task ignores task_always_eager: run the task here, as its delay() would. Autodiscovery
        # registers it (licensing.tasks) the first time.
        if SEND_TASK not in current_app.tasks:
            current_app.loader.import_default_modules()
        current_app.tasks[SEND_TASK].delay(kind, pk)
    else:
        current_app.send_task(SEND_TASK, args=(kind, pk))


def dispatch_due(now: datetime.datetime, kinds: tuple[str, ...] | None = None) -> int:
    """Enqueue a send task for every row (of `kinds`, default all) that may be claimed now. Returns how
    many were enqueued.

    Rows are read in key order a batch at a time, so the queries grow with the rows owed, not with all
    rows. A row another sweep also enqueues is claimed only once: the second task finds it claimed.
    """
    enqueued = 0
    for kind, spec in KINDS.items():
        if kinds is not None and kind not in kinds:
            continue
        model = spec.model
        last_pk = 0
        while True:
            batch = list(
                due(model, now)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            for pk in batch:
                enqueue(kind, pk)
            enqueued += len(batch)
            if len(batch) < BATCH_SIZE:
                break
            last_pk = batch[-1]
    return enqueued


@dataclasses.dataclass(frozen=True)
class Claim:
    kind: str
    pk: int
    claimed_at: datetime.datetime
    attempt: int

    @property
    def model(self):
        return KINDS[self.kind].model

    def _mine(self):
        """The row, as long as this claim still holds it."""
        return self.model.objects.filter(pk=self.pk, state=OutboxState.PENDING, claimed_at=self.claimed_at)

    def sent(self, recipients: list[str]) -> None:
        # Recorded even if the lease lapsed meanwhile: the email did go out.
        self.model.objects.filter(pk=self.pk).exclude(state=OutboxState.SENT).update(
            state=OutboxState.SENT, sent_at=timezone.now(), recipients=recipients, last_error=""
        )

    def failed(self, error: str, recipients: list[str], *, final: bool = False) -> None:
        """Record a failed attempt: retried later with backoff, or `failed` once the attempts (or the time
        the kind gives) are used up."""
        spec = KINDS[self.kind]
        now = timezone.now()
        values = {"last_error": error[:2000], "recipients": recipients}
        next_attempt = now + spec.delay(self.attempt)
        if spec.give_up_after is not None:
            created_at = self.model.objects.filter(pk=self.pk).values_list("created_at", flat=True).get()
            deadline = created_at + spec.give_up_after
            # The last try is at the deadline itself; a failure from then on is final.
            final = final or now >= deadline or self.attempt >= spec.attempts_allowed()
            next_attempt = min(next_attempt, deadline)
        else:
            final = final or self.attempt >= spec.attempts_allowed()
        if final:
            values["state"] = OutboxState.FAILED
        else:
            values["next_attempt_at"] = next_attempt
            values["claimed_at"] = None
        self._mine().update(**values)

    def not_needed(self, reason: str) -> None:
        self._mine().update(state=OutboxState.CANCELLED, last_error=reason)


def claim(kind: str, pk: int) -> Claim | None:
    """Claim the row for sending, or None if it is not pending, not due yet, or held by a live claim.

    One conditional UPDATE: on PostgreSQL a second claimant waits for the first one's row lock and then
    re-checks the condition, which the first claim no longer meets, so exactly one of them wins.
    """
    model = KINDS[kind].model
    now = timezone.now()
    if not due(model, now).filter(pk=pk).update(claimed_at=now, attempts=F("attempts") + 1):
        return None
    attempt = model.objects.filter(pk=pk).values_list("attempts", flat=True).get()
    claimed = Claim(kind, pk, now, attempt)
    if attempt > KINDS[kind].attempts_allowed():
        # Every earlier claim lapsed without an outcome: the workers holding it stopped mid-send.
        claimed.failed(
            gettext("The workers sending it stopped before finishing, %(count)s times.")
            % {"count": attempt - 1},
            [],
            final=True,
        )
        return None
    return claimed


def retry(queryset) -> int:
    """Make failed rows pending again with a fresh set of attempts, and enqueue them. Returns the count."""
    with transaction.atomic():
        pks = list(queryset.filter(state=OutboxState.FAILED).values_list("pk", flat=True))
        queryset.model.objects.filter(pk__in=pks).update(
            state=OutboxState.PENDING, attempts=0, claimed_at=None, next_attempt_at=timezone.now()
        )
        for pk in pks:
            enqueue(kind_of(queryset.model), pk)
    return len(pks)


def deliver(kind: str, pk: int) -> str:
    """Claim the row, send its email and record the outcome. Returns what happened."""
    claimed = claim(kind, pk)
    if claimed is None:
        return "skipped"
    spec = KINDS[kind]
    if spec.send is not None:
        return _deliver_itself(spec, claimed)
    recipients: list[str] = []
    try:
        row = spec.model.objects.select_related(*spec.related).get(pk=pk)
        try:
            message = spec.message(row)
        except NotNeeded as reason:
            claimed.not_needed(str(reason))
            return "not needed"
        recipients = [*message.to, *message.cc]
        if not recipients:
            claimed.failed(
                gettext(
                    "Nobody to send it to: neither the operator nor the grantor's regulators have an email."
                ),
                [],
                final=True,
            )
            return "failed"
        message.send(using="default")
    except Exception as error:
        logger.warning("sending %s %s failed (attempt %s): %s", kind, pk, claimed.attempt, error)
        claimed.failed(f"{type(error).__name__}: {error}", recipients)
        return "failed"
    claimed.sent(recipients)
    return "sent"


def _deliver_itself(spec: Kind, claimed: Claim) -> str:
    """deliver() for a kind with its own `send`: it records what it sent on the row, and raises if it
    was not taken."""
    try:
        row = spec.model.objects.select_related(*spec.related).get(pk=claimed.pk)
        spec.send(row)
    except NotNeeded as reason:
        claimed.not_needed(str(reason))
        return "not needed"
    except Exception as error:
        logger.warning(
            "delivering %s %s failed (attempt %s): %s", spec.name, claimed.pk, claimed.attempt, error
        )
        claimed.failed(f"{type(error).__name__}: {error}", [])
        return "failed"
    claimed.sent([])
    return "sent"
