"""Holes an outside probe found in access control (issue 14, items 1-4), each seen from outside: an
operator taken over through a draft, the draft stage's history and login names published, every
operator's contact emails shown to every regulator, and draft numbers leaking.
"""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import access, lifecycle, operators, sweep
from licensing.models import OperatorEvent, Regulator

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
TODAY = datetime.date(2026, 11, 29)
D = datetime.timedelta


@pytest.fixture
def world():
    hangzhou = factories.authority(
        "330100", name="杭州市数据资源管理局", name_en="Hangzhou Data Resources Administration"
    )
    hunan = factories.authority("430000", name="湖南省数据局")
    victim = factories.operator(name="之江示例数据科技有限公司", contact_emails="licensing@zhijiang.example")
    active = factories.license_in("active", grantor=hangzhou, operator=victim)
    users = {}
    for name, authority in (("inside", hangzhou), ("outside", hunan)):
        users[name] = factories.user(name, is_staff=True, first_name="Wang", last_name=name.title())
        Regulator.objects.create(user=users[name], authority=authority, contact_email=f"{name}@example.test")
    return {"hangzhou": hangzhou, "hunan": hunan, "victim": victim, "active": active, "users": users}


def _api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _operator_form(operator, **overrides):
    data = {
        "name": operator.name,
        "name_en": operator.name_en,
        "aliases": operator.aliases,
        "uscc": operator.uscc,
        "uscc_note": operator.uscc_note,
        "kind": operator.kind,
        "contact_emails": operator.contact_emails,
        "website": operator.website,
        "origin": operator.origin,
    }
    return data | overrides


# 1. Operator takeover -------------------------------------------------------------------------------


def test_naming_an_operator_on_a_draft_gives_no_right_to_edit_it(client, world):
    outside, victim = world["users"]["outside"], world["victim"]
    created = _api(outside).post(
        "/api/v1/licenses/",
        {"title": "Bait", "grantor_id": world["hunan"].pk, "operator_uscc": victim.uscc},
        format="json",
    )
    assert created.status_code == 201
    assert not access.can_change_operator(outside, victim)
    client.force_login(outside)
    url = reverse("admin:licensing_operator_change", args=[victim.pk])
    response = client.post(url, _operator_form(victim, contact_emails="attacker@evil.example"))
    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.contact_emails == "licensing@zhijiang.example"
    assert not OperatorEvent.objects.exists()


def test_a_license_withdrawn_straight_from_draft_gives_no_right_either(world):
    outside, victim = world["users"]["outside"], world["victim"]
    draft = factories.draft(grantor=world["hunan"], operator=victim)
    lifecycle.transition(draft, "withdraw", actor=None, reason="Mistake.", expected_version=draft.version)
    assert not access.can_change_operator(outside, victim)
    # Listed in Hunan, it counts: the operator holds a public license there.
    listed = factories.license_in("listed", grantor=world["hunan"], operator=victim)
    assert listed.status == "listed"
    assert access.can_change_operator(outside, victim)


def test_an_operator_with_no_public_license_is_changed_by_superusers_only(world):
    fresh = factories.operator(name="New Co")
    assert not access.can_change_operator(world["users"]["inside"], fresh)
    assert access.can_change_operator(factories.user("root", is_superuser=True, is_staff=True), fresh)


def test_every_change_of_an_operator_is_an_audited_event_shown_in_its_admin_page(client, world):
    inside, victim = world["users"]["inside"], world["victim"]
    client.force_login(inside)
    url = reverse("admin:licensing_operator_change", args=[victim.pk])
    response = client.post(
        url, _operator_form(victim, name="之江数据有限公司", contact_emails="new@zhijiang.example")
    )
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.name == "之江数据有限公司"
    (event,) = OperatorEvent.objects.filter(operator=victim)
    assert event.actor == inside and event.actor_repr.startswith("inside")
    assert event.changes == {
        "name": ["之江示例数据科技有限公司", "之江数据有限公司"],
        "contact_emails": ["licensing@zhijiang.example", "new@zhijiang.example"],
    }
    page = client.get(url).text
    assert "之江示例数据科技有限公司" in page and "new@zhijiang.example" in page  # the history, on its page
    # A save that changes nothing records nothing.
    victim.refresh_from_db()
    assert client.post(url, _operator_form(victim)).status_code == 302
    assert OperatorEvent.objects.filter(operator=victim).count() == 1


