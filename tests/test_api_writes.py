"""Regulator writes through the API, and who may make them: every write against every role."""

import datetime
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from licensing.models import License, LicenseEvent, Operator

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta
ROLES = ["anonymous", "inside", "outside", "auditor", "superuser"]


@pytest.fixture
def world(world):
    active = factories.license_in("active", grantor=world["hangzhou"])
    draft = factories.draft(grantor=world["hangzhou"])
    operator = factories.operator(name="之江示例数据科技有限公司")
    return {**world, "active": active, "draft": draft, "operator": operator}


def _client(world, role):
    client = APIClient()
    if world["users"][role] is not None:
        client.force_authenticate(world["users"][role])
    return client


def _write(world, operation):
    license, hangzhou, operator = world["active"], world["hangzhou"], world["operator"]
    if operation == "create":
        return (
            "post",
            "/api/v1/licenses/",
            {
                "title": "Bus data",
                "grantor_id": hangzhou.pk,
                "operator_uscc": operator.uscc.lower(),
                "data_domains": ["transport"],
                "scope": "Bus arrivals.",
            },
        )
    if operation == "patch":
        return (
            "patch",
            f"/api/v1/licenses/{license.number}/",
            {
                "scope": "Wider scope.",
                "reason": "Agreement amended.",
                "version": license.version,
            },
        )
    if operation == "patch_draft":
        return "patch", f"/api/v1/licenses/{world['draft'].reference}/", {"title": "New", "version": 1}
    if operation == "transition":
        return (
            "post",
            f"/api/v1/licenses/{license.number}/transitions/",
            {
                "action": "suspend",
                "reason": "Security review.",
                "version": license.version,
            },
        )
    if operation == "renew":
        return (
            "post",
            f"/api/v1/licenses/{license.number}/renew/",
            {
                "term_end": (license.term_end + D(days=365)).isoformat(),
                "version": license.version,
            },
        )
    if operation == "register_operator":
        return "post", "/api/v1/operators/", {"name": "新运营有限公司", "uscc": factories.valid_uscc()}
    raise AssertionError(operation)


EXPECTED = {
    # operation: anonymous, inside, outside, auditor, superuser
    "create": [401, 201, 403, 403, 201],
    "patch": [401, 200, 403, 403, 200],
    "patch_draft": [401, 200, 404, 403, 200],
    "transition": [401, 200, 403, 403, 200],
    "renew": [401, 201, 403, 403, 201],
    "register_operator": [401, 201, 201, 403, 201],
}
CELLS = [(operation, role) for operation in EXPECTED for role in ROLES]


@pytest.mark.parametrize(("operation", "role"), CELLS, ids=[f"{o}-{r}" for o, r in CELLS])
def test_write_permission_matrix(world, operation, role):
    expected = EXPECTED[operation][ROLES.index(role)]
    method, url, data = _write(world, operation)
    licenses, events, operators = (
        License.objects.count(),
        LicenseEvent.objects.count(),
        Operator.objects.count(),
    )
    response = getattr(_client(world, role), method)(url, data, format="json")
    assert response.status_code == expected, response.json()
    body = response.json()
    if expected >= 400:
        assert set(body) >= {"detail", "code", "errors"}
        assert (License.objects.count(), LicenseEvent.objects.count(), Operator.objects.count()) == (
            licenses,
            events,
            operators,
        )
    else:
        assert LicenseEvent.objects.count() > events or Operator.objects.count() > operators


def test_stale_version_is_409_with_the_current_version(world):
    client = _client(world, "inside")
    license = world["active"]
    url = f"/api/v1/licenses/{license.number}/transitions/"
    first = client.post(
        url, {"action": "suspend", "reason": "First.", "version": license.version}, format="json"
    )
    assert first.status_code == 200
    stale = client.post(
        url, {"action": "revoke", "reason": "Second.", "version": license.version}, format="json"
    )
    assert stale.status_code == 409
    body = stale.json()
    assert (body["code"], body["current_version"]) == ("stale_version", license.version + 1)
    assert "changed by someone else" in body["detail"]
    patch = client.patch(f"/api/v1/licenses/{license.number}/", {"scope": "x", "version": 1}, format="json")
    assert patch.status_code == 409


