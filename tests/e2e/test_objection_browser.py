"""An objection's way through, in a real browser: filed on the public page with a PDF, found in the
regulator's queue, upheld, and the registration shown terminated on its public page."""

import pytest
from playwright.sync_api import expect

from licensing.models import Regulator

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password-42"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_objection_filed_queued_upheld_and_shown_terminated(live_server, page, tmp_path):
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    user = factories.user("hangzhou", is_staff=True, password=PASSWORD)
    Regulator.objects.create(user=user, authority=hangzhou, contact_email="hangzhou@example.test")
    reg = factories.registration_in(
        "in_notice", license=factories.registrable_license(grantor=hangzhou), name="公交到站数据"
    )
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(PDF)
    not_a_pdf = tmp_path / "renamed.pdf"
    not_a_pdf.write_bytes(b"GIF89a not a pdf at all")

    # The public notice list, then the form; a file that only says .pdf is refused first.
    page.goto(f"{live_server.url}/registrations/")
    expect(page.get_by_text("公交到站数据")).to_be_visible()
    page.get_by_role("link", name="Object to this registration").click()
    page.get_by_label("Your real name").fill("张三")
    page.get_by_label("How to reach you").fill("zhang@example.org")
    page.get_by_label("Reasons").fill("The bus data belongs to another department.")
    page.get_by_label("Evidence").set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="File the objection").click()
    expect(page.locator(".error-summary")).to_contain_text("must be a PDF, JPEG or PNG file")
    page.get_by_label("Evidence").set_input_files(str(evidence))
    page.get_by_role("button", name="File the objection").click()
    expect(page.get_by_role("heading", name="Objection filed")).to_be_visible()

    # The regulator's queue: the objection, with its evidence; upheld with reasons.
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "hangzhou")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/licensing/objection/")
    page.locator("#result_list").get_by_role("link", name="公交到站数据").click()
    expect(page.get_by_text("The bus data belongs to another department.")).to_be_visible()
    page.get_by_role("link", name="Uphold: terminate the registration").click()
    page.get_by_label("Reasons for the decision").fill("The evidence shows the data is not the registrant's.")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messagelist")).to_contain_text("The objection has been decided.")

    # The public page says so.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/registrations/{reg.pk}/")
    expect(page.locator(".status-panel")).to_contain_text("Terminated (objection upheld)")
    expect(page.get_by_text("The evidence shows the data is not the registrant's.")).to_be_visible()
