"""Under the Content-Security-Policy, in a real browser: the API docs (Swagger UI, by nonce) still load
the schema and list the endpoints, and the public pages and the admin break no rule of the policy."""

import pytest
from playwright.sync_api import expect

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password-42"


def _listen(page) -> list[str]:
    """Console messages that report a policy violation, and uncaught script errors, as the pages load."""
    messages = []

    def console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            messages.append(f"{message.type}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return messages


def test_the_api_docs_work_under_the_policy(live_server, page):
    messages = _listen(page)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Public-Data Operating License Registry API"
    )
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.get_by_text("/api/v1/licenses/", exact=True).first).to_be_visible()
    assert messages == []


def test_public_pages_and_the_admin_break_no_rule_of_the_policy(live_server, page):
    license = factories.license_in("active", title="Metro ridership")
    factories.user("root", is_staff=True, is_superuser=True, password=PASSWORD)
    messages = _listen(page)
    for path in (
        "/",
        "/licenses/",
        "/licenses/?q=Metro",
        f"/licenses/{license.number}/",
        "/verify/",
        "/findings/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main")).to_be_visible()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    for path in ("/admin/", "/admin/licensing/license/", f"/admin/licensing/license/{license.pk}/change/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
    # The language switch, now a script file rather than an inline handler, still switches at once.
    page.select_option("#admin-language", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert messages == []
