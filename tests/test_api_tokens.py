"""API tokens: stored as a digest only, shown once, named, expiring, listed and revoked by their owner,
their last use recorded (at most once in a few minutes)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from licensing.models import ApiToken, Regulator

from . import factories
from .clock import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


@pytest.fixture
def regulator():
    user = factories.user("inside")
    Regulator.objects.create(
        user=user, authority=factories.authority("330100"), contact_email="i@example.test"
    )
    return user


def _token_client(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


def _write(client, grantor):
    return client.post("/api/v1/licenses/", {"title": "By token", "grantor_id": grantor.pk}, format="json")


def test_the_command_prints_the_token_once_and_stores_only_its_digest(regulator):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", "inside", "--name", "nightly sync", "--days", "30", stdout=out, stderr=err
    )
    raw = out.getvalue().strip()
    assert raw.startswith("pdol_") and len(raw) > 40
    token = ApiToken.objects.get()
    assert (token.name, token.user, token.expires_at) == ("nightly sync", regulator, NOW + D(days=30))
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(raw in value or value == raw[len("pdol_") :] for value in stored)
    assert "expires 2026-12-29" in err.getvalue()
    response = _token_client(f"Token {raw}").get("/api/v1/tokens/")
    assert response.status_code == 200 and [row["name"] for row in response.json()] == ["nightly sync"]
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody", "--name", "x", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--days"):
        call_command("create_api_token", "inside", "--name", "x", "--days", "0", stdout=io.StringIO())


def test_a_token_expires_after_api_token_days(regulator, frozen_clock, settings):
    settings.API_TOKEN_DAYS = 90
    client = _token_client(factories.api_token_header(regulator))
    grantor = Regulator.objects.get(user=regulator).authority
    assert _write(client, grantor).status_code == 201
    frozen_clock.move_to(NOW + D(days=90, seconds=-1))
    assert client.get("/api/v1/tokens/").status_code == 200
    frozen_clock.move_to(NOW + D(days=90))
    response = _write(client, grantor)
    assert response.status_code == 401
    assert response.json()["detail"] == "This token has expired; make a new one."
    assert response["WWW-Authenticate"] == "Token"


def test_wrong_or_malformed_tokens_are_refused(regulator):
    raw = factories.api_token_header(regulator).split()[1]
    for header in (
        f"Token {raw[:-1]}x",
        f"Token {raw[5:]}",
        "Token",
        f"Token {raw} extra",
        "Token \u00e5\u00af\u0086",
    ):
        response = _token_client(header).get("/api/v1/tokens/")
        assert response.status_code == 401, header
    regulator.is_active = False
    regulator.save()
    assert _token_client(f"Token {raw}").get("/api/v1/tokens/").status_code == 401


def test_a_user_makes_lists_and_revokes_their_tokens(regulator):
    other = factories.user("other")
    factories.api_token_header(other, name="theirs")
    foreign = ApiToken.objects.get(user=other)
    session = APIClient()
    session.force_login(regulator)
    made = session.post("/api/v1/tokens/", {"name": "sync", "days": 7}, format="json")
    assert made.status_code == 201
    body = made.json()
    assert body["name"] == "sync" and body["token"].startswith(body["prefix"])
    assert body["expires_at"] == "2026-12-06T10:00:00+08:00" and body["last_used_at"] is None
    listed = session.get("/api/v1/tokens/").json()
    assert [row["name"] for row in listed] == ["sync"]
    assert "token" not in listed[0]

    by_token = _token_client(f"Token {body['token']}")
    assert by_token.get("/api/v1/tokens/").status_code == 200
    assert session.delete(f"/api/v1/tokens/{foreign.pk}/").status_code == 404
    assert session.delete(f"/api/v1/tokens/{body['id']}/").status_code == 204
    assert by_token.get("/api/v1/tokens/").status_code == 401
    assert ApiToken.objects.get() == foreign


def test_token_endpoints_need_a_signed_in_user_and_valid_input(regulator):
    anonymous = APIClient()
    assert anonymous.get("/api/v1/tokens/").status_code == 401
    assert anonymous.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code == 401
    session = APIClient()
    session.force_login(regulator)
    for data, field in (({}, "name"), ({"name": "x", "days": 0}, "days"), ({"name": "x", "key": "k"}, "key")):
        response = session.post("/api/v1/tokens/", data, format="json")
        assert response.status_code == 400 and field in response.json()["errors"], data


def test_a_token_made_with_a_token_does_not_outlive_it(regulator):
    client = _token_client(factories.api_token_header(regulator, days=3))
    made = client.post("/api/v1/tokens/", {"name": "longer", "days": 300}, format="json")
    assert made.status_code == 201
    assert made.json()["expires_at"] == "2026-12-02T10:00:00+08:00"


def test_the_last_use_is_recorded_at_most_every_few_minutes(
    regulator, frozen_clock, django_assert_num_queries
):
    client = _token_client(factories.api_token_header(regulator))
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    client.get("/api/v1/tokens/")
    token.refresh_from_db()
    assert token.last_used_at == NOW
    frozen_clock.move_to(NOW + D(minutes=4))
    with django_assert_num_queries(2):  # the token with its user, the list: no write
        client.get("/api/v1/tokens/")
    token.refresh_from_db()
    assert token.last_used_at == NOW
    frozen_clock.move_to(NOW + D(minutes=5))
    client.get("/api/v1/tokens/")
    token.refresh_from_db()
    assert token.last_used_at == NOW + D(minutes=5)


def test_in_the_admin_a_user_sees_and_revokes_their_own_tokens_and_superusers_all(client, regulator):
    from django.urls import reverse

    regulator.is_staff = True
    regulator.set_password("pw-for-tests-only")
    regulator.save()
    mine = factories.api_token_header(regulator, name="mine").split()[1]
    other = factories.user("other", is_staff=True)
    Regulator.objects.create(
        user=other, authority=factories.authority("430000"), contact_email="o@example.test"
    )
    factories.api_token_header(other, name="theirs")
    theirs = ApiToken.objects.get(user=other)
    changelist = reverse("admin:licensing_apitoken_changelist")
    assert client.get(changelist).status_code == 302  # to the login page

    client.force_login(regulator)
    listed = client.get(changelist)
    assert listed.status_code == 200
    assert "mine" in listed.text and "theirs" not in listed.text and mine not in listed.text
    assert client.get(reverse("admin:licensing_apitoken_change", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("admin:licensing_apitoken_delete", args=[theirs.pk]), {"post": "yes"}).status_code
        == 404
    )
    own = ApiToken.objects.get(user=regulator)
    response = client.post(reverse("admin:licensing_apitoken_delete", args=[own.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(ApiToken.objects.all()) == [theirs]
    assert _token_client(f"Token {mine}").get("/api/v1/tokens/").status_code == 401

    client.force_login(factories.user("root", is_staff=True, is_superuser=True))
    assert "theirs" in client.get(changelist).text
    client.post(changelist, {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"})
    assert not ApiToken.objects.exists()