def test_action_not_allowed_is_400_naming_the_allowed_actions(world):
    license = world["active"]
    response = _client(world, "inside").post(
        f"/api/v1/licenses/{license.number}/transitions/",
        {"action": "reinstate", "reason": "x", "version": license.version},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "action_not_allowed"
    assert body["allowed_actions"] == ["suspend", "revoke", "terminate", "expire"]
    assert "action" in body["errors"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"action": "suspend", "reason": "", "version": 1}, "reason"),
        ({"action": "explode", "reason": "x", "version": 1}, "action"),
        ({"action": "suspend", "reason": "x"}, "version"),
        ({"action": "suspend", "reason": "x", "version": "three"}, "version"),
    ],
)
def test_bad_transition_input_names_the_field(world, data, field):
    license = world["active"]
    data = {**data, "version": license.version} if data.get("version") == 1 else data
    response = _client(world, "inside").post(
        f"/api/v1/licenses/{license.number}/transitions/", data, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    license.refresh_from_db()
    assert license.status == "active"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"term_start": "2026-01-01", "term_end": "2025-01-01"}, "term_end"),
        ({"term_start": "2026-01-01", "term_end": "2032-01-01"}, "term_exception_reason"),
        ({"operator_uscc": "91110000600037341X"}, "operator_uscc"),
        ({"data_domains": ["astrology"]}, "data_domains.0"),
        ({"grantor_id": 999999}, "grantor_id"),
        ({"consideration": "a lot"}, "consideration"),
    ],
)
def test_bad_license_fields_are_400s_naming_the_field(world, data, field):
    base = {"title": "Bus data", "grantor_id": world["hangzhou"].pk, "scope": "x"}
    before = License.objects.count()
    response = _client(world, "inside").post("/api/v1/licenses/", {**base, **data}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert License.objects.count() == before


def test_create_then_patch_then_grant_through_the_api(world):
    client = _client(world, "inside")
    created = client.post(
        "/api/v1/licenses/",
        {
            "title": "Bus data",
            "grantor_id": world["hangzhou"].pk,
            "data_domains": ["transport"],
            "scope": "Buses.",
        },
        format="json",
    ).json()
    assert created["status"] == "draft" and created["version"] == 1 and created["number"] is None
    number = created["reference"]  # a draft is addressed by its reference; it stays valid after
    start = TODAY + D(days=10)
    patched = client.patch(
        f"/api/v1/licenses/{number}/",
        {
            "operator_uscc": world["operator"].uscc,
            "term_start": start.isoformat(),
            "term_end": (start + D(days=700)).isoformat(),
            "version": 1,
        },
        format="json",
    ).json()
    assert patched["operator"]["uscc"] == world["operator"].uscc and patched["version"] == 2
    granted = client.post(
        f"/api/v1/licenses/{number}/transitions/", {"action": "grant", "version": 2}, format="json"
    ).json()
    assert granted["status"] == "granted"
    events = client.get(f"/api/v1/licenses/{number}/events/").json()["results"]
    assert [e["action"] for e in events] == ["create", "edit", "grant"]
    assert events[1]["changes"]["operator"][1]["id"] == world["operator"].pk


def test_renew_answers_201_with_the_successor(world):
    license = world["active"]
    response = _client(world, "inside").post(
        f"/api/v1/licenses/{license.number}/renew/",
        {"term_end": (license.term_end + D(days=365)).isoformat(), "version": license.version},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "granted" and body["predecessor"] == license.number
    assert APIClient().get(f"/api/v1/licenses/{license.number}/").json()["successor"] == body["number"]


def test_register_operator_normalises_checks_and_hides_contacts(world):
    client = _client(world, "inside")
    code = factories.valid_uscc()
    typed = " ".join(code.lower())
    response = client.post(
        "/api/v1/operators/",
        {
            "name": "新运营有限公司",
            "uscc": typed,
            "contact_emails": ["ops@new.example"],
            "aliases": ["New Ops"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["uscc"] == code and body["aliases"] == ["New Ops"] and "contact_emails" not in body
    assert Operator.objects.get(uscc=code).contact_email_list == ["ops@new.example"]
    again = client.post("/api/v1/operators/", {"name": "Copy", "uscc": code}, format="json")
    assert again.status_code == 400 and "uscc" in again.json()["errors"]
    bad = client.post("/api/v1/operators/", {"name": "Bad", "uscc": "91110000600037341X"}, format="json")
    assert bad.status_code == 400 and "'L'" in bad.json()["errors"]["uscc"][0]
    none = client.post("/api/v1/operators/", {"name": "No code"}, format="json")
    assert none.status_code == 400 and "uscc_note" in none.json()["errors"]


def test_token_from_the_command_authenticates(world):
    out = io.StringIO()
    call_command("create_api_token", "inside", "--name", "nightly sync", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    license = world["active"]
    response = client.post(
        f"/api/v1/licenses/{license.number}/transitions/",
        {"action": "suspend", "reason": "By token.", "version": license.version},
        format="json",
    )
    assert response.status_code == 200
    assert license.events.latest("id").actor == world["users"]["inside"]


def test_session_writes_need_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world["users"]["inside"])
    license = world["active"]
    response = client.post(
        f"/api/v1/licenses/{license.number}/transitions/",
        {"action": "suspend", "reason": "x", "version": license.version},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_regulators_and_auditors_read_drafts_the_public_does_not(world):
    url = f"/api/v1/licenses/{world['draft'].reference}/"
    assert [_client(world, role).get(url).status_code for role in ROLES] == [404, 200, 404, 200, 200]


def test_malformed_json_is_a_clear_400(world):
    client = _client(world, "inside")
    response = client.generic("POST", "/api/v1/licenses/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# Who reads a license's history in full (its draft stage, login names): both event endpoints, every role.
HISTORY_EXPECTED = {
    # anonymous, inside, outside, auditor, superuser
    "license_events": ["public", "full", "public", "full", "full"],
    "event_feed": ["public", "full", "public", "full", "full"],
}
HISTORY_CELLS = [(surface, role) for surface in HISTORY_EXPECTED for role in ROLES]


@pytest.mark.parametrize(("surface", "role"), HISTORY_CELLS, ids=[f"{s}-{r}" for s, r in HISTORY_CELLS])
def test_event_history_matrix(world, surface, role):
    from licensing import lifecycle

    inside = world["users"]["inside"]
    license = lifecycle.create_license(
        actor=inside, title="Drafted", grantor=world["hangzhou"], data_domains=["transport"], scope="Buses."
    )
    lifecycle.edit(license, {"remarks": "note while drafting"}, actor=inside, expected_version=1)
    lifecycle.transition(license, "list", actor=inside, expected_version=2)
    client = _client(world, role)
    if surface == "license_events":
        events = client.get(f"/api/v1/licenses/{license.number}/events/").json()["results"]
    else:
        feed = client.get("/api/v1/events/", {"limit": 500}).json()["results"]
        events = [event for event in feed if event["license_reference"] == license.reference]
    expected = HISTORY_EXPECTED[surface][ROLES.index(role)]
    if expected == "full":
        assert [(e["action"], e["actor"]) for e in events] == [
            ("create", "inside"),
            ("edit", "inside"),
            ("list", "inside"),
        ]
        assert events[1]["changes"]["remarks"][1] == "note while drafting"
    else:
        assert [(e["action"], e["actor"]) for e in events] == [("list", "杭州市数据资源管理局")]
        assert "note while drafting" not in str(events)
