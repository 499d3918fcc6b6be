"""Domain errors of the licensing services.

Each carries a stable `code`, a message for people, and field errors where a field is at fault, so the
admin can show it as a message and the API as {"detail", "code", "errors"} with a 400 or a 409.
"""

from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


def _names(choices) -> str:
    """Choices by their label, in the language of whoever reads the message (lower-cased in English,
    where the labels then read as the API's action names)."""
    return pgettext("list separator", ", ").join(str(choice.label).lower() for choice in choices)


# Evaluated when the message is shown, not when the error is raised, so one language runs through it.
_lazy_names = lazy(_names, str)


class LicensingError(Exception):
    code = "licensing_error"

    def __init__(self, message, *, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}

    def __str__(self):
        return str(self.message)


class UnknownAction(LicensingError):
    code = "unknown_action"

    def __init__(self, action, known):
        message = format_lazy(
            _("'{action}' is not a license action; known actions: {known}."),
            action=action,
            known=_lazy_names(known),
        )
        super().__init__(message, errors={"action": [message]})


class ActionNotAllowed(LicensingError):
    code = "action_not_allowed"

    def __init__(self, action, status, allowed):
        self.action, self.status, self.allowed = action, status, list(allowed)
        if self.allowed:
            message = format_lazy(
                _("A {status} license cannot be given the action '{action}'; allowed: {allowed}."),
                status=_lazy_names([status]),
                action=_lazy_names([action]),
                allowed=_lazy_names(self.allowed),
            )
        else:
            message = format_lazy(
                _("A {status} license has ended: no action is allowed (asked for '{action}')."),
                status=_lazy_names([status]),
                action=_lazy_names([action]),
            )
        super().__init__(message, errors={"action": [message]})


class NotDue(LicensingError):
    code = "not_due"


class ReasonRequired(LicensingError):
    code = "reason_required"

    def __init__(self, message):
        super().__init__(message, errors={"reason": [message]})


class StaleVersion(LicensingError):
    code = "stale_version"

    def __init__(self, expected, current):
        self.expected, self.current = expected, current
        message = format_lazy(
            _(
                "The license was changed by someone else since you opened it (you had version {expected}, "
                "it is now at version {current}). Reload it and try again."
            ),
            expected=expected,
            current=current,
        )
        super().__init__(message, errors={"version": [message]})


class LicenseClosed(LicensingError):
    code = "license_closed"


class InvalidLicense(LicensingError):
    """Field values that break a rule: the errors name the fields."""

    code = "invalid"

    def __init__(self, errors: dict):
        super().__init__(_("The license is not valid: correct the fields named."), errors=errors)


class InvalidProduct(LicensingError):
    """A product's values break a pricing rule: the errors name the fields."""

    code = "invalid"

    def __init__(self, errors: dict):
        super().__init__(_("The product is not valid: correct the fields named."), errors=errors)


class InvalidFinding(LicensingError):
    """A finding's values break a rule: the errors name the fields."""

    code = "invalid"

    def __init__(self, errors: dict):
        super().__init__(_("The finding is not valid: correct the fields named."), errors=errors)


class InvalidCall(LicensingError):
    """A selection call's field values that break a rule: the errors name the fields."""

    code = "invalid"

    def __init__(self, errors: dict):
        super().__init__(_("The call is not valid: correct the fields named."), errors=errors)


class CallClosed(LicensingError):
    """The call was awarded or cancelled: it takes no more licenses and no other outcome."""

    code = "call_closed"


class RegistrationActionNotAllowed(LicensingError):
    """The registration's state does not allow the action (registrations.TRANSITIONS)."""

    code = "action_not_allowed"

    def __init__(self, action, status, allowed):
        self.action, self.status, self.allowed = action, status, list(allowed)
        if self.allowed:
            message = format_lazy(
                _(
                    "A registration that is {status} cannot be given the action '{action}'; "
                    "allowed: {allowed}."
                ),
                status=_lazy_names([status]),
                action=_lazy_names([action]),
                allowed=_lazy_names(self.allowed),
            )
        else:
            message = format_lazy(
                _("A registration that is {status} has ended: no action is allowed (asked for '{action}')."),
                status=_lazy_names([status]),
                action=_lazy_names([action]),
            )
        super().__init__(message, errors={"action": [message]})


class RegistrationStale(StaleVersion):
    def __init__(self, expected, current):
        super().__init__(expected, current)
        self.message = format_lazy(
            _(
                "The registration was changed by someone else since you opened it (you had version "
                "{expected}, it is now at version {current}). Reload it and try again."
            ),
            expected=expected,
            current=current,
        )
        self.errors = {"version": [self.message]}


class InvalidRegistration(LicensingError):
    """A registration's or an objection's values break a rule: the errors name the fields."""

    code = "invalid"

    def __init__(self, errors: dict):
        super().__init__(_("The registration is not valid: correct the fields named."), errors=errors)


class ObjectionClosed(LicensingError):
    """The objection was decided already, or the registration is no longer under notice."""

    code = "objection_closed"


class InvalidDisclosure(LicensingError):
    """An annual disclosure that cannot be recorded: the errors name the fields."""

    code = "invalid"

    def __init__(self, errors: dict):
        super().__init__(_("The disclosure cannot be recorded: correct the fields named."), errors=errors)


class InvalidWebhook(LicensingError):
    """A webhook's URL or filters break a rule: the errors name the fields."""

    code = "invalid"

    def __init__(self, errors: dict):
        super().__init__(_("The webhook is not valid: correct the fields named."), errors=errors)
