"""Who may do what in the admin, from the outside: every role against every operation, every cell asserted.

Roles: superuser; a regulator of Hangzhou (330100), whose jurisdiction holds the license; a regulator of
Hunan (430000), whose does not; an auditor; an anonymous visitor.
"""

import dataclasses

import pytest
from django.urls import reverse

from licensing.models import License, LicenseEvent, Regulator

from . import admin_forms, factories

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "inside", "outside", "auditor", "anonymous"]


@dataclasses.dataclass
class World:
    license: License
    users: dict


@pytest.fixture
def world(world):
    license = factories.license_in("active", grantor=world["hangzhou"], title="Hangzhou transport data")
    return World(license=license, users=world["users"])


def _client(client, world, role):
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _is_login_redirect(response):
    return response.status_code == 302 and reverse("admin:login") in response["Location"]


EXPECTED = {
    # operation: superuser, inside, outside, auditor, anonymous
    "list": ["shown", "shown", "hidden", "shown", "login"],
    "view": [200, 200, 404, 200, "login"],
    # Django's history lists form edits only: it leads to the license's timeline.
    "history": ["timeline", "timeline", 404, "timeline", "login"],
    "change": ["changed", "changed", 404, 403, "login"],
    "transition": ["changed", "changed", 404, 403, "login"],
    "export": ["shown", "shown", "hidden", "shown", "login"],
    # Nobody deletes licenses or events: refused before any lookup, so it reveals nothing.
    "delete": [403, 403, 403, 403, "login"],
    "delete_event": [403, 403, 403, 403, "login"],
}
CELLS = [(operation, role) for operation in EXPECTED for role in ROLES]


@pytest.mark.parametrize(("operation", "role"), CELLS, ids=[f"{o}-{r}" for o, r in CELLS])
def test_permission_matrix(client, world, operation, role):
    expected = EXPECTED[operation][ROLES.index(role)]
    client = _client(client, world, role)
    license = world.license
    version = license.version
    pk = license.pk
    if operation == "list":
        response = client.get(reverse("admin:licensing_license_changelist"))
    elif operation == "view":
        response = client.get(reverse("admin:licensing_license_change", args=[pk]))
    elif operation == "history":
        response = client.get(reverse("admin:licensing_license_history", args=[pk]))
    elif operation == "change":
        response = client.post(
            reverse("admin:licensing_license_change", args=[pk]),
            admin_forms.admin_form_data(license, scope="Wider scope.", amendment_reason="Agreement amended."),
        )
    elif operation == "transition":
        response = client.post(
            reverse("admin:licensing_license_transition", args=[pk, "suspend"]),
            {"version": version, "reason": "Security review."},
        )
    elif operation == "export":
        response = client.get(reverse("admin:licensing_license_export"))
    elif operation == "delete":
        response = client.post(reverse("admin:licensing_license_delete", args=[pk]), {"post": "yes"})
    elif operation == "delete_event":
        event = license.events.first()
        response = client.post(
            reverse("admin:licensing_licenseevent_delete", args=[event.pk]), {"post": "yes"}
        )

    license.refresh_from_db()
    if expected == "login":
        assert _is_login_redirect(response), response.status_code
    elif expected in ("shown", "hidden"):
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode() if response.streaming else response.text
        assert (license.number in body) == (expected == "shown")
    elif expected == "changed":
        assert response.status_code == 302, getattr(
            response, "context_data", None
        ) and response.context_data.get("errors")
        assert license.version == version + 1
    elif expected == "timeline":
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:licensing_license_change", args=[pk]) + "#timeline"
    else:
        assert response.status_code == expected
    if expected != "changed":
        assert license.version == version
    assert License.objects.filter(pk=pk).exists()
    assert LicenseEvent.objects.filter(license=license).count() == 3 + (expected == "changed")


def test_filters_offer_only_visible_grantors(client, world):
    client.force_login(world.users["outside"])
    response = client.get(reverse("admin:licensing_license_changelist"))
    assert "杭州市数据资源管理局" not in response.text
    client.force_login(world.users["inside"])
    response = client.get(reverse("admin:licensing_license_changelist"))
    assert "杭州市数据资源管理局" in response.text


