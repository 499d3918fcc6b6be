"""Annual disclosures (issue 19 part 4): who owes which year's disclosure, overdue from 1 April and not on
31 March, recording them in the admin and the API (every role), the API filter, the verdict's flags and
the pages that show what is overdue."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from licensing import disclosure_reminders, disclosures, lifecycle, notifications
from licensing.access import AUDITORS_GROUP
from licensing.choices import DutyState, LicenseParty
from licensing.models import Disclosure, DisclosureReminder, License, Regulator
from licensing.sweep import run_full_sweep

from . import factories
from .outbox_support import regulator_of, sweep_at

pytestmark = pytest.mark.django_db
D = datetime.timedelta
P = LicenseParty
MARCH_31 = datetime.date(2026, 3, 31)
APRIL_1 = datetime.date(2026, 4, 1)


def shanghai(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(shanghai(APRIL_1), tick=False):
        yield


def granted(grantor, start, end, *, granted_on=None, **fields) -> License:
    """A license with the term `start`..`end` (end None: not published), granted on `granted_on` (default
    its first day, which puts it in force at once)."""
    with notifications.suppressed(), time_machine.travel(shanghai(granted_on or start), tick=False):
        fields.setdefault("operator", factories.operator(contact_emails="ops@example.test"))
        license = factories.draft(grantor=grantor, term_start=start, term_end=end, **fields)
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    return license


def ended(license, action, day) -> License:
    with notifications.suppressed(), time_machine.travel(shanghai(day), tick=False):
        return lifecycle.transition(
            license, action, actor=None, reason="Ended for the test.", expected_version=license.version
        )


@pytest.fixture
def world():
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    body = factories.authority("330100", name="杭州市数据集团")
    hunan = factories.authority("430000", name="湖南省数据局")
    users = {"anonymous": None, "superuser": factories.user("root", is_superuser=True, is_staff=True)}
    for name, authority in (("inside", hangzhou), ("outside", hunan)):
        users[name] = factories.user(name, is_staff=True)
        Regulator.objects.create(user=users[name], authority=authority, contact_email=f"{name}@example.test")
    users["auditor"] = factories.user("auditor", is_staff=True)
    users["auditor"].groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    return {
        "hangzhou": hangzhou,
        "body": body,
        "users": users,
        # In force from June 2025: part of 2025, so it owes 2025.
        "part": granted(
            hangzhou, datetime.date(2025, 6, 1), datetime.date(2027, 5, 31), implementing_body=body
        ),
        # In force only from 2026: owes nothing for 2025.
        "later": granted(hangzhou, datetime.date(2026, 1, 10), datetime.date(2028, 1, 9)),
        # Its end not published: open-ended, in force in 2025 (from 2024, which owes nothing yet).
        "open": granted(hangzhou, datetime.date(2024, 3, 1), None),
    }


def states(license, on):
    return {(duty.year, duty.party): duty.state for duty in disclosures.license_duties(license, on)}


def record(license, party, year=2025, day=datetime.date(2026, 3, 20), **fields):
    return disclosures.record_disclosure(
        license, actor=None, year=year, party=party, disclosed_on=day, url="https://example.test/d", **fields
    )


# Who owes what, and when it is overdue -------------------------------------------------------------------


def test_a_disclosure_is_due_on_31_march_and_overdue_from_1_april(world):
    part = world["part"]
    assert states(part, datetime.date(2026, 2, 28)) == {
        (2025, P.IMPLEMENTING_BODY): DutyState.PENDING,
        (2025, P.OPERATOR): DutyState.PENDING,
    }
    assert set(states(part, datetime.date(2026, 3, 1)).values()) == {DutyState.DUE}
    assert set(states(part, MARCH_31).values()) == {DutyState.DUE}
    assert set(states(part, APRIL_1).values()) == {DutyState.OVERDUE}
    everything = License.objects.all()
    assert part not in disclosures.overdue_licenses(everything, MARCH_31)
    assert part in disclosures.overdue_licenses(everything, APRIL_1)


def test_a_license_in_force_part_of_a_year_owes_it_and_one_never_in_force_then_owes_nothing(world):
    assert set(states(world["part"], APRIL_1)) == {(2025, P.IMPLEMENTING_BODY), (2025, P.OPERATOR)}
    assert states(world["later"], APRIL_1) == {}
    # Its first year owed is 2026, due by 31 March 2027.
    assert set(states(world["later"], datetime.date(2027, 4, 1)).values()) == {DutyState.OVERDUE}
    overdue = disclosures.overdue_licenses(License.objects.all(), APRIL_1)
    assert set(overdue) == {world["part"], world["open"]}


def test_a_term_whose_end_is_not_published_owes_every_year_from_the_first_one_owed(world):
    # In force since 2024, but the annual duty starts with 2025.
    assert set(states(world["open"], APRIL_1)) == {(2025, P.IMPLEMENTING_BODY), (2025, P.OPERATOR)}
    assert {year for year, _party in states(world["open"], datetime.date(2028, 4, 1))} == {2025, 2026, 2027}


def test_one_party_disclosing_leaves_the_other_overdue(world):
    part = world["part"]
    record(part, P.IMPLEMENTING_BODY)
    assert states(part, APRIL_1) == {
        (2025, P.IMPLEMENTING_BODY): DutyState.DONE,
        (2025, P.OPERATOR): DutyState.OVERDUE,
    }
    assert part in disclosures.overdue_licenses(License.objects.all(), APRIL_1)
    record(part, P.OPERATOR, day=APRIL_1)
    assert set(states(part, APRIL_1).values()) == {DutyState.DONE}
    assert part not in disclosures.overdue_licenses(License.objects.all(), APRIL_1)


def date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# Licenses ended early: (term start, granted on, action, recorded on).
ENDINGS = [
    ("2025-02-01", "2025-02-01", "revoke", "2025-07-20"),
    ("2025-02-01", "2025-02-01", "terminate", "2026-01-01"),
    ("2026-02-01", "2026-01-02", "revoke", "2026-01-20"),  # before its term started
    ("2025-02-01", "2025-01-20", "withdraw", "2025-02-01"),
]


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_the_rule_in_python_and_in_the_database_agree(world, year):
    hz = world["hangzhou"]
    cases = [
        world["part"],
        world["later"],
        world["open"],
        *(
            ended(granted(hz, date(start), date("2027-01-31"), granted_on=date(on)), action, date(day))
            for start, on, action, day in ENDINGS
        ),
        factories.license_in("listed", grantor=hz),
        factories.draft(grantor=hz),
    ]
    expected = {license.pk for license in cases if disclosures.in_force_during(license, year)}
    found = License.objects.filter(disclosures.in_force_during_q(year), pk__in=[c.pk for c in cases])
    assert set(found.values_list("pk", flat=True)) == expected
    # And the rule has cases on both sides for the years with licenses.
    if year in (2025, 2026):
        assert expected and expected != {c.pk for c in cases}


def test_a_license_revoked_before_its_term_started_was_never_in_force(world):
    license = ended(
        granted(
            world["hangzhou"],
            datetime.date(2025, 9, 1),
            datetime.date(2027, 8, 31),
            granted_on=datetime.date(2025, 7, 1),
        ),
        "revoke",
        datetime.date(2025, 8, 1),
    )
    assert not disclosures.in_force_during(license, 2025)
    assert states(license, APRIL_1) == {}


# Recording: the rules ---------------------------------------------------------------------------------


def _api(world, role):
    client = APIClient()
    if world["users"][role] is not None:
        client.force_authenticate(world["users"][role])
    return client


def _post(world, role, target, headers=None, **overrides):
    body = {
        "license": target.number,
        "year": 2025,
        "party": "operator",
        "disclosed_on": "2026-03-20",
        "url": "https://example.test/2025-report",
        "summary": "2025年度运营情况",
        **overrides,
    }
    return _api(world, role).post("/api/v1/disclosures/", body, format="json", headers=headers)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("auditor", 403), ("outside", 403), ("inside", 201), ("superuser", 201)],
)
def test_recording_through_the_api_by_role(world, role, status):
    response = _post(world, role, world["part"])
    assert response.status_code == status, response.json()
    assert Disclosure.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["license"] == world["part"].number
        assert Disclosure.objects.get().recorded_by == world["users"][role]


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"year": 2025, "license": "later"}, "year", "was not in force during 2025"),
        ({"year": 2024, "license": "open"}, "year", "starts with 2025"),
        ({"year": 2026}, "year", "has not ended"),
        ({"disclosed_on": "2026-04-02"}, "disclosed_on", "future"),
        ({"disclosed_on": "2025-12-31"}, "disclosed_on", "after the year has ended"),
        ({"url": "javascript:alert(1)"}, "url", ""),
        ({"party": "grantor"}, "party", ""),
        ({"colour": "red"}, "colour", "Unknown field"),
        ({"license": "330100-2099-0001"}, "license", "No license"),
    ],
)
def test_the_api_refuses_with_a_400_naming_the_field(world, overrides, field, words):
    license = world[overrides.pop("license")] if overrides.get("license") in world else world["part"]
    response = _post(world, "inside", license, **overrides)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert words in " ".join(response.json()["errors"][field])
    assert not Disclosure.objects.exists()


def test_a_duplicate_is_refused_and_an_idempotent_repeat_replays(world):
    key = {"Idempotency-Key": "disclosure-1"}
    first, again = (_post(world, "inside", world["part"], headers=key) for _ in range(2))
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    duplicate = _post(world, "inside", world["part"])
    assert duplicate.status_code == 400
    assert "already recorded" in duplicate.json()["errors"]["party"][0]
    assert Disclosure.objects.count() == 1


def test_recorded_disclosures_are_public_reads(world):
    record(world["part"], P.OPERATOR, summary="产品目录与价格")
    response = APIClient().get("/api/v1/disclosures/", {"license": world["part"].number, "year": 2025})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["party"] == "operator" and row["summary"] == "产品目录与价格"
    assert APIClient().get("/api/v1/disclosures/", {"year": "x"}).status_code == 400


# The API filter and the verdict's flags ---------------------------------------------------------------


def _numbers(response):
    assert response.status_code == 200, response.json()
    return {row["number"] for row in response.json()["results"]}


def test_the_license_filter_finds_licenses_with_a_disclosure_overdue(world):
    client = APIClient()
    part, later, open_ended = world["part"], world["later"], world["open"]
    assert _numbers(client.get("/api/v1/licenses/?disclosure_overdue=true")) == {
        part.number,
        open_ended.number,
    }
    assert _numbers(client.get("/api/v1/licenses/?disclosure_overdue=false")) == {later.number}
    assert client.get("/api/v1/licenses/?disclosure_overdue=perhaps").status_code == 400
    with time_machine.travel(shanghai(MARCH_31), tick=False):
        cache.clear()
        assert _numbers(client.get("/api/v1/licenses/?disclosure_overdue=true")) == set()


def test_the_verdict_flags_the_operators_own_overdue_disclosure(world, django_capture_on_commit_callbacks):
    part = world["part"]
    url = f"/api/v1/verify/?uscc={part.operator.uscc}"
    flags = APIClient().get(url).json()["flags"]
    assert [(flag["code"], flag["license"]) for flag in flags] == [("disclosure_overdue", part.number)]
    assert "2025" in flags[0]["explanation"] and "2026-03-31" in flags[0]["explanation"]
    listed = APIClient().get("/api/v1/operators/", {"q": part.operator.uscc}).json()["results"]
    assert [flag["code"] for flag in listed[0]["flags"]] == ["disclosure_overdue"]
    # The implementing body's disclosure is not the operator's to make: recording the operator's clears it
    # (and the cached verdict goes with the commit).
    with django_capture_on_commit_callbacks(execute=True):
        record(part, P.OPERATOR)
    assert APIClient().get(url).json()["flags"] == []
    with time_machine.travel(shanghai(MARCH_31), tick=False):
        assert APIClient().get(f"/api/v1/verify/?uscc={world['open'].operator.uscc}").json()["flags"] == []


# Pages ------------------------------------------------------------------------------------------------


def test_the_license_operator_and_authority_pages_show_what_is_overdue(client, world):
    part = world["part"]
    record(part, P.IMPLEMENTING_BODY, summary="授权情况与收费上限")
    page = client.get(f"/licenses/{part.number}/").content.decode()
    assert "Annual disclosures" in page or "年度披露" in page
    assert "disclosure-2025-operator" in page and "授权情况与收费上限" in page
    assert page.count("flag--disclosure_overdue") == 1
    operator = client.get(f"/operators/{part.operator.uscc}/").content.decode()
    assert "flag--disclosure_overdue" in operator
    assert f"/licenses/{part.number}/#disclosure-2025-operator" in operator
    authority = client.get(f"/authorities/{world['body'].pk}/").content.decode()
    assert f"{part.number}</a>" in authority and "overdue-disclosures-heading" in authority
    with time_machine.travel(shanghai(MARCH_31), tick=False):
        cache.clear()
        assert "flag--disclosure_overdue" not in client.get(f"/licenses/{part.number}/").content.decode()
        assert (
            "overdue-disclosures-heading"
            not in client.get(f"/authorities/{world['body'].pk}/").content.decode()
        )


def _count(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_authority_page_reads_overdue_disclosures_in_a_fixed_number_of_queries(client, world):
    hangzhou = world["hangzhou"]
    url = f"/authorities/{hangzhou.pk}/"
    few = _count(client, url)
    for month in (2, 3, 4):
        granted(hangzhou, datetime.date(2025, month, 1), datetime.date(2027, 1, 31))
    # The page's own 5, the licenses with a disclosure overdue, and their disclosures.
    assert _count(client, url) == few == 7


def test_the_admin_dashboard_lists_overdue_disclosures_in_the_jurisdiction(client, world):
    client.force_login(world["users"]["inside"])
    page = client.get("/admin/").content.decode()
    assert 'id="disclosures-overdue"' in page and world["part"].number in page
    client.force_login(world["users"]["outside"])
    page = client.get("/admin/").content.decode()
    assert world["part"].number not in page


# The admin --------------------------------------------------------------------------------------------


def _admin_post(client, license, **overrides):
    data = {
        "license": license.pk,
        "year": "2025",
        "party": "implementing_body",
        "disclosed_on": "2026-03-25",
        "url": "https://example.test/ib-2025",
        "summary": "",
        "origin": "recorded",
        **overrides,
    }
    return client.post("/admin/licensing/disclosure/add/", data)


def test_a_regulator_records_a_disclosure_in_the_admin(client, world):
    client.force_login(world["users"]["inside"])
    response = _admin_post(client, world["part"])
    assert response.status_code == 302, response.context["adminform"].form.errors
    disclosure = Disclosure.objects.get()
    assert (disclosure.year, disclosure.party, disclosure.recorded_by) == (
        2025,
        "implementing_body",
        world["users"]["inside"],
    )
    assert states(world["part"], APRIL_1)[(2025, P.IMPLEMENTING_BODY)] == DutyState.DONE


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"license": "later"}, "year"), ({"disclosed_on": "2026-04-02"}, "disclosed_on")],
)
def test_the_admin_form_names_the_field_at_fault(client, world, overrides, field):
    client.force_login(world["users"]["inside"])
    license = world[overrides.pop("license")] if "license" in overrides else world["part"]
    response = _admin_post(client, license, **overrides)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Disclosure.objects.exists()


def test_outside_the_jurisdiction_or_as_auditor_nothing_is_recorded_in_the_admin(client, world):
    client.force_login(world["users"]["outside"])
    response = _admin_post(client, world["part"])
    assert response.status_code == 200 and "license" in response.context["adminform"].form.errors
    client.force_login(world["users"]["auditor"])
    assert _admin_post(client, world["part"]).status_code == 403
    assert client.get("/admin/licensing/disclosure/").status_code == 200
    client.logout()
    assert _admin_post(client, world["part"]).status_code == 302  # to the login page
    assert not Disclosure.objects.exists()


# The demo ---------------------------------------------------------------------------------------------


def test_the_demo_shows_one_invented_disclosure_overdue_and_loads_once():
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    demo = License.objects.filter(origin="demo")
    duties = [duty for found in disclosures.duties_of(demo).values() for duty in found]
    overdue = [duty for duty in duties if duty.overdue]
    assert [(duty.license.title, duty.year, duty.party) for duty in overdue] == [
        ("杭州市公共交通出行数据授权运营（示例）", 2025, "operator")
    ]
    made = Disclosure.objects.all()
    assert made.count() == len(duties) - 1 and set(made.values_list("origin", flat=True)) == {"demo"}
    assert all(".invalid/" in url for url in made.values_list("url", flat=True))
    call_command("load_demo", stdout=io.StringIO())
    assert Disclosure.objects.count() == made.count()


# Reminders --------------------------------------------------------------------------------------------


def test_reminders_are_owed_from_1_march_to_31_march_once_per_duty_not_disclosed(world):
    part, open_ended = world["part"], world["open"]
    record(part, P.IMPLEMENTING_BODY, day=datetime.date(2026, 2, 20))
    now = shanghai(datetime.date(2026, 3, 1))
    for day in (datetime.date(2026, 2, 28), datetime.date(2026, 4, 1), datetime.date(2027, 2, 28)):
        assert disclosure_reminders.create_due(day, now) == 0
    assert disclosure_reminders.create_due(datetime.date(2026, 3, 1), now) == 3
    assert disclosure_reminders.create_due(datetime.date(2026, 3, 31), now) == 0
    assert set(DisclosureReminder.objects.values_list("license", "year", "party")) == {
        (part.pk, 2025, "operator"),
        (open_ended.pk, 2025, "implementing_body"),
        (open_ended.pk, 2025, "operator"),
    }


def test_the_reminders_queries_grow_with_the_batches_owed_not_with_the_licenses(
    world, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(disclosure_reminders, "BATCH_SIZE", 2)
    for month in (2, 3, 4):
        granted(world["hangzhou"], datetime.date(2025, month, 1), datetime.date(2027, 1, 31))
    march = datetime.date(2026, 3, 2)
    # 5 licenses owe: 3 batches read, 3 inserts.
    with django_assert_num_queries(6):
        assert disclosure_reminders.create_due(march, shanghai(march)) == 10
    # Nothing owed any more: one read.
    with django_assert_num_queries(1):
        assert disclosure_reminders.create_due(march, shanghai(march)) == 0
    with django_assert_num_queries(0):
        assert disclosure_reminders.create_due(APRIL_1, shanghai(APRIL_1)) == 0


def test_a_license_page_reads_its_disclosures_in_one_query_only_when_it_owes_a_year(client, world):
    # "later" owes nothing yet (in force from 2026); "part" owes 2025: one query more, for its disclosures.
    assert _count(client, f"/licenses/{world['part'].number}/") == (
        _count(client, f"/licenses/{world['later'].number}/") + 1
    )


def test_reminders_go_out_once_across_two_sweeps_to_the_party_copying_the_grantors_regulators(
    world, mailoutbox
):
    regulator_of(world["body"], email="body@example.test")
    record(world["part"], P.IMPLEMENTING_BODY, day=datetime.date(2026, 2, 20))
    first = sweep_at(shanghai(datetime.date(2026, 3, 1), 9))
    second = sweep_at(shanghai(datetime.date(2026, 3, 2), 9))
    assert (first.disclosure_reminders, second.disclosure_reminders) == (3, 0)
    assert set(DisclosureReminder.objects.values_list("state", flat=True)) == {"sent"}
    sent = sorted((tuple(m.to), tuple(m.cc), m.subject) for m in mailoutbox)
    part, open_ended = world["part"], world["open"]
    assert [(to, cc) for to, cc, _subject in sent] == [
        ((), ("inside@example.test",)),  # "open" has no implementing body: its grantor's regulators
        (("ops@example.test",), ("inside@example.test",)),
        (("ops@example.test",), ("inside@example.test",)),
    ]
    for license in (part, open_ended):
        subjects = [subject for *_, subject in sent if license.number in subject]
        assert subjects and all(
            f"License {license.number}: the 2025 annual disclosure is due by 2026-03-31" in subject
            and f"许可 {license.number}：2025 年度披露应于 2026-03-31 前完成" in subject
            for subject in subjects
        )
    body = next(m.body for m in mailoutbox if m.to == ["ops@example.test"] and part.number in m.subject)
    assert (
        "products and services, prices, and use of the data" in body
        and "产品和服务、价格及数据使用情况" in body
    )


def test_a_reminder_of_a_disclosure_recorded_meanwhile_is_not_sent(world, mailoutbox):
    march = datetime.date(2026, 3, 1)
    disclosure_reminders.create_due(march, shanghai(march))
    record(world["part"], P.OPERATOR, day=datetime.date(2026, 2, 25))
    sweep_at(shanghai(march, 10))
    recorded = DisclosureReminder.objects.get(license=world["part"], party="operator")
    assert (recorded.state, recorded.last_error) == ("cancelled", "The disclosure has been recorded.")
    assert not any(world["part"].number in m.subject and m.to == ["ops@example.test"] for m in mailoutbox)


def test_the_whole_sweep_in_march_takes_a_fixed_number_of_queries_for_the_reminders_owed(
    world, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(disclosure_reminders, "BATCH_SIZE", 2)
    for month in (2, 3, 4):
        granted(world["hangzhou"], datetime.date(2025, month, 1), datetime.date(2027, 1, 31))
    # Expiry 2 and activation 1; expiry reminders 1; disclosure reminders 3 reads + 3 inserts (5 licenses
    # owe, 2 a batch); the outbox 1 read per kind (7: alerts' two and webhook deliveries included); the
    # heartbeat 1; registrations 5 (none due); alert digests 1 (no subscription). The sends run after the
    # commit.
    with time_machine.travel(shanghai(datetime.date(2026, 3, 2)), tick=False), django_assert_num_queries(24):
        assert run_full_sweep().disclosure_reminders == 10
