"""The one way a registration (登记) changes: its application, the steps of its procedure, its renewal,
and the objections filed during its public notice (公共数据资源登记管理暂行办法, 发改数据规〔2025〕26号).

As lifecycle.py does for licenses, each function locks the registration row, checks the version the
caller saw, writes the change and an append-only RegistrationEvent (with its reason and effective day)
in one transaction. The procedure (Art. 8-15):

    applied → accepted, under formal review → under public notice → code issued
    side paths: returned for completion (the clock restarts on resubmission), objection upheld →
    terminated, cancelled (also by the sweep, when an issued code is not renewed), revoked (false
    materials, Art. 20).

Deadlines are counted in Chinese working days (licensing.workdays): acceptance within 3 of the
application, formal review within 20 of the acceptance, the notice runs 10. A code is valid 3 years from
its issue, or until the license's term ends where that is sooner; it may be renewed in the 60 days before
it expires, for 3 years from the day after.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.middleware import current_request_id

from . import access, workdays, writes
from .access import Role
from .choices import (
    LicenseParty,
    LicenseStatus,
    ObjectionState,
    RegistrationAction,
    RegistrationEventAction,
    RegistrationStatus,
)
from .dates import add_years, local_today
from .exceptions import (
    InvalidRegistration,
    NotDue,
    ObjectionClosed,
    ReasonRequired,
    RegistrationActionNotAllowed,
    RegistrationStale,
    UnknownAction,
)
from .models import License, Objection, Registration, RegistrationEvent

S, A = RegistrationStatus, RegistrationAction

# action -> (the states it may start from, the state it leads to).
TRANSITIONS: dict[RegistrationAction, tuple[frozenset[RegistrationStatus], RegistrationStatus]] = {
    A.ACCEPT: (frozenset({S.APPLIED}), S.UNDER_REVIEW),
    A.RETURN: (frozenset({S.APPLIED, S.UNDER_REVIEW}), S.RETURNED),
    A.RESUBMIT: (frozenset({S.RETURNED}), S.APPLIED),
    A.START_NOTICE: (frozenset({S.UNDER_REVIEW}), S.IN_NOTICE),
    A.ISSUE: (frozenset({S.IN_NOTICE}), S.ISSUED),
    A.TERMINATE: (frozenset({S.IN_NOTICE}), S.TERMINATED),
    A.CANCEL: (frozenset({S.APPLIED, S.UNDER_REVIEW, S.RETURNED, S.IN_NOTICE, S.ISSUED}), S.CANCELLED),
    A.REVOKE: (frozenset({S.IN_NOTICE, S.ISSUED}), S.REVOKED),
    A.RENEW: (frozenset({S.ISSUED}), S.ISSUED),
}

REASON_REQUIRED = frozenset({A.RETURN, A.TERMINATE, A.CANCEL, A.REVOKE})

# The procedure's deadlines, in working days (Art. 10-12).
ACCEPTANCE_DAYS = 3
REVIEW_DAYS = 20
NOTICE_DAYS = 10
# Validity and renewal (Art. 15).
VALID_YEARS = 3
RENEWAL_WINDOW_DAYS = 60

# Licenses whose data may be registered: granted and not ended.
REGISTRABLE_LICENSE_STATES = (LicenseStatus.GRANTED, LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED)

# Fields a caller sets through apply(); the rest belong to the procedure.
APPLICATION_FIELDS = ("registrant_role", "kind", "application_type", "name", "summary", "origin")


def allowed_actions(status: str) -> list[RegistrationAction]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if status in sources]


# Who may act -----------------------------------------------------------------------------------------


def can_change(user, registration: Registration) -> bool:
    """As for licenses: superusers, and regulators whose jurisdiction covers the license's lead grantor."""
    return access.can_change_license(user, registration.license)


def managed(user, queryset=None):
    """The registrations `user` is responsible for (the admin lists these): those of the licenses they
    manage (licensing.access.managed_licenses)."""
    queryset = Registration.objects.all() if queryset is None else queryset
    if access.role_of(user) in (Role.SUPERUSER, Role.AUDITOR):
        return queryset
    return queryset.filter(license__in=access.managed_licenses(user).values("pk"))