def test_outside_regulator_cannot_reach_the_license_through_a_filter_or_search(client, world):
    client.force_login(world.users["outside"])
    url = reverse("admin:licensing_license_changelist")
    for query in (
        f"?grantor={world.license.grantor_id}",
        f"?q={world.license.number}",
        "?status__exact=active",
    ):
        response = client.get(url + query)
        assert response.status_code == 200
        assert world.license.title not in response.text
        assert response.context["cl"].result_count == 0


def test_regulators_see_only_their_jurisdictions_authorities_and_no_regulator_profiles(client, world):
    client.force_login(world.users["outside"])
    authorities = client.get(reverse("admin:licensing_authority_changelist"))
    assert "湖南省数据局" in authorities.text and "杭州市数据资源管理局" not in authorities.text
    assert client.get(reverse("admin:licensing_regulator_changelist")).status_code == 403
    assert client.get(reverse("admin:licensing_authority_add")).status_code == 403


def test_operator_editing_follows_the_jurisdiction_of_its_licenses(client, world):
    operator = world.license.operator
    url = reverse("admin:licensing_operator_change", args=[operator.pk])
    data = {"name": "Renamed", "name_en": "", "aliases": "", "uscc": operator.uscc, "uscc_note": ""}
    data |= {"kind": operator.kind, "contact_emails": "", "website": "", "origin": operator.origin}
    client.force_login(world.users["outside"])
    assert client.post(url, data).status_code == 403
    client.force_login(world.users["inside"])
    assert client.post(url, data).status_code == 302
    operator.refresh_from_db()
    assert operator.name == "Renamed"
    add = client.post(
        reverse("admin:licensing_operator_add"),
        data | {"name": "New Co", "uscc": factories.valid_uscc()},
    )
    assert add.status_code == 302


def test_non_staff_users_get_nothing(client, world):
    plain = factories.user("plain")
    client.force_login(plain)
    assert _is_login_redirect(client.get(reverse("admin:licensing_license_changelist")))


# Operators: who may change an operator's identity and contacts, and who sees its contact emails. Hunan's
# regulator ("outside") has named the operator on a draft of its own first: that gives no right.
OPERATOR_EXPECTED = {
    # operation: superuser, inside, outside, auditor, anonymous
    "operator_view": ["contacts", "contacts", "no contacts", "no contacts", "login"],
    "operator_edit": ["changed", "changed", 403, 403, "login"],
}
OPERATOR_CELLS = [(operation, role) for operation in OPERATOR_EXPECTED for role in ROLES]


@pytest.mark.parametrize(("operation", "role"), OPERATOR_CELLS, ids=[f"{o}-{r}" for o, r in OPERATOR_CELLS])
def test_operator_permission_matrix(client, world, operation, role):
    from licensing.models import Operator, OperatorEvent

    expected = OPERATOR_EXPECTED[operation][ROLES.index(role)]
    operator = world.license.operator
    Operator.objects.filter(pk=operator.pk).update(contact_emails="licensing@operator.example")
    hunan = Regulator.objects.get(user=world.users["outside"]).authority
    factories.draft(grantor=hunan, operator=operator, title="Bait")
    client = _client(client, world, role)
    url = reverse("admin:licensing_operator_change", args=[operator.pk])
    if operation == "operator_view":
        response = client.get(url)
    else:
        data = {"name": "Renamed", "name_en": "", "aliases": "", "uscc": operator.uscc, "uscc_note": ""}
        data |= {"kind": operator.kind, "website": "", "origin": operator.origin}
        data |= {"contact_emails": "attacker@example.test"}
        response = client.post(url, data)
    operator.refresh_from_db()
    if expected == "login":
        assert _is_login_redirect(response), response.status_code
    elif expected in ("contacts", "no contacts"):
        assert response.status_code == 200
        assert ("licensing@operator.example" in response.text) == (expected == "contacts")
    elif expected == "changed":
        assert response.status_code == 302
        assert (operator.name, operator.contact_emails) == ("Renamed", "attacker@example.test")
        assert OperatorEvent.objects.get(operator=operator).actor == world.users[role]
    else:
        assert response.status_code == expected
    if expected != "changed":
        assert operator.contact_emails == "licensing@operator.example"
        assert not OperatorEvent.objects.exists()
