"""Email alerts in a real browser: a reader asks for alerts on a license's page, follows the confirmation
link of the captured email, a regulator suspends the license in the admin, and the day's digest arrives
with the change; its unsubscribe link ends the alerts."""

import re

import pytest
from playwright.sync_api import expect

from licensing.models import Regulator
from licensing.sweep import run_full_sweep

from .. import factories
from ..outbox_support import celery_conf
from .test_public_finish_browser import AXE

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password-42"
READER = "reader@example.org"


def _serious_violations(page) -> list[str]:
    violations = AXE.run(page).response["violations"]
    return [f"{page.url}: {v['id']}" for v in violations if v["impact"] in ("serious", "critical")]


def _link(email, kind) -> str:
    return re.search(rf"https?://\S+/alerts/{kind}/\S+/", email.body).group(0)


def test_subscribe_confirm_change_in_the_admin_and_the_digest_arrives(
    live_server, page, mailoutbox, settings
):
    settings.SITE_URL = live_server.url
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    user = factories.user("hangzhou", is_staff=True, password=PASSWORD)
    Regulator.objects.create(user=user, authority=hangzhou, contact_email="hangzhou@example.test")
    license = factories.license_in("active", grantor=hangzhou, title="Metro ridership")

    with celery_conf(task_always_eager=True):
        # The reader asks on the license's page; the answer says nothing of the address.
        page.goto(f"{live_server.url}/licenses/{license.number}/")
        form = page.locator(".alert-signup")
        form.get_by_label("Email address").fill(READER)
        form.get_by_label("Language of the emails").select_option("en")
        form.get_by_role("button", name="Get alerts").click()
        expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text(READER)
        problems = _serious_violations(page)
        (confirmation,) = [email for email in mailoutbox if email.to == [READER]]

        page.goto(_link(confirmation, "confirm"))
        problems += _serious_violations(page)
        page.get_by_role("button", name="Confirm my email alerts").click()
        expect(page.get_by_role("heading", name="Alerts confirmed")).to_be_visible()

        # A regulator suspends the license in the admin.
        admin = page.context.browser.new_context(locale="en-US").new_page()
        admin.goto(f"{live_server.url}/admin/login/")
        admin.fill("#id_username", "hangzhou")
        admin.fill("#id_password", PASSWORD)
        admin.click("input[type=submit]")
        admin.goto(f"{live_server.url}/admin/licensing/license/{license.pk}/change/")
        admin.get_by_role("link", name="Suspend", exact=True).click()
        admin.get_by_label("Reason").fill("Security review after a reported data incident.")
        admin.get_by_role("button", name="Confirm: Suspend").click()
        expect(admin.locator(".messagelist")).to_contain_text("the license is now Suspended")

        # The sweep builds the day's digest and the outbox sends it.
        run_full_sweep()
    digest = [email for email in mailoutbox if email.to == [READER]][-1]
    assert digest is not confirmation
    assert digest.subject == f"1 change in the license registry: {license.number} “Metro ridership”"
    assert "Suspended, effective" in digest.body
    assert "Security review after a reported data incident." in digest.body

    # Its unsubscribe link (what a mail client's button posts to) ends the alerts.
    unsubscribe = re.fullmatch(r"<(\S+)>", digest.extra_headers["List-Unsubscribe"]).group(1)
    page.goto(unsubscribe)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="Unsubscribed")).to_be_visible()
    page.get_by_role("link", name="Manage your other alerts").click()
    expect(page.get_by_text("No alerts are in effect for this address.")).to_be_visible()
    problems += _serious_violations(page)
    assert problems == []
