"""The regulators' license admin as a regulator uses it: list, edit, act, renew, bulk, export, dashboard."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing import lifecycle
from licensing.dates import local_today
from licensing.models import License, Regulator

from . import admin_forms, factories

pytestmark = pytest.mark.django_db
D = datetime.timedelta
CHANGELIST = "admin:licensing_license_changelist"


@pytest.fixture
def hangzhou():
    return factories.authority("330100", name="杭州市数据资源管理局")


@pytest.fixture
def regulator(client, hangzhou):
    user = factories.user("hz", is_staff=True, first_name="Li", last_name="Na")
    Regulator.objects.create(user=user, authority=hangzhou, contact_email="hz@example.test")
    client.force_login(user)
    return user


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _change(license):
    return reverse("admin:licensing_license_change", args=[license.pk])


def _transition(license, action):
    return reverse("admin:licensing_license_transition", args=[license.pk, action])


# The change list -----------------------------------------------------------------------------------------


def test_change_list_shows_badges_days_left_and_ended(client, regulator, hangzhou):
    today = local_today()
    soon = factories.draft(grantor=hangzhou, **factories.with_term(today - D(days=30), 40))
    lifecycle.transition(soon, "grant", actor=None, expected_version=soon.version)
    ended = factories.license_in("revoked", grantor=hangzhou)
    response = client.get(reverse(CHANGELIST))
    row = _row(response.text, soon.number)
    assert 'class="status-tag status-active"' in row
    assert re.search(
        r'<td class="field-days_left"><span class="phone-label">days left: </span>10<input type="hidden" '
        r'name="_version_',
        row,
    ), row
    assert "ended" in _row(response.text, ended.number)


def _row(html, number):
    start = html.index(number)
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(("days", "expected"), [("7", {5}), ("30", {5, 20}), ("90", {5, 20, 80})])
def test_expires_within_filter(client, regulator, hangzhou, days, expected):
    today = local_today()
    by_days = {}
    for left in (5, 20, 80, 200):
        license = factories.draft(grantor=hangzhou, **factories.with_term(today - D(days=10), 10 + left))
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
        by_days[left] = license.number
    response = client.get(reverse(CHANGELIST) + f"?expires_within={days}")
    shown = {left for left, number in by_days.items() if number in response.text}
    assert shown == expected


def test_search_by_uscc_in_any_form(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    other = factories.license_in("active", grantor=hangzhou)
    typed = " ".join(license.operator.uscc.lower()).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    response = client.get(reverse(CHANGELIST), {"q": typed})
    assert license.number in response.text
    assert other.number not in response.text


def test_change_list_queries_do_not_grow_with_rows(client, regulator, hangzhou):
    factories.license_in("active", grantor=hangzhou)
    url = reverse(CHANGELIST)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(15):
        factories.license_in("active", grantor=hangzhou)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["cl"].result_count == 16
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


# Edits through the form ----------------------------------------------------------------------------------


def test_editing_a_draft_records_the_diff(client, regulator, hangzhou):
    license = factories.draft(grantor=hangzhou, title="Old")
    response = client.post(_change(license), admin_forms.admin_form_data(license, title="New title"))
    assert response.status_code == 302
    event = license.events.latest("id")
    assert (event.action, event.changes, event.actor) == ("edit", {"title": ["Old", "New title"]}, regulator)


def test_amendment_needs_a_reason_shown_on_the_page_and_nothing_written(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    version = license.version
    response = client.post(_change(license), admin_forms.admin_form_data(license, scope="Wider."))
    assert response.status_code == 200
    assert "give its reason" in response.text
    license.refresh_from_db()
    assert (license.version, license.scope) == (version, license.scope)
    response = client.post(
        _change(license), admin_forms.admin_form_data(license, scope="Wider.", amendment_reason="Clause 4.")
    )
    assert response.status_code == 302
    event = license.events.latest("id")
    assert (event.action, event.reason) == ("amend", "Clause 4.")


def test_term_over_the_maximum_is_an_error_on_the_page(client, regulator, hangzhou):
    license = factories.draft(grantor=hangzhou)
    start = local_today()
    response = client.post(
        _change(license),
        admin_forms.admin_form_data(
            license, term_start=start.isoformat(), term_end=(start + D(days=6 * 365)).isoformat()
        ),
    )
    assert response.status_code == 200
    assert "give the reason for the exception" in response.text
    license.refresh_from_db()
    assert (license.term_start, license.version) == (None, 1)


def test_stale_version_in_the_form_is_refused_and_nothing_written(client, regulator, hangzhou):
    license = factories.draft(grantor=hangzhou, title="Mine")
    lifecycle.edit(license, {"title": "Theirs"}, actor=None, expected_version=1)
    response = client.post(
        _change(license),
        admin_forms.admin_form_data(license, title="Mine again", seen_version=1),
    )
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in response.text
    license.refresh_from_db()
    assert license.title == "Theirs"


def test_adding_a_license_creates_a_draft_with_a_reference_and_no_number(client, regulator, hangzhou):
    response = client.post(
        reverse("admin:licensing_license_add"),
        {
            "title": "New draft",
            "grantor": hangzhou.pk,
            "data_domains": ["transport"],
            "scope": "Bus data.",
            "authorization_mode": "",
            "selection_method": "",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    license = License.objects.get(title="New draft")
    assert license.number is None and license.reference.startswith("R")
    assert license.events.get().actor == regulator
    assert list(license.data_domains.values_list("code", flat=True)) == ["transport"]


def test_grantor_choices_are_limited_to_the_jurisdiction(client, regulator, hangzhou):
    elsewhere = factories.authority("430400", name="衡阳市行政审批服务局")
    response = client.get(reverse("admin:licensing_license_add"))
    # The lead grantor's choices (co-grantors may lie in any jurisdiction: they only read).
    grantor_select = re.search(r'<select name="grantor".*?</select>', response.text, re.S).group()
    assert hangzhou.name in grantor_select
    assert elsewhere.name not in grantor_select
    response = client.post(
        reverse("admin:licensing_license_add"), {"title": "Sneaky", "grantor": elsewhere.pk, "scope": "x"}
    )
    assert response.status_code == 200
    assert not License.objects.filter(title="Sneaky").exists()


# Lifecycle actions ---------------------------------------------------------------------------------------


def test_change_page_offers_exactly_the_allowed_actions_and_a_newest_first_timeline(
    client, regulator, hangzhou
):
    license = factories.license_in("suspended", grantor=hangzhou)
    response = client.get(_change(license))
    offered = set(re.findall(r"/transition/(\w+)/\?version=", response.text))
    assert offered == {"reinstate", "revoke", "terminate"}
    timeline = response.text[response.text.index("license-timeline") :]
    assert timeline.index("Suspended") < timeline.index("Granted")  # newest first
    assert "Security review pending." in timeline


def test_transition_needs_its_reason_and_writes_nothing_without(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    page = client.get(_transition(license, "suspend") + f"?version={license.version}")
    assert page.status_code == 200 and 'name="reason"' in page.text
    response = client.post(_transition(license, "suspend"), {"version": license.version, "reason": "  "})
    assert response.status_code == 200
    assert "This field is required" in response.text
    license.refresh_from_db()
    assert license.status == "active"
    response = client.post(_transition(license, "suspend"), {"version": license.version, "reason": "Audit."})
    assert response.status_code == 302
    license.refresh_from_db()
    assert license.status == "suspended"
    assert license.events.latest("id").actor == regulator


def test_transition_with_a_stale_version_says_so_and_writes_nothing(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    seen = license.version
    lifecycle.edit(license, {"scope": "Changed."}, actor=None, expected_version=seen, reason="Other tab.")
    response = client.post(_transition(license, "suspend"), {"version": seen, "reason": "Audit."})
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in response.text
    license.refresh_from_db()
    assert license.status == "active"


def test_action_not_allowed_from_the_state_is_shown_on_the_page(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    response = client.post(_transition(license, "reinstate"), {"version": license.version, "reason": "x"})
    assert response.status_code == 200
    assert "cannot be given the action" in response.text
    assert client.get(_transition(license, "explode")).status_code == 404


def test_renewal_asks_for_the_new_term_and_links_the_successor(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    url = reverse("admin:licensing_license_renew", args=[license.pk])
    page = client.get(url + f"?version={license.version}")
    assert (license.term_end + D(days=1)).isoformat() in page.text
    end = license.term_end + D(days=730)
    response = client.post(url, {"version": license.version, "term_end": end.isoformat(), "reason": ""})
    assert response.status_code == 302
    successor = License.objects.get(predecessor=license)
    assert response["Location"] == _change(successor)
    assert license.number in client.get(_change(successor)).text
    assert successor.number in client.get(_change(license)).text


# Bulk actions --------------------------------------------------------------------------------------------


def test_bulk_suspend_carries_each_rows_version_and_reports_per_license(client, regulator, hangzhou):
    fresh = factories.license_in("active", grantor=hangzhou)
    stale = factories.license_in("active", grantor=hangzhou)
    listing = client.get(reverse(CHANGELIST))
    versions = dict(re.findall(r'name="_version_(\d+)" value="(\d+)"', listing.text))
    assert versions[str(fresh.pk)] == str(fresh.version)
    lifecycle.edit(
        stale, {"scope": "Changed meanwhile."}, actor=None, expected_version=stale.version, reason="r"
    )
    selection = {"action": "bulk_suspend", "_selected_action": [fresh.pk, stale.pk]}
    selection |= {f"_version_{pk}": version for pk, version in versions.items()}
    confirm = client.post(reverse(CHANGELIST), selection)
    assert confirm.status_code == 200
    assert 'name="confirm"' in confirm.text and fresh.number in confirm.text
    done = client.post(reverse(CHANGELIST), selection | {"confirm": "yes", "reason": "Bulk audit."})
    assert done.status_code == 302
    report = _messages(done)
    assert any(fresh.number in m and "done" in m for m in report)
    assert any(stale.number in m and "changed by someone else" in m for m in report)
    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert (fresh.status, stale.status) == ("suspended", "active")
    assert fresh.events.latest("id").reason == "Bulk audit."


def test_bulk_action_without_reason_asks_again(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    post = {
        "action": "bulk_revoke",
        "_selected_action": [license.pk],
        f"_version_{license.pk}": license.version,
    }
    response = client.post(reverse(CHANGELIST), post | {"confirm": "yes", "reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.text
    license.refresh_from_db()
    assert license.status == "active"


# Export and dashboard ------------------------------------------------------------------------------------


def test_export_streams_the_filtered_list_as_csv(client, regulator, hangzhou):
    active = factories.license_in("active", grantor=hangzhou, data_domains=["transport", "health"])
    factories.license_in("revoked", grantor=hangzhou)
    factories.license_in("active", grantor=factories.authority("430400"))
    response = client.get(reverse("admin:licensing_license_export") + "?status__exact=active")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["number", "title", "status"]
    assert [row[0] for row in rows[1:]] == [active.number]
    assert rows[1][7] == "health;transport"
    assert rows[1][6] == active.operator.uscc


def test_export_with_an_unknown_filter_is_a_clear_400(client, regulator):
    response = client.get(reverse("admin:licensing_license_export") + "?nonsense__in=1")
    assert response.status_code == 400


def test_dashboard_counts_the_jurisdiction_and_lists_expiries(client, regulator, hangzhou):
    with time_machine.travel(datetime.datetime(2026, 11, 29, 10, tzinfo=datetime.UTC), tick=False):
        today = local_today()
        expiring = factories.draft(grantor=hangzhou, **factories.with_term(today - D(days=10), 40))
        lifecycle.transition(expiring, "grant", actor=None, expected_version=expiring.version)
        factories.license_in("draft", grantor=hangzhou)
        factories.license_in("active", grantor=factories.authority("430400"))
        response = client.get(reverse("admin:index"))
    dashboard = response.text[
        response.text.index("license-dashboard") : response.text.index("license-expiring")
    ]
    counts = dict(re.findall(r"status-(\w+)\">[^<]*</span></a></th>\s*<td class=\"count\">(\d+)", dashboard))
    assert counts["active"] == "1" and counts["draft"] == "1" and counts["revoked"] == "0"
    expiring_part = response.text[response.text.index("license-expiring") :]
    assert expiring.number in expiring_part and ">30<" in expiring_part


# Login protection ----------------------------------------------------------------------------------------


def test_repeated_failed_logins_are_locked_out(client, settings):
    user = factories.user("target", is_staff=True, password="right-password-123")
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "target", "password": "wrong"})
    response = client.post(url, {"username": "target", "password": "right-password-123"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session
    assert user.pk