def visible(user, queryset=None):
    """What `user` may read: everything public (past the start of its notice), and what they manage."""
    queryset = Registration.objects.all() if queryset is None else queryset
    role = access.role_of(user)
    if role in (Role.SUPERUSER, Role.AUDITOR):
        return queryset
    public = queryset.public()
    if role == Role.REGULATOR:
        return public | managed(user, queryset)
    return public


def shown(queryset=None):
    """Registrations with what their pages and the API show (license, grantor, registrant): no N+1."""
    queryset = Registration.objects.all() if queryset is None else queryset
    return queryset.select_related("license__grantor", "license__operator", "license__implementing_body")


# Derived days ----------------------------------------------------------------------------------------


def acceptance_due(registration: Registration) -> workdays.Day:
    return workdays.add_working_days(registration.applied_on, ACCEPTANCE_DAYS)


def review_due(registration: Registration) -> workdays.Day | None:
    if registration.accepted_on is None:
        return None
    return workdays.add_working_days(registration.accepted_on, REVIEW_DAYS)


def notice_last_day(registration: Registration) -> workdays.Day | None:
    """The notice's last day as announced when it started."""
    if registration.notice_ends_on is None:
        return None
    return workdays.Day(registration.notice_ends_on, registration.notice_ends_estimated)


def expiry_for(issued_on: datetime.date, license: License) -> datetime.date:
    """The last valid day of a code issued on `issued_on`: 3 years, or the license's last day if sooner."""
    end = add_years(issued_on, VALID_YEARS) - datetime.timedelta(days=1)
    return min(end, license.term_end) if license.term_end else end


def renewal_opens_on(expires_on: datetime.date) -> datetime.date:
    """The first day a renewal may be filed: 60 days before the last valid day."""
    return expires_on - datetime.timedelta(days=RENEWAL_WINDOW_DAYS)


def renewed_expiry(registration: Registration) -> datetime.date:
    """A renewal runs 3 years from the day after the current expiry (no longer than the license)."""
    start = registration.expires_on + datetime.timedelta(days=1)
    return expiry_for(start, registration.license)


# Services --------------------------------------------------------------------------------------------


def apply(license: License, *, actor, occurred_on: datetime.date | None = None, **fields) -> Registration:
    """A new application for `license`'s registrant, `applied` on `occurred_on` (default today)."""
    unknown = sorted(set(fields) - set(APPLICATION_FIELDS))
    if unknown:
        raise InvalidRegistration({field: [_("This field cannot be set here.")] for field in unknown})
    occurred_on = _effective_day(occurred_on, None)
    with transaction.atomic():
        license = License.objects.select_related("operator", "implementing_body", "grantor").get(
            pk=license.pk
        )
        registration = Registration(license=license, applied_on=occurred_on, **fields)
        errors = _application_errors(registration)
        if errors:
            raise InvalidRegistration(errors)
        registration.save()
        _record(registration, RegistrationEventAction.APPLY, "", S.APPLIED, actor, occurred_on)
    return registration


