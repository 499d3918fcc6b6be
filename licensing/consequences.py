"""What a lifecycle action does to a license, in words a regulator confirms before taking it.

An action is final when the status it leads to is one a license never leaves (LicenseStatus.terminal):
no action undoes it, and a correction changes only its day and reason. The admin asks for those with
the danger style and names the consequence on the confirmation page.
"""

from django.utils.translation import gettext_lazy as _

from .choices import LicenseAction, LicenseStatus
from .lifecycle import TRANSITIONS

A = LicenseAction

CONSEQUENCES = {
    A.LIST: _("The listing becomes public with its number: the register shows it, not yet granted."),
    A.GRANT: _("The license is granted: it comes into force on the first day of its term."),
    A.SUSPEND: _(
        "The license stops being in force from the effective day: the register and the verify page say so "
        "until it is reinstated, and its paid products are flagged meanwhile."
    ),
    A.REINSTATE: _("The license is in force again from the effective day, until the end of its term."),
    A.WITHDRAW: _(
        "The license is withdrawn for good: it will never be granted, and the register publishes the "
        "withdrawal with its reason."
    ),
    A.REVOKE: _(
        "The license is revoked for good: it is no longer in force from the effective day, it cannot be "
        "reinstated or renewed, and the register publishes the revocation with its reason."
    ),
    A.TERMINATE: _(
        "The license ends early for good: it is no longer in force from the effective day, it cannot be "
        "reinstated or renewed, and the register publishes the termination with its reason."
    ),
    A.ACTIVATE: _("The license comes into force from the effective day."),
    A.EXPIRE: _("The license's term has ended: it is no longer in force."),
}


def is_final(action: LicenseAction) -> bool:
    """Whether `action` leaves the license in a status it never leaves."""
    return TRANSITIONS[LicenseAction(action)][1] in LicenseStatus.terminal()


def consequence(action: LicenseAction) -> str:
    return str(CONSEQUENCES[LicenseAction(action)])