def test_operator_events_are_append_only(world):
    event = operators.edit_operator(world["victim"], {"website": "https://zhijiang.example"}, actor=None)
    assert event is not None
    with pytest.raises(Exception, match="append-only"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        OperatorEvent.objects.all().delete()


def test_edit_operator_refuses_bad_input_and_writes_nothing(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        operators.edit_operator(world["victim"], {"contact_emails": "not an address"}, actor=None)
    assert "contact_emails" in caught.value.message_dict
    with pytest.raises(ValidationError):
        operators.edit_operator(world["victim"], {"name_keys": "x"}, actor=None)
    assert not OperatorEvent.objects.exists()
    world["victim"].refresh_from_db()
    assert world["victim"].contact_emails == "licensing@zhijiang.example"


# 2. Draft-stage history ----------------------------------------------------------------------------


def _draft_then_granted(world):
    inside = world["users"]["inside"]
    license = lifecycle.create_license(
        actor=inside, title="Drafted", grantor=world["hangzhou"], data_domains=["transport"], scope="Buses."
    )
    lifecycle.edit(license, {"remarks": "internal note while drafting"}, actor=inside, expected_version=1)
    lifecycle.edit(
        license,
        {"operator": world["victim"], "term_start": TODAY + D(days=1), "term_end": TODAY + D(days=300)},
        actor=inside,
        expected_version=2,
    )
    lifecycle.transition(license, "grant", actor=inside, expected_version=3)
    return license


def test_anonymous_history_has_no_draft_stage_and_no_login_name(world):
    license = _draft_then_granted(world)
    for body in (
        _api().get(f"/api/v1/licenses/{license.number}/events/").json()["results"],
        [e for e in _api().get("/api/v1/events/").json()["results"] if e["license"] == license.number],
    ):
        assert [e["action"] for e in body] == ["grant"]
        assert "internal note" not in str(body)
        assert body[0]["actor"] == "Hangzhou Data Resources Administration"
        assert "inside" not in str(body)


def test_the_authority_is_named_in_the_reader_s_language_and_the_sweep_as_the_registry(world):
    license = _draft_then_granted(world)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 2, tzinfo=datetime.UTC), tick=False):
        sweep.transition_due([license.pk], "activate")
        body = (
            _api()
            .get(f"/api/v1/licenses/{license.number}/events/", HTTP_ACCEPT_LANGUAGE="en")
            .json()["results"]
        )
        assert [(e["action"], e["actor"]) for e in body] == [
            ("grant", "Hangzhou Data Resources Administration"),
            ("activate", "registry (automatic)"),
        ]
        body = (
            _api()
            .get(f"/api/v1/licenses/{license.number}/events/", HTTP_ACCEPT_LANGUAGE="zh-hans")
            .json()["results"]
        )
        assert body[0]["actor"] == "杭州市数据资源管理局"
        assert body[1]["actor"] != "registry (automatic)"  # translated


def test_regulators_in_scope_see_the_draft_stage_and_login_names(world):
    license = _draft_then_granted(world)
    inside = _api(world["users"]["inside"])
    body = inside.get(f"/api/v1/licenses/{license.number}/events/").json()["results"]
    assert [e["action"] for e in body] == ["create", "edit", "edit", "grant"]
    assert body[1]["changes"]["remarks"][1] == "internal note while drafting"
    assert body[0]["actor"] == "inside (Wang Inside)"
    feed = [
        e
        for e in inside.get("/api/v1/events/").json()["results"]
        if e["license_reference"] == license.reference
    ]
    assert [e["action"] for e in feed] == ["create", "edit", "edit", "grant"]
    assert feed[0]["actor"] == "inside (Wang Inside)"
    outside = _api(world["users"]["outside"])
    body = outside.get(f"/api/v1/licenses/{license.number}/events/").json()["results"]
    assert [(e["action"], e["actor"]) for e in body] == [("grant", "Hangzhou Data Resources Administration")]


def test_atom_feeds_name_the_authority_not_the_login(client, world):
    license = _draft_then_granted(world)
    for url in ("/feeds/changes.atom", f"/licenses/{license.number}/feed.atom"):
        body = client.get(url).content.decode()
        assert "inside" not in body and "Wang" not in body
        assert "Hangzhou Data Resources Administration" in body


# 3. Contact emails ------------------------------------------------------------------------------------


def test_contact_emails_are_shown_only_where_the_regulator_may_change_the_operator(client, world):
    victim = world["victim"]
    change = reverse("admin:licensing_operator_change", args=[victim.pk])
    listing = reverse("admin:licensing_operator_changelist")
    client.force_login(world["users"]["outside"])
    page = client.get(change)
    assert page.status_code == 200
    assert "licensing@zhijiang.example" not in page.text
    assert "contact_emails" not in page.text
    searched = client.get(listing, {"q": "zhijiang.example"})
    assert searched.status_code == 200 and searched.context["cl"].result_count == 0
    client.force_login(world["users"]["inside"])
    assert "licensing@zhijiang.example" in client.get(change).text


# 4. Draft numbers ---------------------------------------------------------------------------------------


