"""Signals the licensing services send after a change has committed."""

from django.dispatch import Signal

# Sent on commit after every change made through licensing.lifecycle, with `license` (as saved) and
# `events` (the LicenseEvents written). Notifications and cache invalidation listen here.
license_changed = Signal()
