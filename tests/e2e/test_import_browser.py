"""A regulator imports the example file in a real browser: a deliberate error first, then the fixed file,
then the licenses on the public pages with the days of their past acts."""

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from licensing.demo import load_demo
from licensing.models import Authority, License, Regulator

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password-42"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "import-example.xlsx"


def test_a_regulator_fixes_the_example_file_imports_it_and_finds_the_licenses_public(
    live_server, page, tmp_path
):
    load_demo()
    user = factories.user("zhejiang", is_staff=True, password=PASSWORD)
    Regulator.objects.create(
        user=user, authority=Authority.objects.get(division_code="330000"), contact_email="z@example.test"
    )
    # The deliberate error: row 3's operator code with a wrong check character.
    book = openpyxl.load_workbook(EXAMPLE)
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=3, column=headers.index("运营机构统一社会信用代码") + 1)
    right = cell.value
    cell.value = right[:17] + ("0" if right[17] != "0" else "1")
    broken = tmp_path / "import-example.xlsx"
    book.save(broken)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "zhejiang")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/licensing/license/")
    page.get_by_role("link", name="Import licenses").click()
    page.set_input_files("#id_file", str(broken))
    page.get_by_role("button", name="Check the file").click()

    expect(page.locator("#import-progress")).to_contain_text("Rows checked: 10")
    problems = page.locator("#import-problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("3")
    expect(problems.first).to_contain_text("运营机构统一社会信用代码")
    expect(problems.first).to_contain_text(f"The check character should be '{right[17]}'")
    expect(page.locator("#import-confirm")).to_have_count(0)
    assert not License.objects.filter(title__contains="（示例").filter(imported__isnull=False).exists()

    # The fixed file (the example as published), uploaded from the preview's own form.
    page.set_input_files("#id_file", str(EXAMPLE))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-problems")).to_have_count(0)
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".messagelist")).to_contain_text("10 licenses created")

    license = License.objects.get(title="杭州市文化旅游公共数据授权运营（示例）")
    assert license.status == "active" and license.number.startswith("330100-2024-")
    page.goto(f"{live_server.url}/licenses/?q=示例")
    expect(page.locator("main")).to_contain_text("杭州市文化旅游公共数据授权运营（示例）")
    page.goto(f"{live_server.url}/licenses/{license.number}/")
    timeline = page.locator("main")
    for day in ("2024-01-20", "2024-03-01", "2024-03-15"):
        expect(timeline.locator(f"time[datetime='{day}']").first).to_be_attached()
    revoked = License.objects.get(title="杭州市气象服务公共数据授权运营（示例）")
    page.goto(f"{live_server.url}/licenses/{revoked.number}/")
    expect(page.locator("main")).to_contain_text("运营机构超出授权范围向第三方提供原始数据。")
    expect(page.locator("main time[datetime='2024-06-30']").first).to_be_attached()
