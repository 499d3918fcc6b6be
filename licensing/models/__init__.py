"""The licensing domain's models, one module per concept."""

from .authorities import Authority, Regulator
from .calls import Call
from .disclosures import Disclosure, DisclosureReminder
from .domains import Domain
from .events import EventImmutableError, LicenseEvent
from .findings import Finding
from .licenses import License, LicenseNumberCounter
from .operators import Operator, OperatorEvent
from .products import Product
from .reminders import ExpiryReminder, LifecycleNotification, OutboxState, SweepHeartbeat
from .tokens import ApiToken, IdempotencyKey

__all__ = [
    "ApiToken",
    "Authority",
    "Call",
    "Disclosure",
    "DisclosureReminder",
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
    "OperatorEvent",
    "OutboxState",
    "Product",
    "Regulator",
    "SweepHeartbeat",
]
