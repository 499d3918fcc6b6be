"""Lifecycle notifications: the operator is told of the events that change what it may do (a grant, a
suspension, a revocation...), by email through the outbox (the `lifecycle_notification` kind, registered
below). The email itself is emails.lifecycle_notification.
"""

import contextlib
import contextvars

from django.db import transaction

from . import emails, outbox
from .choices import EventAction
from .models import License, LifecycleNotification

# Lifecycle events that the operator is told of. Activation and expiry follow from the term the operator
# agreed to (and the reminders announce the expiry); creation, listing and edits are internal.
NOTIFIED_ACTIONS = frozenset(
    {
        EventAction.GRANT,
        EventAction.SUSPEND,
        EventAction.REINSTATE,
        EventAction.REVOKE,
        EventAction.TERMINATE,
        EventAction.WITHDRAW,
        EventAction.RENEW,
    }
)


def create_lifecycle_notifications(license: License, events) -> list[LifecycleNotification]:
    """Outbox rows for the events the operator is told of, each enqueued for sending once committed.

    A renewal is told once, on the predecessor (naming the successor), not again as the successor's grant.
    A license without an operator (a withdrawn draft or listing) has nobody to tell, and one that was
    never public (a draft withdrawn: it has no number and no page) nothing to tell of.
    """
    wanted = [
        event
        for event in events
        if event.action in NOTIFIED_ACTIONS
        and not (event.action == EventAction.GRANT and "predecessor" in (event.changes or {}))
    ]
    if not wanted or license.operator_id is None or license.number is None:
        return []
    created = []
    with transaction.atomic():
        for event in wanted:
            notification, is_new = LifecycleNotification.objects.get_or_create(
                event=event, defaults={"license": license}
            )
            if is_new:
                outbox.enqueue("lifecycle_notification", notification.pk)
                created.append(notification)
    return created


_suppressed = contextvars.ContextVar("lifecycle_notifications_suppressed", default=False)


@contextlib.contextmanager
def suppressed():
    """No lifecycle notifications for changes made in the block: for loading records (the demo data,
    history) rather than acting on licenses, where an email would tell the operator nothing new."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def on_events_recorded(sender, *, license, events, **kwargs):
    """license_events_recorded receiver (connected in LicensingConfig.ready): runs inside the change's
    transaction, so the outbox rows exist exactly when the events do; the sending happens after commit."""
    if _suppressed.get():
        return
    create_lifecycle_notifications(license, events)


outbox.register(
    "lifecycle_notification",
    model=LifecycleNotification,
    message=emails.lifecycle_notification,
    related=("license__operator", "license__grantor"),
)