def test_a_draft_has_a_reference_and_no_number_until_it_is_listed(world):
    inside = _api(world["users"]["inside"])
    created = inside.post(
        "/api/v1/licenses/",
        {
            "title": "Bus",
            "grantor_id": world["hangzhou"].pk,
            "data_domains": ["transport"],
            "scope": "Buses.",
        },
        format="json",
    ).json()
    assert created["number"] is None
    assert re.fullmatch(r"R[A-Z2-7]{10}", created["reference"])
    second = factories.draft(grantor=world["hangzhou"])
    assert second.number is None and second.reference != created["reference"]
    url = f"/api/v1/licenses/{created['reference']}/"
    assert inside.get(url).status_code == 200
    assert _api().get(url).status_code == 404
    assert _api(world["users"]["outside"]).get(url).status_code == 404
    with time_machine.travel(datetime.datetime(2027, 1, 5, 2, tzinfo=datetime.UTC), tick=False):
        listed = inside.post(f"{url}transitions/", {"action": "list", "version": 1}, format="json").json()
    # The number is that of the first license of the grantor to leave draft in the year of the listing:
    # no gap where the other draft is.
    assert listed["number"] == "330100-2027-0001"
    assert listed["reference"] == created["reference"]
    for path in (f"/api/v1/licenses/{listed['number']}/", url):
        assert _api().get(path).json()["reference"] == created["reference"]


def test_a_number_takes_the_year_of_the_day_the_license_left_draft(world):
    license = factories.draft(grantor=world["hangzhou"])
    lifecycle.transition(
        license, "list", actor=None, expected_version=1, occurred_on=datetime.date(2025, 6, 1)
    )
    assert license.number == "330100-2025-0001"


def test_a_license_withdrawn_straight_from_draft_is_never_public(client, world):
    secret = factories.draft(grantor=world["hangzhou"], title="Never public", operator=world["victim"])
    lifecycle.transition(secret, "withdraw", actor=None, reason="Mistake.", expected_version=secret.version)
    secret.refresh_from_db()
    assert secret.status == "withdrawn" and secret.number is None
    assert not access.public_licenses().filter(pk=secret.pk).exists()
    assert "Never public" not in str(_api().get("/api/v1/licenses/").json())
    assert "Never public" not in str(_api().get("/api/v1/licenses/", {"status": "withdrawn"}).json())
    assert _api().get(f"/api/v1/licenses/{secret.reference}/").status_code == 404
    assert _api(world["users"]["outside"]).get(f"/api/v1/licenses/{secret.reference}/").status_code == 404
    assert _api(world["users"]["inside"]).get(f"/api/v1/licenses/{secret.reference}/").status_code == 200
    events = _api().get("/api/v1/events/").json()["results"]
    assert not [e for e in events if e["license_reference"] == secret.reference]
    outside_events = _api(world["users"]["outside"]).get("/api/v1/events/").json()["results"]
    assert not [e for e in outside_events if e["license_reference"] == secret.reference]
    assert "Never public" not in client.get("/licenses/", {"status": "withdrawn"}).text
    assert "Never public" not in client.get("/feeds/changes.atom").content.decode()
    verdict = _api().get("/api/v1/verify/", {"uscc": world["victim"].uscc}).json()
    assert "Never public" not in str(verdict)


def test_the_admin_shows_a_draft_s_reference(client, world):
    draft = factories.draft(grantor=world["hangzhou"], title="Drafted")
    client.force_login(world["users"]["inside"])
    assert draft.reference in client.get(reverse("admin:licensing_license_changelist")).text
    assert draft.reference in client.get(reverse("admin:licensing_license_change", args=[draft.pk])).text
    assert str(draft) == f"{draft.reference} Drafted"


@pytest.mark.postgres
def test_postgres_trigger_refuses_update_and_delete_of_operator_events_even_in_raw_sql(world):
    from django.db import DatabaseError, connection, transaction

    event = operators.edit_operator(world["victim"], {"website": "https://zhijiang.example"}, actor=None)
    for sql in (
        "UPDATE licensing_operatorevent SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM licensing_operatorevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.reason == ""


def test_naming_the_actors_costs_no_query_per_event(world):
    """Both event endpoints read the grantor and the actor's authority with the events: as many queries
    for a long history as for a short one, whoever reads."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    license = _draft_then_granted(world)
    inside = world["users"]["inside"]

    def counts():
        result = []
        for user in (None, inside, world["users"]["outside"]):
            for url in (f"/api/v1/licenses/{license.number}/events/", "/api/v1/events/"):
                client = _api(user)
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                result.append(len(queries))
        return result

    for user in world["users"].values():
        access.role_of(user)  # each user's role is read once, then kept on the user for the request
    before = counts()
    for day in range(2, 8):
        lifecycle.edit(
            license, {"remarks": f"note {day}"}, actor=inside, expected_version=license.version, reason="r"
        )
        license.refresh_from_db()
    assert counts() == before


def test_a_license_read_by_reference_is_not_served_stale_from_the_cache(
    world, django_capture_on_commit_callbacks
):
    license = world["active"]
    url = f"/api/v1/licenses/{license.reference}/"
    assert _api().get(url).json()["status"] == "active"  # now cached for anonymous clients
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(
            license, "suspend", actor=None, reason="Audit.", expected_version=license.version
        )
    assert _api().get(url).json()["status"] == "suspended"
