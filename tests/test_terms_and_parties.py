"""What the sources do not say, held as unknown (issue 13, items 3 to 6): a term whose end is not published,
a whole authorization (every data domain), an operator without a published code, and authorities
registered through the API by national-level regulators."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import compliance, demo, lifecycle, notifications
from licensing.access import AUDITORS_GROUP
from licensing.choices import AuthorizationMode, OperatorKind, RecordOrigin
from licensing.identifiers import uscc_check_character
from licensing.models import Authority, ExpiryReminder, License, LicenseEvent, Operator, Regulator

from . import factories
from .clock import TODAY, shanghai
from .outbox_support import running_tasks, sweep_at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta
CREATED = datetime.date(2024, 1, 10)
GRANTED = datetime.date(2024, 2, 15)
START = datetime.date(2024, 3, 1)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _regulator(authority, name):
    user = factories.user(name, is_staff=True)
    Regulator.objects.create(user=user, authority=authority, contact_email=f"{name}@example.test")
    return user


def _api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def hangzhou():
    return factories.authority("330100", name="杭州市数据资源管理局")


@pytest.fixture
def open_ended(hangzhou):
    """A license granted on a past day, in force from its start, whose term end is not published."""
    operator = factories.operator(name="西湖示例数据有限公司", contact_emails="ops@example.test")
    with notifications.suppressed():
        license = lifecycle.create_license(
            actor=None,
            occurred_on=CREATED,
            title="Open-ended city data",
            grantor=hangzhou,
            operator=operator,
            data_domains=["health"],
            scope="City health data.",
            term_start=START,
            term_end=None,
        )
        lifecycle.transition(
            license, "grant", actor=None, expected_version=license.version, occurred_on=GRANTED
        )
    return license


# Unpublished term ends ------------------------------------------------------------------------------


def test_a_license_with_no_published_end_is_in_force_on_every_day_from_its_start(open_ended):
    assert open_ended.status == "active"
    events = LicenseEvent.objects.filter(license=open_ended).order_by("id")
    assert [(e.action, e.occurred_on) for e in events] == [
        ("create", CREATED),
        ("grant", GRANTED),
        ("activate", START),
    ]
    uscc = open_ended.operator.uscc
    before = _api().get("/api/v1/verify/", {"uscc": uscc, "on": (START - D(1)).isoformat()}, **EN).json()
    assert (before["headline"], before["until"], before["until_reason"]) == (
        "not_yet_in_force",
        None,
        "not_in_force",
    )
    for day in (START, TODAY, TODAY + D(5 * 365)):
        verdict = _api().get("/api/v1/verify/", {"uscc": uscc, "on": day.isoformat()}, **EN).json()
        assert verdict["headline"] == "licensed", day
        assert verdict["headline_label"] == "Licensed, term not published"
        assert (verdict["until"], verdict["until_reason"]) == (None, "term_end_not_published")
        [item] = verdict["licenses"]
        assert (item["term_end"], item["term_end_published"], item["in_force"]) == (None, False, True)


def test_a_license_with_a_published_end_says_until_when_and_no_reason():
    license = factories.license_in("active")
    verdict = _api().get("/api/v1/verify/", {"uscc": license.operator.uscc}).json()
    assert (verdict["until"], verdict["until_reason"]) == (license.term_end.isoformat(), None)
    assert verdict["licenses"][0]["term_end_published"] is True


def test_pages_and_api_say_the_end_is_not_published(client, open_ended):
    detail = _api().get(f"/api/v1/licenses/{open_ended.number}/").json()
    assert (detail["term_end"], detail["term_end_published"]) == (None, False)
    listed = _api().get("/api/v1/licenses/").json()["results"]
    assert [(row["number"], row["term_end_published"]) for row in listed] == [(open_ended.number, False)]
    page = client.get(f"/licenses/{open_ended.number}/", **EN).content.decode()
    assert "In force since 1 March 2024; the end of its term is not published." in page
    assert "end not published" in page
    assert "end not published" in client.get("/licenses/", **EN).content.decode()
    verdict_page = client.get("/verify/", {"q": open_ended.operator.uscc}, **EN).content.decode()
    assert "Licensed, term not published" in verdict_page
    assert "the end of its term is not published" in verdict_page
    operator_page = client.get(f"/operators/{open_ended.operator.uscc}/", **EN).content.decode()
    assert "Licensed, term not published" in operator_page and "end not published" in operator_page


def test_the_sweep_never_ends_it_and_sends_no_reminder(open_ended, mailoutbox):
    for day in (TODAY, TODAY + D(90), TODAY + D(10 * 365)):
        report = sweep_at(shanghai(day))
        assert (report.lifecycle.expired, report.lifecycle.failed, report.reminders) == (0, 0, 0)
    open_ended.refresh_from_db()
    assert open_ended.status == "active"
    assert not ExpiryReminder.objects.filter(license=open_ended).exists()
    assert mailoutbox == []


def test_renewal_is_refused_naming_term_end_and_nothing_is_written(hangzhou, open_ended):
    user = _regulator(hangzhou, "hz")
    response = _api(user).post(
        f"/api/v1/licenses/{open_ended.number}/renew/",
        {"term_end": "2030-12-31", "version": open_ended.version},
        format="json",
        **EN,
    )
    assert response.status_code == 400
    assert "not published" in response.json()["errors"]["term_end"][0]
    assert License.objects.count() == 1
    assert License.objects.get().version == open_ended.version


def test_the_admin_does_not_offer_renewal_and_its_list_says_not_published(client, hangzhou, open_ended):
    client.force_login(_regulator(hangzhou, "hz"))
    change = client.get(reverse("admin:licensing_license_change", args=[open_ended.pk]), **EN)
    assert "end not published" in change.content.decode()
    assert reverse("admin:licensing_license_renew", args=[open_ended.pk]) not in change.content.decode()
    listing = client.get(reverse("admin:licensing_license_changelist"), **EN).content.decode()
    assert "not published" in listing
    # Reached by its address all the same, the renewal is refused naming the missing end.
    url = reverse("admin:licensing_license_renew", args=[open_ended.pk])
    assert "end not published" in client.get(url, **EN).content.decode()
    refused = client.post(url, {"version": open_ended.version, "term_end": "2030-12-31"}, **EN)
    assert "The end of the current term is not published" in refused.content.decode()
    assert License.objects.count() == 1


def test_the_dashboard_lists_it_as_data_to_complete_in_its_jurisdiction_only(client, hangzhou, open_ended):
    factories.license_in("active", grantor=hangzhou)  # has a published end: not listed
    client.force_login(_regulator(hangzhou, "hz"))
    page = client.get(reverse("admin:index"), **EN).content.decode()
    section = page.split('id="license-to-complete"')[1].split("</div>")[0]
    assert "Data to complete: term end not published" in section
    assert [n for n in License.objects.values_list("number", flat=True) if n in section] == [
        open_ended.number
    ]
    client.force_login(_regulator(factories.authority("430000"), "hunan"))
    other = client.get(reverse("admin:index"), **EN).content.decode()
    assert open_ended.number not in other
    assert "Every license granted has a published term end." in other
    filtered = client.get(reverse("admin:licensing_license_changelist"), {"term_end_published": "no"})
    assert open_ended.number not in filtered.content.decode()


def test_the_five_year_rule_is_checked_once_an_end_is_recorded(hangzhou, open_ended):
    api = _api(_regulator(hangzhou, "hz"))
    url = f"/api/v1/licenses/{open_ended.number}/"
    too_long = api.patch(
        url,
        {"term_end": "2029-03-01", "reason": "End published.", "version": open_ended.version},
        format="json",
    )
    assert too_long.status_code == 400 and "term_exception_reason" in too_long.json()["errors"]
    recorded = api.patch(
        url,
        {"term_end": "2029-02-28", "reason": "End published.", "version": open_ended.version},
        format="json",
    )
    assert recorded.status_code == 200, recorded.json()
    assert (recorded.json()["term_end"], recorded.json()["term_end_published"]) == ("2029-02-28", True)


def test_the_api_creates_patches_and_grants_a_license_with_no_published_end(hangzhou):
    api = _api(_regulator(hangzhou, "hz"))
    operator = factories.operator()
    created = api.post(
        "/api/v1/licenses/",
        {
            "title": "Open-ended",
            "grantor_id": hangzhou.pk,
            "operator_uscc": operator.uscc,
            "data_domains": ["transport"],
            "scope": "Bus data.",
            "term_start": "2026-01-01",
            "term_end": "2027-12-31",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    number = created.json()["reference"]  # a draft is addressed by its reference
    patched = api.patch(f"/api/v1/licenses/{number}/", {"term_end": None, "version": 1}, format="json")
    assert (patched.status_code, patched.json()["term_end_published"]) == (200, False)
    granted = api.post(
        f"/api/v1/licenses/{number}/transitions/", {"action": "grant", "version": 2}, format="json"
    )
    assert granted.status_code == 200, granted.json()
    assert (granted.json()["status"], granted.json()["term_end"]) == ("active", None)


def test_an_end_without_a_start_is_refused_naming_term_start(hangzhou):
    api = _api(_regulator(hangzhou, "hz"))
    response = api.post(
        "/api/v1/licenses/",
        {"title": "No start", "grantor_id": hangzhou.pk, "term_end": "2027-12-31"},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["term_start"]
    assert not License.objects.exists()


def test_a_grant_still_needs_the_term_start(hangzhou):
    license = factories.draft(grantor=hangzhou, operator=factories.operator())
    response = _api(_regulator(hangzhou, "hz")).post(
        f"/api/v1/licenses/{license.identifier}/transitions/",
        {"action": "grant", "version": license.version},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["term_start"]


def test_compliance_treats_an_unpublished_end_as_open_ended(open_ended):
    factories.priced(open_ended)
    open_ended.refresh_from_db()
    assert compliance.in_force_on(open_ended, TODAY + D(3650))
    assert compliance.license_flags(open_ended) == []
    assert not compliance.flagged_licenses(License.objects.all()).exists()
    finding = factories.finding(entity_uscc=open_ended.operator.uscc, data_domain="health")
    assert finding.operator == open_ended.operator
    assert compliance.finding_flags([finding])[finding.pk] == []


# Whole authorizations -------------------------------------------------------------------------------


@pytest.fixture
def whole(hangzhou):
    """A whole authorization that lists no data domain, granted, and a by-domain transport license."""
    operator = factories.operator(name="整体示例数据有限公司")
    with notifications.suppressed():
        license = lifecycle.create_license(
            actor=None,
            title="Whole city data",
            grantor=hangzhou,
            operator=operator,
            authorization_mode=AuthorizationMode.WHOLE,
            scope="All of the city's public data.",
            term_start=TODAY - D(10),
            term_end=TODAY + D(300),
        )
        lifecycle.transition(license, "list", actor=None, expected_version=license.version)
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    factories.license_in("active", grantor=hangzhou, data_domains=["transport"])
    return license


def test_a_whole_authorization_needs_no_data_domains_but_a_by_domain_one_does(hangzhou, whole):
    assert whole.status == "active" and not whole.data_domains.exists()
    by_domain = factories.draft(grantor=hangzhou, data_domains=[])
    response = _api(_regulator(hangzhou, "hz")).post(
        f"/api/v1/licenses/{by_domain.identifier}/transitions/",
        {"action": "list", "version": by_domain.version},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["data_domains"]


def test_domain_health_finds_a_whole_authorization_everywhere(client, hangzhou, whole):
    api = _api().get("/api/v1/licenses/", {"domain": "health"}).json()["results"]
    assert [(row["number"], row["covers_all_domains"]) for row in api] == [(whole.number, True)]
    transport = _api().get("/api/v1/licenses/", {"domain": "transport"}).json()["results"]
    assert len(transport) == 2
    verdict = _api().get("/api/v1/verify/", {"uscc": whole.operator.uscc, "domain": "health"}).json()
    assert verdict["headline"] == "licensed" and verdict["licenses"][0]["covers_all_domains"] is True
    public = client.get("/licenses/", {"domain": "health"}, **EN).content.decode()
    assert whole.number in public and "All domains" in public
    assert License.objects.exclude(pk=whole.pk).get().number not in public
    client.force_login(_regulator(hangzhou, "hz"))
    admin = client.get(reverse("admin:licensing_license_changelist"), {"domain": "health"}).content.decode()
    assert whole.number in admin
    assert License.objects.exclude(pk=whole.pk).get().number not in admin


def test_a_finding_in_any_domain_is_covered_by_a_whole_authorization(whole):
    finding = factories.finding(entity_uscc=whole.operator.uscc, data_domain="transport")
    assert finding.operator == whole.operator
    assert compliance.finding_flags([finding])[finding.pk] == []
    elsewhere = factories.finding(entity_uscc=factories.operator().uscc, data_domain="transport")
    assert [f.code for f in compliance.finding_flags([elsewhere])[elsewhere.pk]] == [
        "finding_without_license"
    ]


def test_pages_say_all_domains(client, whole):
    assert "All domains" in client.get(f"/licenses/{whole.number}/", **EN).content.decode()
    verdict = client.get("/verify/", {"q": whole.operator.uscc, "domain": "health"}, **EN)
    assert "All domains" in verdict.content.decode()


# Operators without a published code -----------------------------------------------------------------


def test_an_operator_without_a_code_is_written_and_read_by_id(client, hangzhou):
    api = _api(_regulator(hangzhou, "hz"))
    created = api.post(
        "/api/v1/operators/",
        {"name": "锦江无码示例公司", "uscc_note": "Not published in the notice."},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["uscc"], body["kind"]) == ("", OperatorKind.UNKNOWN)
    read = _api().get(f"/api/v1/operators/{body['id']}/")
    assert read.status_code == 200 and read.json()["name"] == "锦江无码示例公司"
    license = api.post(
        "/api/v1/licenses/",
        {
            "title": "City data",
            "grantor_id": hangzhou.pk,
            "operator_id": body["id"],
            "data_domains": ["health"],
            "scope": "Health data.",
            "term_start": (TODAY - D(5)).isoformat(),
        },
        format="json",
    )
    assert license.status_code == 201, license.json()
    assert license.json()["operator"]["id"] == body["id"]
    granted = api.post(
        f"/api/v1/licenses/{license.json()['reference']}/transitions/",
        {"action": "grant", "version": 1},
        format="json",
    )
    assert granted.status_code == 200
    number = granted.json()["number"]
    page = client.get(f"/licenses/{number}/", **EN).content.decode()
    assert "Code not published: Not published in the notice." in page
    verdict = client.get("/verify/", {"q": "锦江无码示例公司"}, **EN).content.decode()
    assert "Code not published: Not published in the notice." in verdict
    operator_page = client.get(f"/operators/{body['id']}/", **EN).content.decode()
    assert "Code not published" in operator_page
    found = _api().get("/api/v1/operators/", {"q": "锦江无码"}).json()["results"]
    assert [row["id"] for row in found] == [body["id"]]
    listed = _api().get("/api/v1/licenses/", {"q": "锦江无码"}).json()["results"]
    assert [row["number"] for row in listed] == [number]
    assert number in client.get("/licenses/", {"q": "锦江无码"}).content.decode()


def test_an_operator_is_read_by_its_code_in_any_form_or_its_id_and_nothing_else():
    operator = factories.operator()
    for key in (operator.uscc, operator.uscc.lower(), str(operator.pk)):
        response = _api().get(f"/api/v1/operators/{key}/")
        assert (response.status_code, response.json()["id"]) == (200, operator.pk), key
    for key in ("999999", "91330100", "not-a-key", "9" * 40):
        assert _api().get(f"/api/v1/operators/{key}/").status_code == 404, key


def test_a_kind_left_out_is_unknown_and_a_given_one_is_kept(hangzhou):
    api = _api(_regulator(hangzhou, "hz"))
    given = api.post(
        "/api/v1/operators/",
        {"name": "国有示例", "uscc_note": "Not published.", "kind": "state_owned"},
        format="json",
    )
    assert given.json()["kind"] == "state_owned"
    assert Operator(name="x").kind == OperatorKind.UNKNOWN


@pytest.mark.parametrize(
    "fields, named",
    [
        ({"operator_id": 999999}, ["operator_id"]),
        ({"operator_id": "abc"}, ["operator_id"]),
        ({"operator_id": 0}, ["operator_id"]),
        ({"operator_id": "other", "operator_uscc": "first"}, ["operator_id", "operator_uscc"]),
    ],
)
def test_a_bad_operator_id_is_a_400_naming_it_and_nothing_is_written(hangzhou, fields, named):
    first, other = factories.operator(), factories.operator()
    values = {"other": other.pk, "first": first.uscc}
    fields = {key: values.get(value, value) for key, value in fields.items()}
    response = _api(_regulator(hangzhou, "hz")).post(
        "/api/v1/licenses/", {"title": "T", "grantor_id": hangzhou.pk, **fields}, format="json"
    )
    assert response.status_code == 400 and sorted(response.json()["errors"]) == named
    assert not License.objects.exists()


def test_operator_id_and_uscc_naming_the_same_operator_agree_and_null_clears_it(hangzhou):
    operator = factories.operator()
    api = _api(_regulator(hangzhou, "hz"))
    created = api.post(
        "/api/v1/licenses/",
        {"title": "T", "grantor_id": hangzhou.pk, "operator_id": operator.pk, "operator_uscc": operator.uscc},
        format="json",
    )
    assert created.status_code == 201 and created.json()["operator"]["id"] == operator.pk
    number = created.json()["reference"]  # a draft is addressed by its reference
    cleared = api.patch(f"/api/v1/licenses/{number}/", {"operator_id": None, "version": 1}, format="json")
    assert cleared.status_code == 200 and cleared.json()["operator"] is None


# Authorities through the API ------------------------------------------------------------------------


@pytest.fixture
def users():
    auditor = factories.user("auditor")
    auditor.groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    return {
        "anonymous": None,
        "provincial": _regulator(factories.authority("330000", name="浙江省数据局"), "zj"),
        "national": _regulator(factories.authority("100000", name="国家数据局"), "nda"),
        "auditor": auditor,
        "superuser": factories.user("root", is_superuser=True, is_staff=True),
    }


@pytest.mark.parametrize(
    "role, create, change",
    [
        ("anonymous", 401, 401),
        ("provincial", 403, 403),
        ("national", 201, 200),
        ("auditor", 403, 403),
        ("superuser", 201, 200),
    ],
)
def test_who_may_create_and_change_authorities(users, role, create, change):
    target = factories.authority("330100", name="杭州市数据资源管理局")
    api = _api(users[role])
    created = api.post(
        "/api/v1/authorities/", {"name": "宁波市大数据发展管理局", "division_code": "330200"}, format="json"
    )
    assert created.status_code == create
    changed = api.patch(f"/api/v1/authorities/{target.pk}/", {"name_en": "Hangzhou"}, format="json")
    assert changed.status_code == change
    target.refresh_from_db()
    assert (target.name_en == "Hangzhou") == (change == 200)
    assert Authority.objects.filter(division_code="330200").exists() == (create == 201)


def test_a_new_authority_has_its_level_from_the_code_and_normalised_identifiers(users):
    uscc = _government_uscc("330200")
    response = _api(users["national"]).post(
        "/api/v1/authorities/",
        {
            "name": "宁波市大数据发展管理局",
            "division_code": "３３０２００",
            "uscc": uscc.lower(),
            "kind": "data_authority",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["division_code"], body["level"], body["uscc"]) == ("330200", "prefecture", uscc)
    assert _api().get(f"/api/v1/authorities/{body['id']}/").json()["name"] == "宁波市大数据发展管理局"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": "X", "division_code": "990000"}, "division_code"),
        ({"name": "X", "division_code": "3302"}, "division_code"),
        ({"name": "X"}, "division_code"),
        ({"name": "杭州市数据资源管理局", "division_code": "330100"}, "name"),
        ({"name": "X", "division_code": "330200", "uscc": "123"}, "uscc"),
        ({"name": "X", "division_code": "330200", "uscc": "taken"}, "uscc"),
        ({"name": "X", "division_code": "330200", "level": "national"}, "level"),
    ],
)
def test_bad_authorities_are_400s_naming_the_field(users, fields, field):
    existing = factories.authority("330100", name="杭州市数据资源管理局", uscc=_government_uscc())
    if fields.get("uscc") == "taken":
        fields["uscc"] = existing.uscc
    count = Authority.objects.count()
    response = _api(users["superuser"]).post("/api/v1/authorities/", fields, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == [field], response.json()
    assert Authority.objects.count() == count


def test_a_change_that_would_duplicate_a_name_in_its_division_is_refused(users):
    factories.authority("330100", name="杭州市数据资源管理局")
    other = factories.authority("330100", name="杭州市经信局")
    api = _api(users["superuser"])
    response = api.patch(
        f"/api/v1/authorities/{other.pk}/", {"name": "杭州市数据资源管理局"}, format="json", **EN
    )
    assert response.status_code == 400 and response.json()["errors"] == {
        "name": ["An authority with this name is already registered in this division."]
    }
    # Its own name again is no duplicate; the same name in another division is none either.
    assert (
        api.patch(f"/api/v1/authorities/{other.pk}/", {"name": "杭州市经信局"}, format="json").status_code
        == 200
    )
    moved = api.patch(
        f"/api/v1/authorities/{other.pk}/",
        {"name": "杭州市数据资源管理局", "division_code": "330200"},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["level"] == "prefecture"


def test_cached_public_reads_show_an_authority_change_at_once(users, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    assert _api().get("/api/v1/authorities/").json()["results"][-1]["name"] == "杭州市数据资源管理局"
    detail = f"/api/v1/licenses/{license.number}/"
    assert _api().get(detail).json()["grantor"]["name"] == "杭州市数据资源管理局"
    with running_tasks():
        _api(users["national"]).patch(
            f"/api/v1/authorities/{hangzhou.pk}/", {"name": "杭州市数据局"}, format="json"
        )
    names = [row["name"] for row in _api().get("/api/v1/authorities/").json()["results"]]
    assert "杭州市数据局" in names and "杭州市数据资源管理局" not in names
    assert _api().get(detail).json()["grantor"]["name"] == "杭州市数据局"


def _government_uscc(region="330100"):
    body = f"11{region}MB{Authority.objects.count() + 1:07d}"
    return body + uscc_check_character(body)


# Demo data ------------------------------------------------------------------------------------------


def test_the_demo_has_a_whole_authorization_with_an_unpublished_end_to_an_operator_without_a_code(client):
    demo.load_demo(TODAY)
    license = License.objects.get(authorization_mode=AuthorizationMode.WHOLE, origin=RecordOrigin.DEMO)
    assert (license.status, license.term_end, license.origin) == ("active", None, RecordOrigin.DEMO)
    assert (license.operator.uscc, license.operator.kind) == ("", OperatorKind.UNKNOWN)
    assert license.operator.uscc_note and license.operator.origin == RecordOrigin.DEMO
    grant = license.events.get(action="grant")
    assert grant.occurred_on == TODAY - D(345) and grant.created_at.date() == TODAY
    page = client.get(f"/licenses/{license.number}/", **EN).content.decode()
    assert "Not a real license." in page and "All domains" in page and "end not published" in page


def test_the_dashboard_reads_the_data_to_complete_in_a_constant_number_of_queries(
    client, hangzhou, open_ended
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(_regulator(hangzhou, "hz"))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(3):
        license = factories.draft(grantor=hangzhou, operator=factories.operator(), term_start=START)
        with notifications.suppressed():
            lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    assert queries() == one


def test_through_the_api_a_past_grant_with_no_published_end_reads_in_force_from_its_start(hangzhou):
    """Recorded as a regulator would, with the days of the acts: in force from the term's first day on
    every day since, with no end; not before it, and the events say the days the acts took effect."""
    regulator = _regulator(hangzhou, "hz")
    operator = factories.operator(name="钱江示例数据有限公司")
    api = _api(regulator)
    created = api.post(
        "/api/v1/licenses/",
        {
            "title": "City data, end not published",
            "grantor_id": hangzhou.pk,
            "operator_id": operator.pk,
            "data_domains": ["health"],
            "scope": "City health data.",
            "term_start": START.isoformat(),
            "term_end": None,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    granted = api.post(
        f"/api/v1/licenses/{created.json()['reference']}/transitions/",
        {"action": "grant", "version": 1, "occurred_on": GRANTED.isoformat()},
        format="json",
    )
    assert granted.status_code == 200, granted.json()
    assert (granted.json()["status"], granted.json()["term_end"]) == ("active", None)
    number = granted.json()["number"]

    def verdict(day):
        return APIClient().get("/api/v1/verify/", {"uscc": operator.uscc, "on": day.isoformat()}).json()

    assert verdict(GRANTED)["headline"] == "not_yet_in_force"
    assert verdict(START - D(1))["headline"] == "not_yet_in_force"
    for day in (START, TODAY - D(1), TODAY, TODAY + D(3650)):
        judged = verdict(day)
        assert (judged["headline"], judged["until"], judged["until_reason"]) == (
            "licensed",
            None,
            "term_end_not_published",
        ), day
    events = APIClient().get(f"/api/v1/licenses/{number}/events/").json()["results"]
    assert [(e["action"], e["effective_on"]) for e in events] == [
        ("grant", GRANTED.isoformat()),
        ("activate", START.isoformat()),
    ]
