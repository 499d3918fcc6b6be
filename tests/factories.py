"""Small builders for tests. Licenses reach their states through the lifecycle service, as in real use."""

import datetime
import functools
import itertools

import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from licensing import lifecycle, notifications
from licensing.choices import DataDomain, LicenseAction, LicenseStatus
from licensing.dates import local_today
from licensing.identifiers import uscc_check_character
from licensing.models import Authority, License, Operator

_sequence = itertools.count(1)
D = datetime.timedelta


def authority(division_code="330100", name=None, **fields) -> Authority:
    return Authority.objects.create(
        division_code=division_code, name=name or f"Authority {division_code} #{next(_sequence)}", **fields
    )


def valid_uscc(region="330100") -> str:
    body = f"91{region}MA{next(_sequence):07d}"
    return body + uscc_check_character(body)


def operator(**fields) -> Operator:
    fields.setdefault("name", f"Operator #{next(_sequence)}")
    fields.setdefault("uscc", valid_uscc())
    return Operator.objects.create(**fields)


def user(username=None, **fields):
    return get_user_model().objects.create_user(username=username or f"user{next(_sequence)}", **fields)


def regulator(username, authority: Authority, **fields):
    """A user who regulates for `authority` (their profile's contact address is <username>@example.test)."""
    from licensing.models import Regulator

    account = user(username, **fields)
    Regulator.objects.create(user=account, authority=authority, contact_email=f"{username}@example.test")
    return account


def auditor(username="auditor", **fields):
    """A user of the auditors' group: reads everything, changes nothing (licensing.access)."""
    from django.contrib.auth.models import Group

    from licensing.access import AUDITORS_GROUP

    account = user(username, **fields)
    account.groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    return account


