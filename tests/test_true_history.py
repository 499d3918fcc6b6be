"""True history (issue 13): every act on the day it took effect, checked; corrections that move a day
without rewriting the record; and the verdict for a live listing. Through the API and the admin, as a
regulator records a license that already has a past, and as the public then reads it."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import sweep
from licensing.access import AUDITORS_GROUP
from licensing.models import License, LicenseEvent, Regulator

from . import factories

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)
D = datetime.timedelta
# A license typed in today with a past: listed, granted, in force from its term's start, ended.
LISTED_ON = datetime.date(2022, 9, 1)
GRANTED_ON = datetime.date(2022, 9, 29)
TERM_START = datetime.date(2022, 10, 15)
TERM_END = datetime.date(2024, 10, 14)


def at(day: datetime.date, hour_utc=2):
    """Travel to `day` (10:00 in Asia/Shanghai), the clock standing still."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour_utc, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture(autouse=True)
def frozen():
    with at(TODAY):
        yield


@pytest.fixture
def world():
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    hunan = factories.authority("430000", name="湖南省数据局")
    users = {"anonymous": None, "superuser": factories.user("root", is_superuser=True, is_staff=True)}
    for name, authority in (("inside", hangzhou), ("outside", hunan)):
        users[name] = factories.user(name, is_staff=True)
        Regulator.objects.create(user=users[name], authority=authority, contact_email=f"{name}@example.test")
    users["auditor"] = factories.user("auditor", is_staff=True)
    users["auditor"].groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    operator = factories.operator(name="之江示例数据科技有限公司")
    return {"hangzhou": hangzhou, "users": users, "operator": operator}


def _api(world, role="inside"):
    client = APIClient()
    if world["users"][role] is not None:
        client.force_authenticate(world["users"][role])
    return client


def _verdicts(operator, days):
    client = APIClient()
    answers = {}
    for day in days:
        response = client.get("/api/v1/verify/", {"uscc": operator.uscc, "on": day.isoformat()})
        assert response.status_code == 200, response.json()
        answers[day] = response.json()["headline"]
    return answers


# The boundary days of the history above, and the day before each.
EXPECTED_VERDICTS = {
    LISTED_ON - D(days=1): "no_license",
    LISTED_ON: "listed",
    GRANTED_ON - D(days=1): "listed",
    GRANTED_ON: "not_yet_in_force",
    TERM_START - D(days=1): "not_yet_in_force",
    TERM_START: "licensed",
    datetime.date(2023, 10, 15): "licensed",
    TERM_END: "licensed",
    TERM_END + D(days=1): "ended",
    TODAY: "ended",
}


