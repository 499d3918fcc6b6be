"""The licensing domain's models, one module per concept."""

from .authorities import Authority, Regulator
from .domains import Domain
from .events import EventImmutableError, LicenseEvent
from .licenses import License, LicenseNumberCounter
from .operators import Operator
from .reminders import ExpiryReminder, LifecycleNotification, OutboxState, SweepHeartbeat

__all__ = [
    "Authority",
    "Domain",
    "EventImmutableError",
    "ExpiryReminder",
    "License",
    "LicenseEvent",
    "LicenseNumberCounter",
    "LifecycleNotification",
    "Operator",
    "OutboxState",
    "Regulator",
    "SweepHeartbeat",
]
