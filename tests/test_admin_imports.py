"""The admin's import pages from the outside: upload, preview with every problem by row and column,
confirm; who may reach them (anonymous, auditor, another jurisdiction's regulator); the templates."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from licensing import import_template
from licensing.access import AUDITORS_GROUP
from licensing.models import License, LicenseImport, Operator, Regulator

from . import factories
from .test_imports import good_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

ADD = reverse("admin:licensing_licenseimport_add")
CONFIRM = reverse("admin:licensing_licenseimport_confirm")


@pytest.fixture
def users():
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    hunan = factories.authority("430000", name="湖南省数据局")
    users = {"anonymous": None}
    for name, authority in (("inside", hangzhou), ("outside", hunan)):
        users[name] = factories.user(name, is_staff=True)
        Regulator.objects.create(user=users[name], authority=authority, contact_email=f"{name}@example.test")
    users["auditor"] = factories.user("auditor", is_staff=True)
    users["auditor"].groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    users["superuser"] = factories.user("root", is_staff=True, is_superuser=True)
    return users


def _as(client, users, role):
    if users[role] is not None:
        client.force_login(users[role])
    return client


def upload(client, rows, name="licenses.csv"):
    return client.post(ADD, {"file": SimpleUploadedFile(name, import_template.csv_bytes(rows))})


def _login_redirect(response):
    return response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", "login"), ("auditor", 403), ("outside", 200), ("inside", 200), ("superuser", 200)],
)
def test_who_reaches_the_upload_page_and_the_templates(client, users, role, expected):
    client = _as(client, users, role)
    for url in (ADD, reverse("admin:licensing_licenseimport_template", args=["xlsx"])):
        response = client.get(url)
        assert _login_redirect(response) if expected == "login" else response.status_code == expected
    response = client.post(CONFIRM, {"sha256": "0" * 64})
    assert _login_redirect(response) if expected == "login" else response.status_code in {expected, 302}


def test_the_license_list_links_to_the_import_for_those_who_may_import(client, users):
    changelist = reverse("admin:licensing_license_changelist")
    assert ADD in _as(client, users, "inside").get(changelist).content.decode()
    client.logout()
    assert ADD not in _as(client, users, "auditor").get(changelist).content.decode()


def test_the_templates_download_with_the_template_headers(client, users):
    client = _as(client, users, "inside")
    response = client.get(reverse("admin:licensing_licenseimport_template", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == import_template.headers()
    response = client.get(reverse("admin:licensing_licenseimport_template", args=["csv"]))
    assert response.content == import_template.csv_bytes()
    assert client.get(reverse("admin:licensing_licenseimport_template", args=["pdf"])).status_code == 404


def test_upload_preview_confirm_writes_the_licenses(client, users):
    client = _as(client, users, "inside")
    preview = upload(client, [good_row()])
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Rows checked: 1. Would be written: 1 new licenses" in page
    assert not License.objects.exists()
    sha256 = preview.context["confirm"].initial["sha256"]

    response = client.post(CONFIRM, {"sha256": sha256})

    record = LicenseImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:licensing_licenseimport_change", args=[record.pk])
    assert License.objects.get().imported.first_import == record
    followed = client.get(response["Location"])
    assert "1 rows checked and written" in followed.content.decode()
    # Confirming again: the upload is no longer kept, nothing more is written.
    again = client.post(CONFIRM, {"sha256": sha256}, follow=True)
    assert "upload it again" in again.content.decode()
    assert LicenseImport.objects.count() == 1


def test_the_preview_names_each_problem_by_row_and_column_and_offers_no_confirmation(client, users):
    client = _as(client, users, "inside")
    bad = good_row(reference="2", operator_uscc=good_row()["operator_uscc"][:17] + "0")
    response = upload(client, [good_row(), bad])
    assert response.context["problems"] == [
        (3, "运营机构统一社会信用代码", response.context["problems"][0][2])
    ]
    assert "The check character should be" in response.context["problems"][0][2]
    assert 'id="import-confirm"' not in response.content.decode()
    assert not License.objects.exists() and not Operator.objects.exists()


def test_a_bad_file_is_a_form_error(client, users):
    client = _as(client, users, "inside")
    response = client.post(ADD, {"file": SimpleUploadedFile("x.txt", b"hello")})
    assert response.status_code == 200 and "must be a .csv or .xlsx" in response.content.decode()
    response = client.post(ADD, {"file": SimpleUploadedFile("x.csv", b"colour\nred\n")})
    assert "Unknown columns: colour" in response.content.decode()
    assert client.post(CONFIRM, {"sha256": "not-hex"}).status_code == 302


def test_another_jurisdictions_regulator_sees_every_row_refused_and_cannot_confirm(client, users):
    client = _as(client, users, "outside")
    response = upload(client, [good_row()])
    problems = response.context["problems"]
    assert [(row, column) for row, column, _message in problems] == [(2, "授权主体行政区划代码")]
    assert "outside your jurisdiction" in problems[0][2]
    client.post(CONFIRM, {"sha256": response.context["confirm"].initial["sha256"]})
    assert not License.objects.exists() and not LicenseImport.objects.exists()


def test_the_list_of_imports_shows_a_regulator_their_own(client, users, django_assert_num_queries):
    for role in ("inside", "superuser"):
        client.force_login(users[role])
        upload(client, [good_row(reference=role)], name=f"{role}.csv")
        preview = upload(client, [good_row(reference=role)], name=f"{role}.csv")
        client.post(CONFIRM, {"sha256": preview.context["confirm"].initial["sha256"]})
    assert LicenseImport.objects.count() == 2
    changelist = reverse("admin:licensing_licenseimport_changelist")
    client.force_login(users["inside"])
    with django_assert_num_queries(8):
        page = client.get(changelist).content.decode()
    assert "inside.csv" in page and "superuser.csv" not in page
    client.force_login(users["auditor"])
    page = client.get(changelist).content.decode()
    assert "inside.csv" in page and "superuser.csv" in page
