"""The one way a selection call changes: creation, its operators' licenses, its award and its cancellation.

As lifecycle.py does for licenses, each function locks the call row, checks the version the caller saw,
writes, and leaves the side effects to the commit (the cached pages are invalidated by the call's save,
see LicensingConfig.ready). The licenses of a call change only through lifecycle: a call adds one by
lifecycle.create_license and lists it on the call's notice day; its cancellation withdraws the licenses
still listed, each through lifecycle.transition, all in one transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from . import access, lifecycle, writes
from .access import Role
from .choices import CallStatus, EventAction, LicenseAction, LicenseStatus
from .dates import local_today
from .exceptions import CallClosed, InvalidCall, ReasonRequired
from .models import Authority, Call, Domain, License, LicenseEvent, Operator

# Fields a caller sets through create_call; status, outcome and version belong to the services.
CALL_FIELDS = (
    "title",
    "noticed_on",
    "grantor",
    "co_grantors",
    "data_domains",
    "authorization_mode",
    "operators_sought",
    "selection_method",
    "source_urls",
    "remarks",
    "origin",
)

# What a license of the call takes from the call where the caller does not say otherwise.
INHERITED = ("grantor", "authorization_mode", "selection_method", "source_urls", "origin")

# States of a call's licenses that its cancellation withdraws (the others were granted, or have ended).
PENDING = (LicenseStatus.DRAFT, LicenseStatus.LISTED)


# Who may act -----------------------------------------------------------------------------------------


def can_change_call(user, call: Call) -> bool:
    """As for licenses: superusers, and regulators whose jurisdiction covers the call's lead grantor."""
    role = access.role_of(user)
    if role == Role.SUPERUSER:
        return True
    if role != Role.REGULATOR:
        return False
    return call.grantor.division_code.startswith(access.jurisdiction_prefix(user))


def changeable_calls(user, queryset=None):
    queryset = Call.objects.all() if queryset is None else queryset
    role = access.role_of(user)
    if role == Role.SUPERUSER:
        return queryset
    if role == Role.REGULATOR:
        return queryset.filter(grantor__division_code__startswith=access.jurisdiction_prefix(user))
    return queryset.none()


def shown_calls():
    """Calls with what their pages and the API show, each with `public_licenses`: its licenses anyone
    may see, with their operators, in the order they were added. A constant number of queries for any
    number of calls and licenses."""
    licenses = access.public_licenses(License.objects.select_related("operator")).order_by("created_at", "id")
    return (
        Call.objects.select_related("grantor")
        .prefetch_related(
            "co_grantors", "data_domains", Prefetch("licenses", licenses, to_attr="public_licenses")
        )
        .order_by("-noticed_on", "-id")
    )


# Services --------------------------------------------------------------------------------------------


def create_call(*, actor, **fields) -> Call:
    """A new open call. `co_grantors` and `data_domains` as rows or keys."""
    unknown = sorted(set(fields) - set(CALL_FIELDS))
    if unknown:
        raise InvalidCall({field: [_("This field cannot be set here.")] for field in unknown})
    fields = dict(fields)
    co_grantors = fields.pop("co_grantors", [])
    domains = fields.pop("data_domains", [])
    call = Call(**fields)
    errors = {}
    try:
        call.full_clean(exclude=["co_grantors", "data_domains"], validate_constraints=False)
    except ValidationError as error:
        errors.update({field: [str(m) for m in messages] for field, messages in error.message_dict.items()})
    if call.noticed_on and call.noticed_on > local_today():
        errors.setdefault("noticed_on", []).append(str(_("The notice date cannot be in the future.")))
    domain_rows = _domains(domains, errors)
    co_grantor_rows = _co_grantors(call, co_grantors, errors)
    if errors:
        raise InvalidCall(errors)
    with transaction.atomic():
        call.save()
        call.data_domains.set(domain_rows)
        call.co_grantors.set(co_grantor_rows)
    return call


def add_license(
    call: Call, *, actor, expected_version: int, operator: Operator, scope: str, **fields
) -> License:
    """A license of the call for `operator`: created (through lifecycle.create_license, with the call's
    grantors, domains, mode, method and sources unless given) and listed on the call's notice day.
    Returns the license, listed."""
    with transaction.atomic():
        locked = writes.lock(call, expected_version)
        if locked.is_closed:
            raise CallClosed(
                _("The call is %(status)s: it takes no more operators.")
                % {"status": locked.get_status_display().lower()}
            )
        if License.objects.filter(call=locked, operator=operator).exists():
            raise InvalidCall({"operator": [_("This operator already has a license in this call.")]})
        values = {field: getattr(locked, field) for field in INHERITED}
        values["title"] = locked.title
        values["co_grantors"] = list(locked.co_grantors.all())
        values["data_domains"] = list(locked.data_domains.all())
        values.update(fields)
        license = lifecycle.create_license(
            actor=actor, occurred_on=locked.noticed_on, operator=operator, scope=scope, **values
        )
        License.objects.filter(pk=license.pk).update(call=locked)
        license.call = locked
        lifecycle.transition(
            license,
            LicenseAction.LIST,
            actor=actor,
            expected_version=license.version,
            occurred_on=locked.noticed_on,
        )
        _save(locked)
    writes.refresh(call, locked)
    return license


