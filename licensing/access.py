"""Who may see and change what. The admin, the API, the public pages and the exports all ask here.

Roles, from the outside in:
- anyone (anonymous included) sees every license except drafts (and drafts withdrawn before they were
  ever listed or granted), and of their histories the public events only;
- an auditor (member of the "Auditors" group) sees everything, drafts included, and changes nothing;
- a regulator (a user with a Regulator profile) sees and changes the licenses whose grantor lies in their
  authority's jurisdiction, by division-code prefix (330000 covers 33xxxx; 330100 covers 3301xx;
  100000 covers all), and may register operators;
- a superuser sees and changes everything.
Inactive users have no role beyond the public's.
"""

import enum

from django.db.models import Q, QuerySet

from .choices import LicenseStatus
from .identifiers import division_prefix
from .models import Authority, License, Operator, Regulator

AUDITORS_GROUP = "Auditors"


class Role(enum.Enum):
    PUBLIC = "public"
    AUDITOR = "auditor"
    REGULATOR = "regulator"
    SUPERUSER = "superuser"


def role_of(user) -> Role:
    """The user's role, computed once per user object (a request's user lives for the request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.PUBLIC
    cached = getattr(user, "_licensing_role", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        role = Role.SUPERUSER
    elif regulator_of(user) is not None:
        role = Role.REGULATOR
    elif user.groups.filter(name=AUDITORS_GROUP).exists():
        role = Role.AUDITOR
    else:
        role = Role.PUBLIC
    user._licensing_role = role
    return role


def regulator_of(user) -> Regulator | None:
    """The user's Regulator profile with its authority, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_licensing_regulator"):
        user._licensing_regulator = Regulator.objects.select_related("authority").filter(user=user).first()
    return user._licensing_regulator


def jurisdiction_prefix(user) -> str | None:
    """The division-code prefix a regulator covers ("" for national), or None for other roles."""
    regulator = regulator_of(user) if role_of(user) == Role.REGULATOR else None
    return None if regulator is None else division_prefix(regulator.authority.division_code)


def _in_jurisdiction(prefix: str, field: str = "grantor__division_code") -> Q:
    return Q(**{f"{field}__startswith": prefix}) if prefix else Q()


def _co_granted_in(prefix: str) -> Q:
    """Licenses one of whose co-grantors lies in the jurisdiction `prefix` (a subquery: no duplicates)."""
    through = License.co_grantors.through.objects.filter(authority__division_code__startswith=prefix)
    return Q(pk__in=through.values("license_id"))


# Licenses ---------------------------------------------------------------------------------------------


def public_q(prefix: str = "") -> Q:
    """The condition for a public license (`prefix`: the path to it, as "license__"): one that has left
    the draft stage by a listing or a grant, which is when it got its number. A draft withdrawn before
    either was never public and stays out of every public view."""
    return ~Q(**{f"{prefix}status": LicenseStatus.DRAFT}) & Q(**{f"{prefix}number__isnull": False})


def public_licenses(queryset: QuerySet | None = None) -> QuerySet:
    """What anyone may see: every license that has left the draft stage by a listing or a grant."""
    queryset = License.objects.all() if queryset is None else queryset
    return queryset.filter(public_q())


def visible_licenses(user, queryset: QuerySet | None = None) -> QuerySet:
    """Licenses `user` may see: drafts only within their reach (their jurisdiction, or all for auditors
    and superusers); everything else is public."""
    queryset = License.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role in (Role.SUPERUSER, Role.AUDITOR):
        return queryset
    if role == Role.REGULATOR:
        prefix = jurisdiction_prefix(user)
        if prefix == "":
            # National: every draft is in reach. (An empty Q() would vanish from the OR below, leaving
            # only the public licenses.)
            return queryset
        # A co-grantor's jurisdiction reads the drafts it co-grants too (and changes none of them).
        return queryset.filter(public_q() | _in_jurisdiction(prefix) | _co_granted_in(prefix))
    return public_licenses(queryset)


def managed_licenses(user, queryset: QuerySet | None = None) -> QuerySet:
    """Licenses `user` is responsible for: a regulator's jurisdiction (as lead grantor or co-grantor; a
    co-grantor's reads only, see changeable_licenses), everything for auditors (to read) and superusers,
    nothing for the public. The admin lists these."""
    queryset = License.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role in (Role.SUPERUSER, Role.AUDITOR):
        return queryset
    if role == Role.REGULATOR:
        prefix = jurisdiction_prefix(user)
        if prefix == "":
            return queryset
        return queryset.filter(_in_jurisdiction(prefix) | _co_granted_in(prefix))
    return queryset.none()