def _application_errors(registration: Registration) -> dict:
    errors: dict[str, list] = {}
    try:
        registration.full_clean(exclude=["license"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update({field: [str(m) for m in messages] for field, messages in error.message_dict.items()})
    license = registration.license
    if license.status not in REGISTRABLE_LICENSE_STATES:
        errors.setdefault("license", []).append(
            str(
                _("Only a granted license in force is registered against; this one is %(status)s.")
                % {"status": license.get_status_display().lower()}
            )
        )
    if registration.registrant_role in LicenseParty.values and registration.registrant is None:
        errors.setdefault("registrant_role", []).append(
            str(
                _("The license names no %(role)s.")
                % {"role": registration.get_registrant_role_display().lower()}
            )
        )
    if registration.summary is not None and not registration.summary.strip():
        errors.setdefault("summary", []).append(str(_("The summary is published with the notice: give one.")))
    return errors


def act(
    registration: Registration,
    action: str,
    *,
    actor,
    expected_version: int | None,
    reason: str = "",
    occurred_on: datetime.date | None = None,
) -> Registration:
    """Apply one action of the procedure (TRANSITIONS) on `occurred_on` (default today).

    `expected_version` is the version the caller saw (None only for the sweep, which re-checks the state
    under the lock). Returns the registration as saved; the caller's instance is updated too.
    """
    action = _parse_action(action)
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = writes.lock(
            registration, expected_version, related=("license__grantor",), stale=RegistrationStale
        )
        _apply(locked, action, actor=actor, reason=reason, occurred_on=occurred_on)
    writes.refresh(registration, locked)
    return registration


def _apply(locked: Registration, action: RegistrationAction, *, actor, reason: str, occurred_on) -> None:
    sources, target = TRANSITIONS[action]
    current = RegistrationStatus(locked.status)
    if current not in sources:
        raise RegistrationActionNotAllowed(action, current, allowed_actions(current))
    if action in REASON_REQUIRED and not reason:
        raise ReasonRequired(
            _("Give a reason to %(action)s a registration.") % {"action": action.label.lower()}
        )
    day = _effective_day(occurred_on, _last_day(locked))
    changes = {}
    if action == A.ACCEPT:
        locked.accepted_on = day
    elif action == A.RESUBMIT:
        # Art. 10: an application completed after a return starts the clock again.
        locked.applied_on, locked.accepted_on = day, None
    elif action == A.START_NOTICE:
        last = workdays.nth_working_day_from(day, NOTICE_DAYS)
        locked.notice_starts_on, locked.notice_ends_on, locked.notice_ends_estimated = (
            day,
            last.day,
            last.estimated,
        )
    elif action == A.ISSUE:
        _check_issuable(locked, day)
        locked.issued_on = day
        locked.expires_on = expiry_for(day, locked.license)
        locked.code = Registration.allocate_code(locked.license.grantor.division_code, day.year, locked.kind)
    elif action == A.RENEW:
        before = locked.expires_on
        _check_renewable(locked, day)
        locked.expires_on = renewed_expiry(locked)
        changes["expires_on"] = [before.isoformat(), locked.expires_on.isoformat()]
    if target in RegistrationStatus.terminal():
        locked.ended_on = day
    locked.status = target
    writes.save(locked, writes.changeable_fields(Registration), stale=RegistrationStale)
    _record(locked, action, current, target, actor, day, reason=reason, changes=changes)


def _check_issuable(locked: Registration, day: datetime.date) -> None:
    if day <= locked.notice_ends_on:
        raise NotDue(
            _("The public notice runs until %(day)s: the code is issued after it.")
            % {"day": locked.notice_ends_on.isoformat()}
        )
    if locked.objections.filter(state=ObjectionState.PENDING).exists():
        raise NotDue(_("An objection awaits its decision: decide it before the code is issued."))


def _check_renewable(locked: Registration, day: datetime.date) -> None:
    opens = renewal_opens_on(locked.expires_on)
    if day < opens:
        raise NotDue(
            _("A renewal may be filed from %(day)s, 60 days before the code expires.")
            % {"day": opens.isoformat()}
        )
    if day > locked.expires_on:
        raise NotDue(
            _("The code expired on %(day)s: it can no longer be renewed.") % {"day": locked.expires_on}
        )
    if renewed_expiry(locked) <= locked.expires_on:
        raise InvalidRegistration(
            {
                "expires_on": [
                    _("The license ends by %(day)s: a renewal would not extend the registration.")
                    % {"day": locked.expires_on.isoformat()}
                ]
            }
        )


# Objections ------------------------------------------------------------------------------------------

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
# What an evidence file must start with: its type is read from its content, never from its name.
MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))