def _record_through_the_api(world, client=None) -> License:
    client = _api(world)
    created = client.post(
        "/api/v1/licenses/",
        {
            "title": "Public transport data",
            "grantor_id": world["hangzhou"].pk,
            "operator_uscc": world["operator"].uscc,
            "data_domains": ["transport"],
            "scope": "Bus arrivals.",
            "term_start": TERM_START.isoformat(),
            "term_end": TERM_END.isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    reference = created.json()["reference"]  # a draft has no number yet
    url = f"/api/v1/licenses/{reference}/transitions/"
    listed = client.post(
        url, {"action": "list", "version": 1, "occurred_on": LISTED_ON.isoformat()}, format="json"
    )
    assert listed.status_code == 200, listed.json()
    granted = client.post(
        url, {"action": "grant", "version": 2, "occurred_on": GRANTED_ON.isoformat()}, format="json"
    )
    assert granted.status_code == 200, granted.json()
    assert granted.json()["status"] == "expired"
    return License.objects.get(reference=reference)


def _record_through_the_admin(world, client) -> License:
    client.force_login(world["users"]["inside"])
    added = client.post(
        reverse("admin:licensing_license_add"),
        {
            "title": "Public transport data",
            "grantor": world["hangzhou"].pk,
            "operator": world["operator"].pk,
            "data_domains": ["transport"],
            "scope": "Bus arrivals.",
            "authorization_mode": "",
            "selection_method": "",
            "term_start": TERM_START.isoformat(),
            "term_end": TERM_END.isoformat(),
            "occurred_on": "",
        },
    )
    assert added.status_code == 302, added.context and added.context["adminform"].form.errors
    license = License.objects.get(title="Public transport data")
    for action, day in (("list", LISTED_ON), ("grant", GRANTED_ON)):
        url = reverse("admin:licensing_license_transition", args=[license.pk, action])
        page = client.get(url)
        assert 'name="occurred_on"' in page.content.decode()
        license.refresh_from_db()
        done = client.post(url, {"version": license.version, "reason": "", "occurred_on": day.isoformat()})
        assert done.status_code == 302, done.context["form"].errors
    license.refresh_from_db()
    return license


@pytest.mark.parametrize("surface", ["api", "admin"])
def test_a_license_recorded_today_with_a_past_reads_as_it_was_on_every_day(world, client, surface):
    record = _record_through_the_api if surface == "api" else _record_through_the_admin
    license = record(world, client)
    assert license.status == "expired"
    # Numbered when it was first listed, in the year of that act's day (not of the day it was typed in).
    assert license.number.startswith(f"330100-{LISTED_ON.year}-")
    assert _verdicts(world["operator"], EXPECTED_VERDICTS) == EXPECTED_VERDICTS

    # The events API: each event on its true day, recorded today.
    events = APIClient().get(f"/api/v1/licenses/{license.number}/events/").json()["results"]
    public = [(e["action"], e["occurred_on"], e["effective_on"]) for e in events if e["action"] != "create"]
    assert public == [
        ("list", LISTED_ON.isoformat(), LISTED_ON.isoformat()),
        ("grant", GRANTED_ON.isoformat(), GRANTED_ON.isoformat()),
        ("activate", TERM_START.isoformat(), TERM_START.isoformat()),
        ("expire", "2024-10-15", "2024-10-15"),
    ]
    assert all(e["created_at"].startswith("2026-11-29") for e in events)
    assert all(e["corrects"] is None and e["corrected_by"] is None for e in events)

    # The page: the days they took effect, and that they were recorded only now.
    page = client.get(f"/licenses/{license.number}/", headers={"Accept-Language": "en"}).content.decode()
    assert re.search(
        r'<time datetime="2022-09-29">29 September 2022</time>, recorded '
        r'<time class="recorded" datetime="2026-11-29">29 November 2026</time>',
        page,
    )
    for day in ("1 September 2022", "15 October 2022", "15 October 2024"):
        assert day in page
    zh = client.get(f"/licenses/{license.number}/", headers={"Accept-Language": "zh-CN"}).content.decode()
    assert "2022年9月29日</time>，登记于" in zh

    # The feed: entries say the day the act took effect; `updated` is when it was recorded.
    feed = client.get(f"/licenses/{license.number}/feed.atom", headers={"Accept-Language": "en"})
    text = feed.content.decode()
    assert "Granted (29 September 2022)" in text
    assert "Came into force (15 October 2022)" in text
    assert "Granted 29 September 2022, recorded 29 November 2026." in text
    assert "<updated>2026-11-29T" in text


def test_the_home_page_orders_latest_changes_by_the_day_they_took_effect(world, client):
    old = _record_through_the_api(world)
    recent = factories.license_in("listed")
    page = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    changes = page[page.index('id="changes-heading"') :]
    assert changes.index(recent.number) < changes.index(old.number)
    assert "15 October 2024</time>, recorded" in changes


# Refused: the field is named, nothing is written -----------------------------------------------------


@pytest.fixture
def history(world):
    """The license above, and one in force today (granted on a past day, active since its start)."""
    ended = _record_through_the_api(world)
    with at(TODAY - D(days=20)):
        active = factories.draft(
            grantor=world["hangzhou"],
            operator=factories.operator(),
            term_start=TODAY - D(days=30),
            term_end=TODAY + D(days=300),
        )
        factories.lifecycle.transition(
            active, "grant", actor=None, expected_version=active.version, occurred_on=TODAY - D(days=40)
        )
        # Granted before its term starts; and one whose term ends before the sweep has run.
        waiting = factories.draft(grantor=world["hangzhou"], **factories.with_term(TODAY - D(days=5), 400))
        factories.lifecycle.transition(waiting, "grant", actor=None, expected_version=waiting.version)
        ending = factories.draft(grantor=world["hangzhou"], **factories.with_term(TODAY - D(days=60), 57))
        factories.lifecycle.transition(
            ending, "grant", actor=None, expected_version=ending.version, occurred_on=TODAY - D(days=60)
        )
    return {"ended": ended, "active": active, "waiting": waiting, "ending": ending}


def _snapshot(license):
    license.refresh_from_db()
    return (license.version, license.status, license.events.count(), LicenseEvent.objects.count())


REFUSED_WRITES = {
    "create in the future": ("post", "/api/v1/licenses/", None, {"occurred_on": "2026-11-30"}),
    "suspend before the previous event": (
        "post",
        "transitions/",
        "active",
        {"action": "suspend", "reason": "Audit.", "occurred_on": "2026-10-01"},
    ),
    "suspend in the future": (
        "post",
        "transitions/",
        "active",
        {"action": "suspend", "reason": "Audit.", "occurred_on": "2026-11-30"},
    ),
    "activation before the term starts": (
        "post",
        "transitions/",
        "waiting",
        {"action": "activate", "occurred_on": "2026-11-23"},
    ),
    "expiry not on the day after the term": (
        "post",
        "transitions/",
        "ending",
        {"action": "expire", "occurred_on": "2026-11-29"},
    ),
    "amendment before the previous event": (
        "patch",
        "",
        "active",
        {"scope": "Wider.", "reason": "Clause 4.", "occurred_on": "2026-10-15"},
    ),
    "renewal in the future": (
        "post",
        "renew/",
        "active",
        {"term_end": "2028-09-23", "occurred_on": "2026-12-25"},
    ),
    "product before the previous event": (
        "post",
        "products/",
        "active",
        {"name": "Bus API", "product_class": "public_welfare", "occurred_on": "2026-10-01"},
    ),
    "unknown field on a transition": (
        "post",
        "transitions/",
        "active",
        {"action": "suspend", "reason": "Audit.", "effective_on": "2026-11-01"},
    ),
}


@pytest.mark.parametrize("case", REFUSED_WRITES)
def test_bad_effective_days_are_400s_naming_the_field_with_nothing_written(world, history, case):
    method, path, which, data = REFUSED_WRITES[case]
    field = "effective_on" if "unknown" in case else "occurred_on"
    if which is None:
        license = history["active"]
        url = path
        data = {
            "title": "x",
            "grantor_id": world["hangzhou"].pk,
            "data_domains": ["transport"],
            "scope": "x",
            **data,
        }
        licenses = License.objects.count()
    else:
        license = history[which]
        url = f"/api/v1/licenses/{license.number}/{path}"
        data = {**data, "version": _snapshot(license)[0]}
    before = _snapshot(license)
    response = getattr(_api(world), method)(url, data, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    assert _snapshot(license) == before
    if which is None:
        assert License.objects.count() == licenses


def test_term_driven_actions_take_effect_on_the_day_the_term_makes_them_due(world, history):
    client = _api(world)
    waiting, ending = history["waiting"], history["ending"]
    ok = client.post(
        f"/api/v1/licenses/{waiting.number}/transitions/",
        {"action": "activate", "version": waiting.version, "occurred_on": "2026-11-24"},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    ok = client.post(
        f"/api/v1/licenses/{ending.number}/transitions/",
        {"action": "expire", "version": ending.version},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    assert ending.events.latest("id").occurred_on == ending.term_end + D(days=1)


def test_admin_forms_show_bad_days_on_the_field_and_write_nothing(world, client, history):
    client.force_login(world["users"]["inside"])
    active = history["active"]
    before = _snapshot(active)
    url = reverse("admin:licensing_license_transition", args=[active.pk, "suspend"])
    for day in ("2026-11-30", "2026-10-01"):
        response = client.post(url, {"version": active.version, "reason": "Audit.", "occurred_on": day})
        assert response.status_code == 200
        assert "occurred_on" in response.context["form"].errors
        assert _snapshot(active) == before
    change = reverse("admin:licensing_license_change", args=[active.pk])
    response = client.post(
        change,
        factories.admin_form_data(
            active, scope="Wider.", amendment_reason="Clause 4.", occurred_on="2026-10-01"
        ),
    )
    assert response.status_code == 200
    assert "occurred_on" in response.context["adminform"].form.errors
    renew = reverse("admin:licensing_license_renew", args=[active.pk])
    response = client.post(
        renew,
        {"version": active.version, "term_end": "2028-09-23", "reason": "", "occurred_on": "2026-12-25"},
    )
    assert response.status_code == 200
    assert "occurred_on" in response.context["form"].errors
    assert _snapshot(active) == before
    # Bulk: a future day is an error on the form before any license is tried.
    selection = {
        "action": "bulk_suspend",
        "_selected_action": [active.pk],
        f"_version_{active.pk}": active.version,
        "confirm": "yes",
        "reason": "Bulk audit.",
        "occurred_on": "2026-11-30",
    }
    response = client.post(reverse("admin:licensing_license_changelist"), selection)
    assert response.status_code == 200
    assert "occurred_on" in response.context["form"].errors
    assert _snapshot(active) == before
    # And a good past day goes through, on that day.
    done = client.post(
        reverse("admin:licensing_license_changelist"), {**selection, "occurred_on": "2026-11-20"}
    )
    assert done.status_code == 302
    active.refresh_from_db()
    assert active.status == "suspended"
    assert active.events.latest("id").occurred_on == datetime.date(2026, 11, 20)


# Corrections ---------------------------------------------------------------------------------------------


@pytest.fixture
def correct(world, django_capture_on_commit_callbacks):
    """POST a correction as `role`, with the license's current version unless given; what a commit does
    afterwards (the cache invalidation) runs as it would after a real one."""

    def post(license, event, role="inside", **data):
        license.refresh_from_db()
        data.setdefault("version", license.version)
        with django_capture_on_commit_callbacks(execute=True):
            return _api(world, role).post(
                f"/api/v1/licenses/{license.number}/events/{event.pk}/corrections/", data, format="json"
            )

    return post


def test_a_correction_moves_the_verdict_and_leaves_the_original_in_place(world, client, correct):
    license = _record_through_the_api(world)
    grant = license.events.get(action="grant")
    version = license.version
    corrected_on = datetime.date(2022, 10, 10)
    assert _verdicts(world["operator"], [datetime.date(2022, 10, 1)]) == {
        datetime.date(2022, 10, 1): "not_yet_in_force"
    }
    with at(TODAY + D(days=2)):
        response = correct(
            license,
            grant,
            occurred_on=corrected_on.isoformat(),
            reason="The decision is dated 10 October.",
        )
    assert response.status_code == 201, response.json()
    correction = response.json()
    assert (correction["action"], correction["corrects"], correction["occurred_on"]) == (
        "correct",
        grant.pk,
        corrected_on.isoformat(),
    )
    assert correction["changes"] == {"occurred_on": [GRANTED_ON.isoformat(), corrected_on.isoformat()]}
    license.refresh_from_db()
    assert license.version == version + 1

    # The verdict follows the corrected day.
    assert _verdicts(world["operator"], [datetime.date(2022, 10, 1), corrected_on]) == {
        datetime.date(2022, 10, 1): "listed",
        corrected_on: "not_yet_in_force",
    }
    # The event itself is unchanged; the API says what corrects it.
    grant.refresh_from_db()
    assert grant.occurred_on == GRANTED_ON
    events = {
        e["id"]: e for e in APIClient().get(f"/api/v1/licenses/{license.number}/events/").json()["results"]
    }
    assert events[grant.pk]["occurred_on"] == GRANTED_ON.isoformat()
    assert events[grant.pk]["effective_on"] == corrected_on.isoformat()
    assert events[grant.pk]["corrected_by"] == correction["id"]
    assert events[correction["id"]]["corrects"] == grant.pk
    feed_events = APIClient().get("/api/v1/events/").json()["results"]
    assert {e["id"]: e["effective_on"] for e in feed_events}[grant.pk] == corrected_on.isoformat()

    # The page: the original day struck through, the correction beside it.
    page = client.get(f"/licenses/{license.number}/", headers={"Accept-Language": "en"}).content.decode()
    item = page[page.index(f'id="event-{grant.pk}"') :]
    item = item[: item.index("</li>")]
    assert '<del><time datetime="2022-09-29">29 September 2022</time></del>' in item
    assert '<time datetime="2022-10-10">10 October 2022</time>' in item
    assert "Corrected on 1 December 2026:" in item
    assert "The decision is dated 10 October." in item
    # The feed has the correction as an entry of its own.
    with at(TODAY + D(days=2)):
        feed = client.get(f"/licenses/{license.number}/feed.atom", headers={"Accept-Language": "en"})
    text = feed.content.decode()
    assert "Corrected (10 October 2022)" in text
    assert "“Granted” took effect on 10 October 2022, not 29 September 2022." in text
    assert "Granted (10 October 2022)" in text


def test_a_correction_of_a_reason_keeps_the_day(world, client, correct):
    license = _record_through_the_api(world)
    grant = license.events.get(action="grant")
    response = correct(license, grant, corrected_reason="Selected by open tender.", reason="Omitted.")
    assert response.status_code == 201, response.json()
    assert response.json()["changes"] == {"reason": ["", "Selected by open tender."]}
    page = client.get(f"/licenses/{license.number}/", headers={"Accept-Language": "en"}).content.decode()
    assert "Selected by open tender." in page


REFUSED_CORRECTIONS = {
    "after the event that follows": ("grant", {"occurred_on": "2022-10-20"}, "occurred_on"),
    "before the event that precedes": ("grant", {"occurred_on": "2022-08-01"}, "occurred_on"),
    "in the future": ("expire", {"occurred_on": "2026-11-30"}, "occurred_on"),
    "activation before the term starts": ("activate", {"occurred_on": "2022-10-14"}, "occurred_on"),
    "expiry not on the day after the term": ("expire", {"occurred_on": "2024-10-16"}, "occurred_on"),
    "nothing to correct": ("grant", {"occurred_on": GRANTED_ON.isoformat()}, "occurred_on"),
    "a draft-stage event": ("create", {"occurred_on": "2022-08-01"}, "event"),
    "no reason": ("grant", {"occurred_on": "2022-10-01", "reason": ""}, "reason"),
    "an unknown field": ("grant", {"occurred_on": "2022-10-01", "day": "2022-10-01"}, "day"),
}


@pytest.mark.parametrize("case", REFUSED_CORRECTIONS)
def test_a_correction_that_breaks_the_history_is_refused_naming_the_field(world, case, correct):
    license = _record_through_the_api(world)
    action, data, field = REFUSED_CORRECTIONS[case]
    event = license.events.get(action=action)
    before = _snapshot(license)
    response = correct(license, event, **{"reason": "Checked the notice.", **data})
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    assert _snapshot(license) == before


def test_a_correction_needs_the_version_seen_and_a_regulator_in_scope(world, correct):
    license = _record_through_the_api(world)
    grant = license.events.get(action="grant")
    before = _snapshot(license)
    stale = correct(license, grant, occurred_on="2022-10-01", reason="x", version=1)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == license.version
    for role, status in (("anonymous", 401), ("outside", 403), ("auditor", 403)):
        response = correct(license, grant, role, occurred_on="2022-10-01", reason="x")
        assert response.status_code == status, role
    corrected = correct(license, grant, occurred_on="2022-10-01", reason="x")
    assert corrected.status_code == 201
    # A correction is not corrected itself: the event is corrected again.
    again = correct(
        license,
        LicenseEvent.objects.get(pk=corrected.json()["id"]),
        occurred_on="2022-10-02",
        reason="y",
    )
    assert again.status_code == 400
    assert before[2] + 1 == license.events.count()


def test_a_second_correction_wins_and_both_stay(world, correct):
    license = _record_through_the_api(world)
    grant = license.events.get(action="grant")
    assert correct(license, grant, occurred_on="2022-10-01", reason="x").status_code == 201
    assert correct(license, grant, occurred_on="2022-10-05", reason="y").status_code == 201
    annotated = LicenseEvent.objects.with_effective_day().get(pk=grant.pk)
    assert annotated.effective_on == datetime.date(2022, 10, 5)
    assert _verdicts(world["operator"], [datetime.date(2022, 10, 3)]) == {
        datetime.date(2022, 10, 3): "listed"
    }


def test_corrections_through_the_admin(world, client):
    license = _record_through_the_api(world)
    grant = license.events.get(action="grant")
    client.force_login(world["users"]["inside"])
    change = client.get(reverse("admin:licensing_license_change", args=[license.pk])).content.decode()
    url = reverse("admin:licensing_license_correct", args=[license.pk, grant.pk])
    assert url in change
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["occurred_on"] == GRANTED_ON
    license.refresh_from_db()
    refused = client.post(url, {"version": license.version, "occurred_on": "2022-10-20", "reason": "x"})
    assert refused.status_code == 200
    assert "occurred_on" in refused.context["form"].errors
    assert not LicenseEvent.objects.filter(action="correct").exists()
    done = client.post(
        url,
        {
            "version": license.version,
            "occurred_on": "2022-10-10",
            "corrected_reason": "",
            "reason": "Notice.",
        },
    )
    assert done.status_code == 302
    correction = LicenseEvent.objects.get(action="correct")
    assert correction.corrects == grant and correction.actor == world["users"]["inside"]
    timeline = client.get(reverse("admin:licensing_license_change", args=[license.pk])).content.decode()
    assert "<del>2022-09-29</del> 2022-10-10" in timeline
    # Another jurisdiction's regulator cannot see the page at all.
    client.force_login(world["users"]["outside"])
    assert client.get(url).status_code == 404


def test_the_schema_documents_effective_days_and_corrections(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/licenses/{number}/events/{event_id}/corrections/" in schema["paths"]
    components = schema["components"]["schemas"]
    for name in (
        "TransitionRequest",
        "RenewRequest",
        "LicenseCreateRequest",
        "PatchedLicenseUpdateRequest",
        "ProductWriteRequest",
        "PatchedProductUpdateRequest",
    ):
        assert "occurred_on" in components[name]["properties"], name
    assert {"effective_on", "corrects", "corrected_by"} <= set(components["LicenseEvent"]["properties"])
    assert {"occurred_on", "corrected_reason", "reason", "version"} == set(
        components["CorrectionRequest"]["properties"]
    )


def test_a_renewal_recorded_late_ends_the_license_as_renewed_on_its_day(
    world, django_capture_on_commit_callbacks
):
    license = _record_through_the_api(world)  # expired on 2024-10-15, the day after its term
    client = _api(world)
    late = client.post(
        f"/api/v1/licenses/{license.number}/renew/",
        {"term_end": "2026-10-14", "version": license.version, "occurred_on": "2025-01-01"},
        format="json",
    )
    assert late.status_code == 400  # decided after the term had ended: no renewal of it
    assert "action" in late.json()["errors"]
    renewed = client.post(
        f"/api/v1/licenses/{license.number}/renew/",
        {"term_end": "2027-10-14", "version": license.version, "occurred_on": "2024-06-01"},
        format="json",
    )
    assert renewed.status_code == 201, renewed.json()
    successor = License.objects.get(number=renewed.json()["number"])
    assert successor.number.startswith("330100-2024-")
    license.refresh_from_db()
    assert license.status == "renewed"
    assert list(license.events.order_by("id").values_list("action", "to_status", "occurred_on"))[-3:] == [
        ("expire", "expired", datetime.date(2024, 10, 15)),
        ("renew", "active", datetime.date(2024, 6, 1)),
        ("expire", "renewed", datetime.date(2024, 10, 15)),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        sweep.transition_due([successor.pk], "activate")
    days = [datetime.date(2024, 6, 1), TERM_END, TERM_END + D(days=1), TODAY]
    assert _verdicts(world["operator"], days) == dict.fromkeys(days, "licensed")
    on_day = APIClient().get("/api/v1/verify/", {"uscc": world["operator"].uscc, "on": "2024-10-15"}).json()
    assert {item["number"]: item["status_on_day"] for item in on_day["licenses"]} == {
        license.number: "renewed",
        successor.number: "active",
    }


def test_a_live_listing_is_listed_not_withdrawn_in_both_languages(world, client):
    factories.license_in("listed", operator=world["operator"])
    page = client.get("/verify/", {"q": world["operator"].uscc}, headers={"Accept-Language": "en"})
    html = page.content.decode()
    assert "Listed, not licensed yet" in html and "Listed, then withdrawn" not in html
    zh = client.get("/verify/", {"q": world["operator"].uscc}, headers={"Accept-Language": "zh-CN"})
    assert "已挂牌，尚未授权" in zh.content.decode()


def test_the_status_panel_says_the_corrected_day(world, client, history, correct):
    active = history["active"]
    suspended = _api(world).post(
        f"/api/v1/licenses/{active.number}/transitions/",
        {"action": "suspend", "reason": "Audit.", "version": active.version, "occurred_on": "2026-11-19"},
        format="json",
    )
    assert suspended.status_code == 200, suspended.json()
    suspension = active.events.get(action="suspend")
    assert (
        correct(
            active, suspension, occurred_on="2026-11-21", reason="The order is dated 21 November."
        ).status_code
        == 201
    )
    page = client.get(f"/licenses/{active.number}/", headers={"Accept-Language": "en"}).content.decode()
    assert "Suspended on 21 November 2026" in page
