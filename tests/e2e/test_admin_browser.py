"""A regulator's day in the admin, in a real browser."""

import datetime

import pytest
from playwright.sync_api import expect

from licensing import lifecycle
from licensing.dates import local_today
from licensing.models import Regulator

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password-42"


def _regulator(username, authority):
    user = factories.user(username, is_staff=True, password=PASSWORD)
    Regulator.objects.create(user=user, authority=authority, contact_email=f"{username}@example.test")
    return user


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#license-dashboard")).to_be_visible()


def test_regulator_filters_suspends_with_a_reason_and_sees_the_timeline(live_server, page, browser):
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    hunan = factories.authority("430000", name="湖南省数据局")
    _regulator("hangzhou", hangzhou)
    _regulator("hunan", hunan)
    today = local_today()
    soon = factories.draft(
        grantor=hangzhou,
        title="Metro ridership",
        **factories.with_term(today - datetime.timedelta(days=100), 120),
    )
    later = factories.draft(
        grantor=hangzhou,
        title="Bus arrivals",
        **factories.with_term(today - datetime.timedelta(days=100), 400),
    )
    for license in (soon, later):
        lifecycle.transition(license, "grant", actor=None, expected_version=license.version)

    _log_in(page, live_server.url, "hangzhou")
    page.goto(f"{live_server.url}/admin/licensing/license/")
    page.get_by_role("link", name="30 days").click()
    results = page.locator("#result_list")
    expect(results).to_contain_text(soon.number)
    expect(results).not_to_contain_text(later.number)

    page.get_by_role("link", name=soon.number).click()
    page.get_by_role("link", name="Suspend", exact=True).click()
    page.get_by_label("Reason").fill("Security review after a reported data incident.")
    page.get_by_role("button", name="Confirm: Suspend").click()
    expect(page.locator(".messagelist")).to_contain_text("the license is now Suspended")
    timeline = page.locator(".license-timeline li").first
    expect(timeline).to_contain_text("Suspend")
    expect(timeline).to_contain_text("Security review after a reported data incident.")
    license_url = page.url

    other = browser.new_context(locale="en-US").new_page()
    _log_in(other, live_server.url, "hunan")
    response = other.goto(license_url)
    assert response.status == 404
    soon.refresh_from_db()
    assert soon.status == "suspended"


def test_transition_without_its_reason_shows_an_error_and_changes_nothing(live_server, page):
    hangzhou = factories.authority("330100")
    _regulator("hangzhou", hangzhou)
    license = factories.license_in("active", grantor=hangzhou)
    _log_in(page, live_server.url, "hangzhou")
    page.goto(f"{live_server.url}/admin/licensing/license/{license.pk}/change/")
    page.get_by_role("link", name="Revoke", exact=True).click()
    page.get_by_role("button", name="Confirm: Revoke").click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".errorlist")).to_contain_text("This field is required")
    license.refresh_from_db()
    assert license.status == "active"
