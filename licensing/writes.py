"""The write toolkit every service that changes a versioned record shares (lifecycle, products, calls,
registrations).

A change is written in one transaction: `lock` the row and check the version the caller saw,
`save` the changed fields with a compare-and-set on that version, `record` the LicenseEvent saying what
happened, `announce` the events (outbox rows in the transaction, listeners after the commit), and
`refresh` the caller's instance with what was saved. `jsonable` is the form a field value takes in an
event's diff.
"""

import datetime
import decimal

from django.db import models, transaction
from django.utils import timezone

from registry.middleware import current_request_id

from . import access
from .exceptions import StaleVersion
from .models import License, LicenseEvent
from .signals import license_changed, license_events_recorded

SYSTEM_ACTOR_REPR = "registry (automatic)"


def lock(record: models.Model, expected_version: int | None, *, related=("grantor",), stale=StaleVersion):
    """The record's row, locked until the transaction ends (select_for_update; SQLite locks the whole
    database for writers instead), with its `related` rows read. The version check happens under the
    lock, so two callers that saw the same version cannot both proceed (`stale`: the error that says so,
    naming the kind of record)."""
    # of=("self",): lock the record's row only. Locking the joined grantor row too would make every write
    # for one grantor queue behind every other, and can deadlock with number allocation.
    model = type(record)
    locked = model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=record.pk)
    if expected_version is not None and locked.version != expected_version:
        raise stale(expected_version, locked.version)
    return locked


def save(locked: models.Model, fields: list[str], *, stale=StaleVersion) -> None:
    """Write `fields` and bump the version, but only if the row still has the version read under the lock.

    The compare-and-set is what keeps concurrent writers honest on every database: on PostgreSQL the
    row lock already queues them, and the condition makes the version rule hold even without it.
    """
    model = type(locked)
    values = {field: getattr(locked, field) for field in fields}
    values["version"] = locked.version + 1
    values["updated_at"] = timezone.now()
    if model.objects.filter(pk=locked.pk, version=locked.version).update(**values) != 1:
        current = model.objects.filter(pk=locked.pk).values_list("version", flat=True).first()
        raise stale(locked.version, current)
    locked.version += 1
    locked.updated_at = values["updated_at"]


def changeable_fields(model) -> list[str]:
    """Every column of `model` a change may write (save() sets the version and updated_at itself)."""
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.attname not in ("id", "version", "created_at", "updated_at")
    ]


def record(license, action, **fields) -> LicenseEvent:
    """Save the event recording `action` (the fields are new_event's)."""
    event = new_event(license, action, **fields)
    event.save(force_insert=True)
    return event


def new_event(
    license, action, *, from_status, to_status, actor, occurred_on, reason="", changes=None
) -> LicenseEvent:
    """The event recording `action`, not yet saved (for a caller that inserts many at once)."""
    return LicenseEvent(
        license=license,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        actor=actor,
        actor_repr=actor_repr(actor),
        actor_authority_id=_actor_authority_id(actor),
        changes=changes or {},
        occurred_on=occurred_on,
        request_id=current_request_id(),
    )


def _actor_authority_id(actor) -> int | None:
    """The authority `actor` acts for (their regulator profile's), which the public is shown."""
    regulator = access.regulator_of(actor) if actor is not None else None
    return regulator.authority_id if regulator is not None else None


def actor_repr(actor) -> str:
    """How an event names who acted: the username (and full name), or the registry itself."""
    if actor is None:
        return SYSTEM_ACTOR_REPR
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    username = actor.get_username()
    return f"{username} ({full_name})" if full_name else username


def announce(license: License, events: list[LicenseEvent]) -> None:
    """Record what goes with the events in their transaction (outbox rows), then tell listeners
    (caches, feeds) once the change is committed, and never before."""
    license_events_recorded.send(sender=License, license=license, events=events)
    # robust: a failing listener (a mail server down) is logged, never turned into an error for a change
    # that has already been committed.
    transaction.on_commit(
        lambda: license_changed.send(sender=License, license=license, events=events), robust=True
    )


def refresh(target: models.Model, source: models.Model) -> None:
    """Copy the saved state into the caller's instance, so it can be used for the next call."""
    if target is source:
        return
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._prefetched_objects_cache = {}


def jsonable(value):
    """A JSON-safe form of a field value for the event's diff."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value