def evidence_type(head: bytes) -> str | None:
    """The type of a file that starts with `head`: PDF, JPEG or PNG, or None for anything else."""
    for magic, content_type in MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def evidence_errors(upload) -> list[str]:
    """Why an uploaded evidence file is refused (empty: accepted). Reads at most its first bytes."""
    if upload.size > settings.REGISTRATION_EVIDENCE_MAX_BYTES:
        return [
            str(
                _("The evidence file is larger than %(size)s MB.")
                % {"size": settings.REGISTRATION_EVIDENCE_MAX_BYTES // (1024 * 1024)}
            )
        ]
    if upload.size == 0:
        return [str(_("The evidence file is empty."))]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if evidence_type(head) is None:
        return [
            str(
                _(
                    "The evidence must be a PDF, JPEG or PNG file: this file's content is none of them, "
                    "whatever its name says."
                )
            )
        ]
    return []


def file_objection(
    registration: Registration, *, name: str, contact: str, reasons: str, evidence, evidence_name: str
) -> Objection:
    """An objection to a registration under notice (during its notice only), with its evidence."""
    content = evidence if isinstance(evidence, bytes) else evidence.read()
    kind = evidence_type(content[:16])
    errors = {}
    for field, value in (("name", name), ("contact", contact), ("reasons", reasons)):
        if not (value or "").strip():
            errors[field] = [str(_("This field is required."))]
    if kind is None:
        errors["evidence"] = [str(_("The evidence must be a PDF, JPEG or PNG file."))]
    if errors:
        raise InvalidRegistration(errors)
    with transaction.atomic():
        locked = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
        if locked.status != S.IN_NOTICE or local_today() > locked.notice_ends_on:
            raise ObjectionClosed(_("Objections are taken while the registration is under public notice."))
        return Objection.objects.create(
            registration=locked,
            name=name.strip(),
            contact=contact.strip(),
            reasons=reasons.strip(),
            evidence=content,
            evidence_name=(evidence_name or "")[-200:],
            evidence_type=kind,
            evidence_size=len(content),
        )


def decide_objection(objection: Objection, *, actor, uphold: bool, note: str) -> Objection:
    """Uphold (the registration is terminated, with `note` as the reason) or dismiss an objection, in one
    transaction."""
    note = (note or "").strip()
    if not note:
        raise ReasonRequired(_("Give the reasons for the decision: they are recorded."))
    with transaction.atomic():
        registration = Registration.objects.select_for_update(of=("self",)).get(pk=objection.registration_id)
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.state != ObjectionState.PENDING:
            raise ObjectionClosed(_("The objection has been decided already."))
        if uphold:
            _apply(registration, A.TERMINATE, actor=actor, reason=note, occurred_on=None)
        locked.state = ObjectionState.UPHELD if uphold else ObjectionState.DISMISSED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.decision_note = note
        locked.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    objection.state, objection.decided_at = locked.state, locked.decided_at
    return locked


# Internals -------------------------------------------------------------------------------------------


def _parse_action(action) -> RegistrationAction:
    try:
        return RegistrationAction(action)
    except ValueError:
        raise UnknownAction(action, list(RegistrationAction)) from None


def _last_day(locked: Registration) -> datetime.date | None:
    return (
        RegistrationEvent.objects.filter(registration=locked)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )


def _effective_day(occurred_on: datetime.date | None, last: datetime.date | None) -> datetime.date:
    """The day a step took effect: today unless given; not in the future, not before the last step."""
    today = local_today()
    day = occurred_on or today
    if day > today:
        raise InvalidRegistration({"occurred_on": [str(_("The effective day cannot be in the future."))]})
    if last is not None and day < last:
        raise InvalidRegistration(
            {
                "occurred_on": [
                    str(
                        _("The registration's previous step took effect on %(day)s: not before it.")
                        % {"day": last.isoformat()}
                    )
                ]
            }
        )
    return day


def _record(registration, action, from_status, to_status, actor, occurred_on, *, reason="", changes=None):
    return RegistrationEvent.objects.create(
        registration=registration,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        actor=actor,
        actor_repr=writes.actor_repr(actor),
        changes=changes or {},
        occurred_on=occurred_on,
        request_id=current_request_id(),
    )


__all__ = [
    "ACCEPTANCE_DAYS",
    "APPLICATION_FIELDS",
    "NOTICE_DAYS",
    "RENEWAL_WINDOW_DAYS",
    "REVIEW_DAYS",
    "TRANSITIONS",
    "act",
    "allowed_actions",
    "apply",
    "can_change",
    "decide_objection",
    "evidence_errors",
    "file_objection",
    "managed",
    "shown",
    "visible",
]
