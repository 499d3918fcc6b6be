"""Joint grantors: a license with co-grantors shows and matches all of them (API, pages, filters,
verdicts); the lead grantor's jurisdiction writes it, each co-grantor's reads its drafts."""

import datetime

import pytest
from rest_framework.test import APIClient

from licensing import lifecycle
from licensing.exceptions import InvalidLicense
from licensing.models import Regulator

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def world():
    zhejiang = factories.authority("330000", name="浙江省数据局")
    jiangsu = factories.authority("320000", name="江苏省数据局")
    anhui = factories.authority("340000", name="安徽省数据资源管理局")
    hunan = factories.authority("430000", name="湖南省数据局")
    users = {}
    for name, authority in (("lead", zhejiang), ("co", jiangsu), ("other", hunan)):
        users[name] = factories.user(name, is_staff=True)
        Regulator.objects.create(user=users[name], authority=authority, contact_email=f"{name}@example.test")
    return {"zhejiang": zhejiang, "jiangsu": jiangsu, "anhui": anhui, "hunan": hunan, "users": users}


def _client(world, role=None):
    client = APIClient()
    if role:
        client.force_authenticate(world["users"][role])
    return client


def _ids(authorities):
    return [authority["id"] for authority in authorities]


def test_created_through_the_api_and_shown_everywhere(client, world):
    api = _client(world, "lead")
    created = api.post(
        "/api/v1/licenses/",
        {
            "title": "长三角交通数据",
            "grantor_id": world["zhejiang"].pk,
            "co_grantor_ids": [world["jiangsu"].pk, world["anhui"].pk],
            "data_domains": ["transport"],
            "scope": "Cross-province traffic data.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    # In the authorities' order (by division code).
    assert _ids(body["co_grantors"]) == [world["jiangsu"].pk, world["anhui"].pk]
    assert body["co_grantors"][0]["division_code"] == "320000"
    listed = api.post(
        f"/api/v1/licenses/{body['reference']}/transitions/",
        {"action": "list", "version": body["version"]},
        format="json",
    )
    assert listed.status_code == 200
    number = listed.json()["number"]
    public = APIClient()
    # The lean reads (anonymous detail, list) show them as the serializer does.
    detail = public.get(f"/api/v1/licenses/{number}/").json()
    assert detail["co_grantors"] == listed.json()["co_grantors"] == body["co_grantors"]
    (row,) = public.get("/api/v1/licenses/").json()["results"]
    assert row["co_grantors"] == body["co_grantors"]
    page = client.get(f"/licenses/{number}/").text
    assert "江苏省数据局" in page and "安徽省数据资源管理局" in page
    assert f'href="/authorities/{world["jiangsu"].pk}/"' in page
    # The co-grantor's authority page lists it.
    assert number in client.get(f"/authorities/{world['jiangsu'].pk}/").text
    assert number not in client.get(f"/authorities/{world['hunan'].pk}/").text


def test_filters_match_a_co_grantor(client, world):
    joint = factories.license_in("listed", grantor=world["zhejiang"], co_grantors=[world["jiangsu"]])
    alone = factories.license_in("listed", grantor=world["zhejiang"])
    elsewhere = factories.license_in("listed", grantor=world["hunan"])
    api = APIClient()

    def numbers(**query):
        return sorted(row["number"] for row in api.get("/api/v1/licenses/", query).json()["results"])

    assert numbers(grantor_id=world["jiangsu"].pk) == [joint.number]
    assert numbers(grantor_id=world["zhejiang"].pk) == sorted([joint.number, alone.number])
    assert numbers(grantor="320000") == [joint.number]
    assert numbers(division="32") == [joint.number]
    assert numbers(division="43") == [elsewhere.number]
    page = client.get("/licenses/", {"grantor": world["jiangsu"].pk}).text
    assert joint.number in page and alone.number not in page and elsewhere.number not in page
    page = client.get("/licenses/", {"division": "320000"}).text
    assert joint.number in page and alone.number not in page


def test_the_co_grantors_jurisdiction_reads_the_draft_and_only_the_lead_writes(world):
    draft = factories.draft(grantor=world["zhejiang"], co_grantors=[world["jiangsu"]])
    url = f"/api/v1/licenses/{draft.reference}/"
    # A co-grantor's regulator reads the draft, but may not change it.
    co = _client(world, "co")
    assert co.get(url).status_code == 200
    assert _ids(co.get(url).json()["co_grantors"]) == [world["jiangsu"].pk]
    assert draft.reference in [row["reference"] for row in co.get("/api/v1/licenses/").json()["results"]]
    refused = co.patch(url, {"title": "Changed", "version": draft.version}, format="json")
    assert refused.status_code == 403
    refused = co.post(f"{url}transitions/", {"action": "list", "version": draft.version}, format="json")
    assert refused.status_code == 403
    # Another jurisdiction does not see it at all.
    other = _client(world, "other")
    assert other.get(url).status_code == 404
    assert other.patch(url, {"title": "Changed", "version": draft.version}, format="json").status_code == 404
    # The lead's regulator writes, co-grantors too: recorded in the event's diff.
    lead = _client(world, "lead")
    changed = lead.patch(
        url,
        {"co_grantor_ids": [world["anhui"].pk, world["jiangsu"].pk], "version": draft.version},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert _ids(changed.json()["co_grantors"]) == [world["jiangsu"].pk, world["anhui"].pk]
    event = draft.events.order_by("-id").first()
    assert event.action == "edit"
    before, after = event.changes["co_grantors"]
    assert [item["id"] for item in before] == [world["jiangsu"].pk]
    assert sorted(item["id"] for item in after) == sorted([world["jiangsu"].pk, world["anhui"].pk])
    # Removing the co-grantor takes the draft out of its reach.
    lead.patch(url, {"co_grantor_ids": [], "version": changed.json()["version"]}, format="json")
    assert co.get(url).status_code == 404


def test_admin_co_grantor_reads_but_does_not_change(client, world):
    draft = factories.draft(grantor=world["zhejiang"], co_grantors=[world["jiangsu"]])
    client.force_login(world["users"]["co"])
    change_url = f"/admin/licensing/license/{draft.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    refused = client.post(
        change_url, {"title": "Changed", "grantor": world["zhejiang"].pk, "seen_version": 1}
    )
    assert refused.status_code == 403
    assert client.get(f"/admin/licensing/license/{draft.pk}/transition/list/").status_code == 403
    draft.refresh_from_db()
    assert draft.title != "Changed"
    listing = client.get("/admin/licensing/license/", {"grantor": world["jiangsu"].pk}).text
    assert draft.reference in listing
    client.force_login(world["users"]["other"])
    assert client.get(change_url).status_code == 404


def test_bad_co_grantors_are_400s(world):
    lead = _client(world, "lead")
    base = {"title": "x", "grantor_id": world["zhejiang"].pk}
    unknown = lead.post("/api/v1/licenses/", {**base, "co_grantor_ids": [999999]}, format="json")
    assert unknown.status_code == 400 and "co_grantor_ids" in unknown.json()["errors"]
    itself = lead.post("/api/v1/licenses/", {**base, "co_grantor_ids": [world["zhejiang"].pk]}, format="json")
    assert itself.status_code == 400 and "co_grantors" in itself.json()["errors"]
    draft = factories.draft(grantor=world["zhejiang"], co_grantors=[world["jiangsu"]])
    with pytest.raises(InvalidLicense):
        # The lead grantor cannot become one of its own co-grantors by a change of lead.
        lifecycle.edit(draft, {"grantor": world["jiangsu"]}, actor=None, expected_version=draft.version)


def test_the_verdict_shows_the_co_grantors(client, world):
    operator = factories.operator()
    factories.license_in(
        "active", grantor=world["zhejiang"], co_grantors=[world["jiangsu"]], operator=operator
    )
    body = APIClient().get("/api/v1/verify/", {"uscc": operator.uscc}).json()
    (item,) = body["licenses"]
    assert (body["headline"], _ids(item["co_grantors"])) == ("licensed", [world["jiangsu"].pk])
    assert "江苏省数据局" in client.get("/verify/", {"q": operator.uscc}).text


def test_cached_reads_follow_a_change_of_co_grantors(client, world, django_capture_on_commit_callbacks):
    license = factories.license_in("listed", grantor=world["zhejiang"], co_grantors=[world["jiangsu"]])
    public = APIClient()
    url = f"/api/v1/licenses/{license.number}/"
    assert _ids(public.get(url).json()["co_grantors"]) == [world["jiangsu"].pk]
    assert "安徽省数据资源管理局" not in client.get(f"/licenses/{license.number}/").text
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.edit(
            license, {"co_grantors": [world["anhui"]]}, actor=None, expected_version=license.version
        )
    assert _ids(public.get(url).json()["co_grantors"]) == [world["anhui"].pk]
    assert "安徽省数据资源管理局" in client.get(f"/licenses/{license.number}/").text
    # A co-grantor renamed shows at once too.
    with django_capture_on_commit_callbacks(execute=True):
        world["anhui"].name = "安徽省数据局"
        world["anhui"].save()
    assert public.get(url).json()["co_grantors"][0]["name"] == "安徽省数据局"


def test_a_renewal_keeps_the_co_grantors(world):
    license = factories.license_in("active", grantor=world["zhejiang"], co_grantors=[world["jiangsu"]])
    successor = lifecycle.renew(
        license,
        term_end=license.term_end + datetime.timedelta(days=365),
        actor=None,
        expected_version=license.version,
    )
    assert list(successor.co_grantors.all()) == [world["jiangsu"]]
