"""Signals the licensing services send after a change has committed."""

from django.dispatch import Signal

# Sent on commit after every change made through licensing.lifecycle, with `license` (as saved) and
# `events` (the LicenseEvents written). Notifications and cache invalidation listen here.
license_changed = Signal()

# Sent inside the transaction that writes the events, so that what must be committed with them (the
# outbox rows of the notifications) is committed with them, or not at all.
license_events_recorded = Signal()
