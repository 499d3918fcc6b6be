"""The licensing domain's models, one module per concept."""

from .authorities import Authority, Regulator
from .domains import Domain
from .events import EventImmutableError, LicenseEvent
from .licenses import License, LicenseNumberCounter
from .operators import Operator

__all__ = [
    "Authority",
    "Domain",
    "EventImmutableError",
    "License",
    "LicenseEvent",
    "LicenseNumberCounter",
    "Operator",
    "Regulator",
]
