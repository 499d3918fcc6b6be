"""The licensing domain's models, one module per concept."""

from .authorities import Authority, Regulator
from .domains import Domain
from .events import EventImmutableError, LicenseEvent
from .findings import Finding
from .licenses import License, LicenseNumberCounter
from .operators import Operator
from .products import Product
from .reminders import ExpiryReminder, LifecycleNotification, OutboxState, SweepHeartbeat
from .tokens import ApiToken, IdempotencyKey

__all__ = [
    "ApiToken",
    "Authority",
    "Domain",
    "EventImmutableError",
    "ExpiryReminder",
    "Finding",
    "IdempotencyKey",
    "License",
    "LicenseEvent",
    "LicenseNumberCounter",
    "LifecycleNotification",
    "Operator",
    "OutboxState",
    "Product",
    "Regulator",
    "SweepHeartbeat",
]
