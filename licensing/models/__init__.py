"""The licensing domain's models, one module per concept."""

from .alerts import AlertConfirmation, AlertDigest, AlertItem, AlertSubscription
from .authorities import Authority, Regulator
from .calls import Call
from .disclosures import Disclosure, DisclosureReminder
from .domains import Domain
from .events import EventImmutableError, LicenseEvent
from .findings import Finding
from .imports import ImportedLicense, LicenseImport
from .licenses import License, LicenseNumberCounter
from .operators import Operator, OperatorEvent
from .products import Product
from .registrations import (
    Objection,
    Registration,
    RegistrationCodeCounter,
    RegistrationEvent,
    RegistrationReminder,
)
from .reminders import ExpiryReminder, LifecycleNotification, OutboxState, SweepHeartbeat
from .tokens import ApiToken, IdempotencyKey
from .webhooks import Webhook, WebhookDelivery, WebhookState

__all__ = [
    "AlertConfirmation",
    "AlertDigest",
    "AlertItem",
    "AlertSubscription",
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
    "ImportedLicense",
    "License",
    "LicenseEvent",
    "LicenseImport",
    "LicenseNumberCounter",
    "LifecycleNotification",
    "Objection",
    "Operator",
    "OperatorEvent",
    "OutboxState",
    "Product",
    "Registration",
    "RegistrationCodeCounter",
    "RegistrationEvent",
    "RegistrationReminder",
    "Regulator",
    "SweepHeartbeat",
    "Webhook",
    "WebhookDelivery",
    "WebhookState",
]