def award(call: Call, *, actor, expected_version: int, occurred_on: datetime.date | None = None) -> Call:
    """Mark the call awarded, on `occurred_on` (default today): at least one of its licenses was granted.
    Licenses still listed stay as they are."""
    with transaction.atomic():
        locked = writes.lock(call, expected_version)
        _check_open(locked)
        occurred_on = _effective_day(locked, occurred_on)
        if not _granted(locked).exists():
            raise InvalidCall({"status": [_("None of the call's licenses has been granted yet.")]})
        _award(locked, occurred_on)
    writes.refresh(call, locked)
    return call


def cancel(
    call: Call, *, actor, expected_version: int, reason: str, occurred_on: datetime.date | None = None
) -> Call:
    """Cancel the call on `occurred_on` (default today) for `reason`: every license of it still listed
    (or a draft) is withdrawn, with that reason and day, in this one transaction: if one withdrawal is
    refused, nothing is written. Granted licenses are left as they are."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(_("Give a reason to cancel a call."))
    with transaction.atomic():
        locked = writes.lock(call, expected_version)
        _check_open(locked)
        occurred_on = _effective_day(locked, occurred_on)
        pending = list(License.objects.filter(call=locked, status__in=PENDING).order_by("pk"))
        last = (
            LicenseEvent.objects.filter(license__in=pending)
            .order_by("-occurred_on")
            .values_list("occurred_on", flat=True)
            .first()
        )
        if last is not None and occurred_on < last:
            raise InvalidCall(
                {
                    "occurred_on": [
                        _(
                            "A license of the call has an event on %(day)s: the call cannot be "
                            "cancelled before it."
                        )
                        % {"day": last.isoformat()}
                    ]
                }
            )
        for license in pending:
            lifecycle.transition(
                license,
                LicenseAction.WITHDRAW,
                actor=actor,
                reason=reason,
                expected_version=license.version,
                occurred_on=occurred_on,
            )
        locked.status = CallStatus.CANCELLED
        locked.cancelled_on = occurred_on
        locked.reason = reason
        _save(locked)
    writes.refresh(call, locked)
    return call


def on_events_recorded(sender, license, events, **kwargs) -> None:
    """Receiver of signals.license_events_recorded (inside the transaction that grants): a call whose
    licenses have all been decided (none left listed or draft), one of them now granted, is awarded on
    the day of that grant."""
    if license.call_id is None:
        return
    grants = [event for event in events if event.action == EventAction.GRANT]
    if not grants:
        return
    locked = Call.objects.select_for_update().filter(pk=license.call_id, status=CallStatus.OPEN).first()
    if locked is None or License.objects.filter(call=locked, status__in=PENDING).exists():
        return
    _award(locked, max(grants[-1].occurred_on, locked.noticed_on))


# Internals -------------------------------------------------------------------------------------------


def _save(locked: Call) -> None:
    writes.save(locked, writes.changeable_fields(Call))


def _award(locked: Call, occurred_on: datetime.date) -> None:
    locked.status = CallStatus.AWARDED
    locked.awarded_on = occurred_on
    _save(locked)


def _granted(call: Call):
    return License.objects.filter(call=call).exclude(status__in=[*PENDING, LicenseStatus.WITHDRAWN])


def _check_open(locked: Call) -> None:
    if locked.is_closed:
        raise CallClosed(
            _("The call is already %(status)s.") % {"status": locked.get_status_display().lower()}
        )


def _effective_day(locked: Call, occurred_on: datetime.date | None) -> datetime.date:
    """The day an outcome took effect: today unless given; not in the future, not before the notice."""
    occurred_on = occurred_on or local_today()
    if occurred_on > local_today():
        raise InvalidCall({"occurred_on": [_("The day cannot be in the future.")]})
    if occurred_on < locked.noticed_on:
        raise InvalidCall(
            {
                "occurred_on": [
                    _("The day cannot be before the call's notice date, %(day)s.")
                    % {"day": locked.noticed_on.isoformat()}
                ]
            }
        )
    return occurred_on


def _domains(domains, errors: dict) -> list[Domain]:
    codes = [domain.code if isinstance(domain, Domain) else domain for domain in domains]
    try:
        return Domain.objects.for_codes(codes)
    except ValueError:
        errors["data_domains"] = [
            _("Unknown data domain among: %(codes)s.") % {"codes": ", ".join(map(str, codes))}
        ]
        return []


def _co_grantors(call: Call, co_grantors, errors: dict) -> list[Authority]:
    keys = [row.pk if isinstance(row, Authority) else row for row in co_grantors]
    found = {authority.pk: authority for authority in Authority.objects.filter(pk__in=keys)}
    if len(found) != len(set(keys)):
        errors["co_grantors"] = [_("Unknown authority among the co-grantors.")]
    elif call.grantor_id in found:
        errors["co_grantors"] = [_("The lead grantor is not also one of its co-grantors.")]
    return [found[key] for key in dict.fromkeys(keys) if key in found]


__all__ = [
    "CALL_FIELDS",
    "add_license",
    "award",
    "can_change_call",
    "cancel",
    "changeable_calls",
    "create_call",
    "on_events_recorded",
    "shown_calls",
]