def changeable_licenses(user, queryset: QuerySet | None = None) -> QuerySet:
    """Licenses `user` may change: a regulator those whose lead grantor lies in their jurisdiction."""
    queryset = License.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role == Role.SUPERUSER:
        return queryset
    if role == Role.REGULATOR:
        return queryset.filter(_in_jurisdiction(jurisdiction_prefix(user)))
    return queryset.none()


def can_change_license(user, license: License) -> bool:
    """Whether `user` may act on `license` (transitions, edits, renewal), whatever its state."""
    role = role_of(user)
    if role == Role.SUPERUSER:
        return True
    if role != Role.REGULATOR:
        return False
    return license.grantor.division_code.startswith(jurisdiction_prefix(user))


def sees_event_details(user, license: License) -> bool:
    """Whether `user` may read `license`'s history in full: the events of its draft stage (with the
    changes made while drafting) and the login names of those who acted. Those entitled to its drafts
    may (regulators in its jurisdiction, auditors, superusers); everyone else reads only the public
    events, each naming the authority its actor acted for (licensing.history.public_actor)."""
    role = role_of(user)
    if role in (Role.SUPERUSER, Role.AUDITOR):
        return True
    if role != Role.REGULATOR:
        return False
    return license.grantor.division_code.startswith(jurisdiction_prefix(user))


def can_create_licenses(user) -> bool:
    return role_of(user) in (Role.SUPERUSER, Role.REGULATOR)


def grantable_authorities(user) -> QuerySet:
    """Authorities `user` may name as a license's grantor or implementing body."""
    role = role_of(user)
    if role == Role.SUPERUSER:
        return Authority.objects.all()
    if role == Role.REGULATOR:
        return Authority.objects.filter(_in_jurisdiction(jurisdiction_prefix(user), "division_code"))
    return Authority.objects.none()


def visible_authorities(user, queryset: QuerySet | None = None) -> QuerySet:
    """In the admin, a regulator sees the authorities of their jurisdiction; auditors and superusers all."""
    queryset = Authority.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role in (Role.SUPERUSER, Role.AUDITOR):
        return queryset
    if role == Role.REGULATOR:
        return queryset.filter(_in_jurisdiction(jurisdiction_prefix(user), "division_code"))
    return queryset.none()


def can_manage_authorities(user) -> bool:
    """Authorities and regulator profiles are managed by superusers."""
    return role_of(user) == Role.SUPERUSER


def can_edit_authorities(user) -> bool:
    """Authorities (not regulator profiles) are also created and changed through the API by
    national-level regulators (whose authority's division is 100000), as findings are recorded."""
    role = role_of(user)
    if role == Role.SUPERUSER:
        return True
    return role == Role.REGULATOR and jurisdiction_prefix(user) == ""


# Operators --------------------------------------------------------------------------------------------


def can_register_operators(user) -> bool:
    return role_of(user) in (Role.SUPERUSER, Role.REGULATOR)


def changeable_operators(user, queryset: QuerySet | None = None) -> QuerySet:
    """Operators whose identity and contacts `user` may change: a regulator those holding a public
    license (one past draft, see public_q) in their jurisdiction; superusers all.

    Naming an operator on a draft gives no right over it: anyone may name any registered operator on a
    draft, so the draft proves nothing about who speaks for the operator. An operator with no public
    license yet is changed by superusers only."""
    queryset = Operator.objects.all() if queryset is None else queryset
    role = role_of(user)
    if role == Role.SUPERUSER:
        return queryset
    if role != Role.REGULATOR:
        return queryset.none()
    holds_here = License.objects.filter(
        public_q(), _in_jurisdiction(jurisdiction_prefix(user)), operator__isnull=False
    ).values("operator_id")
    return queryset.filter(pk__in=holds_here)


def can_change_operator(user, operator: Operator) -> bool:
    return changeable_operators(user, Operator.objects.filter(pk=operator.pk)).exists()


# Findings ---------------------------------------------------------------------------------------------


def can_record_findings(user) -> bool:
    """Findings (audit and enforcement) are recorded by superusers and national-level regulators (whose
    authority's division is 100000). Everyone may read them."""
    role = role_of(user)
    if role == Role.SUPERUSER:
        return True
    return role == Role.REGULATOR and jurisdiction_prefix(user) == ""


# Annual disclosures -----------------------------------------------------------------------------------


def can_record_disclosures(user, license: License) -> bool:
    """A license's annual disclosures are recorded by those who may change it (its lead grantor's
    jurisdiction, superusers); everyone reads them."""
    return can_change_license(user, license)