def _setup_only(build):
    """Licenses built for a test are set-up, not acts to tell anyone of: no lifecycle notifications."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with notifications.suppressed():
            return build(*args, **kwargs)

    return wrapper


@_setup_only
def draft(grantor=None, **fields) -> License:
    fields.setdefault("title", f"License #{next(_sequence)}")
    fields.setdefault("data_domains", [DataDomain.HEALTH])
    fields.setdefault("scope", "Public health data for research products.")
    return lifecycle.create_license(actor=None, grantor=grantor or authority(), **fields)


def with_term(start: datetime.date, years_days: int = 365, **fields) -> dict:
    return {"term_start": start, "term_end": start + D(days=years_days), "operator": operator(), **fields}


@_setup_only
def license_in(status: str, *, today: datetime.date | None = None, **fields) -> License:
    """A license brought to `status` through the lifecycle service.

    Granted licenses start tomorrow; the others that have a term run from 10 days ago to 10 days ahead
    (ended ones: until yesterday), so `activate` and `expire` become due by travelling a few days.
    """
    today = today or local_today()
    status = LicenseStatus(status)
    if status == LicenseStatus.DRAFT:
        return draft(**fields)
    if status in (LicenseStatus.LISTED, LicenseStatus.WITHDRAWN):
        # Withdrawn after it was listed: public (a draft withdrawn before listing never is).
        license = _act(draft(**fields), LicenseAction.LIST)
        if status == LicenseStatus.LISTED:
            return license
        return _act(license, LicenseAction.WITHDRAW, reason="No operator came forward.")
    if status == LicenseStatus.GRANTED:
        license = draft(**with_term(today + D(days=1), **fields))
        return _act(license, LicenseAction.GRANT)
    ended = status in (LicenseStatus.EXPIRED, LicenseStatus.RENEWED)
    end = today - D(days=1) if ended else today + D(days=10)
    license = draft(**{"term_start": today - D(days=10), "term_end": end, "operator": operator(), **fields})
    if status == LicenseStatus.RENEWED:
        # Renewed while its term ran (yesterday, its last day); it ends as renewed today, below.
        with time_machine.travel(timezone.now() - D(days=1)):
            _grant_on_first_day(license)
            lifecycle.renew(
                license, term_end=today + D(days=365), actor=None, expected_version=license.version
            )
        return _act(license, LicenseAction.EXPIRE)
    # The term has started: granted on its first day and activated at once (and, for a term that ended
    # yesterday, expired today, the day after its last).
    _grant_on_first_day(license)
    if status in (LicenseStatus.ACTIVE, LicenseStatus.EXPIRED):
        return license
    if status == LicenseStatus.SUSPENDED:
        return _act(license, LicenseAction.SUSPEND, reason="Security review pending.")
    if status == LicenseStatus.REVOKED:
        return _act(license, LicenseAction.REVOKE, reason="Data used beyond the scope.")
    return _act(license, LicenseAction.TERMINATE, reason="Ended early by agreement.")


def _grant_on_first_day(license: License) -> License:
    return lifecycle.transition(
        license, "grant", actor=None, expected_version=license.version, occurred_on=license.term_start
    )


def _act(license: License, action, reason="") -> License:
    return lifecycle.transition(license, action, actor=None, reason=reason, expected_version=license.version)


def product(license: License, *, actor=None, **fields):
    """A product added through the products service (an event on the license, the version bumped)."""
    from licensing import products

    fields.setdefault("name", f"Product #{next(_sequence)}")
    fields.setdefault("product_class", "industry")
    with notifications.suppressed():
        created = products.create_product(license, actor=actor, expected_version=license.version, **fields)
    license.refresh_from_db()
    return created


def priced(license: License, price="0.50", cap="1.00", **fields):
    """A paid industry product with its cap, price and posting all recorded (raises no flag by itself)."""
    today = local_today()
    values = {
        "charging_unit": "per_call",
        "price_cap": cap,
        "cap_set_on": today - D(days=30),
        "cap_document": "示例价格文件〔2026〕1号",
        "actual_price": price,
        "prices_posted_on": today - D(days=20),
        "review_cycle_months": 36,
        **fields,
    }
    return product(license, **values)


def finding(**fields):
    from licensing import findings

    fields.setdefault("issuer", "审计署")
    fields.setdefault("issuer_en", "National Audit Office")
    fields.setdefault("published_on", local_today() - D(days=100))
    fields.setdefault("entity_name", f"Entity #{next(_sequence)}")
    fields.setdefault("source", "Audit report.")
    return findings.record_finding(**fields)


def api_token_header(user, **options) -> str:
    """The Authorization header value of a new API token of `user` (hashed, expiring: licensing.tokens)."""
    from licensing import tokens

    options.setdefault("name", "tests")
    _token, raw = tokens.create_token(user, **options)
    return f"Token {raw}"


def registration(license: License | None = None, *, occurred_on=None, **fields):
    """An application (status `applied`) for an active license's implementing body, through the service."""
    from licensing import registrations

    if license is None:
        license = registrable_license()
    fields.setdefault("registrant_role", "implementing_body")
    fields.setdefault("kind", "data_resource")
    fields.setdefault("name", f"Data resource #{next(_sequence)}")
    fields.setdefault("summary", "Road traffic counts by hour, anonymised.")
    return registrations.apply(license, actor=None, occurred_on=occurred_on, **fields)


def registrable_license(**fields) -> License:
    """An active license with an implementing body, in force from 60 days ago for four years more."""
    today = local_today()
    fields.setdefault("implementing_body", authority())
    fields.setdefault("term_start", today - D(days=60))
    fields.setdefault("term_end", today + D(days=4 * 365))
    return license_in(LicenseStatus.ACTIVE, **fields)


# The actions that bring a new application to each state, in order.
REGISTRATION_PATHS = {
    "applied": [],
    "under_review": ["accept"],
    "returned": ["return"],
    "in_notice": ["accept", "start_notice"],
    "issued": ["accept", "start_notice", "issue"],
    "terminated": ["accept", "start_notice", "terminate"],
    "cancelled": ["cancel"],
    "revoked": ["accept", "start_notice", "issue", "revoke"],
}


def registration_in(status: str, license: License | None = None, **fields):
    """A registration brought to `status` through the service, each step today; where the code has to
    be issued on the way, the steps before it happen 40 days ago, so the notice is over today."""
    from licensing import registrations

    license = license or registrable_license()
    steps = REGISTRATION_PATHS[status]
    earlier = steps[: steps.index("issue")] if "issue" in steps else []
    with time_machine.travel(timezone.now() - D(days=40)):
        reg = registration(license, **fields)
        for action in earlier:
            registrations.act(reg, action, actor=None, expected_version=reg.version)
    for action in steps[len(earlier) :]:
        registrations.act(
            reg, action, actor=None, expected_version=reg.version, reason="Reason given in the test."
        )
    return reg
