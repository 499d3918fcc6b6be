"""The registrations' public pages as a visitor meets them: the notice list with each last day, the
objection form (content-checked evidence, CSRF, throttle), the query-code lookup, and who sees what."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from licensing import registrations
from licensing.models import Objection, Regulator
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _objection_data(evidence: bytes = PDF, name: str = "evidence.pdf", **overrides) -> dict:
    data = {
        "name": "张三",
        "contact": "zhang@example.org",
        "reasons": "The data belongs to another department.",
        "evidence": SimpleUploadedFile(name, evidence),
    }
    data.update(overrides)
    return data


def test_notice_list_shows_what_the_rule_requires_and_the_last_day(client, django_assert_num_queries):
    shown = [factories.registration_in("in_notice") for _ in range(3)]
    factories.registration_in("applied")  # not public yet
    with django_assert_num_queries(2):  # the count and the page, registrants joined
        page = client.get("/registrations/")
    body = page.content.decode()
    for reg in shown:
        assert reg.name in body and reg.summary in body and reg.license.implementing_body.name in body
    assert "First registration" in body
    assert shown[0].notice_ends_on.strftime("%Y") in body
    assert "estimated" not in body


def test_a_registration_before_its_notice_is_not_public(client):
    reg = factories.registration_in("under_review")
    assert client.get(f"/registrations/{reg.pk}/").status_code == 404
    assert client.get(f"/registrations/{reg.pk}/objection/").status_code == 404


def test_objection_with_a_pdf_reaches_the_queue():
    reg = factories.registration_in("in_notice")
    client = Client(enforce_csrf_checks=True)
    form = client.get(f"/registrations/{reg.pk}/objection/")
    assert form.status_code == 200
    token = form.cookies["csrftoken"].value
    response = client.post(
        f"/registrations/{reg.pk}/objection/", {**_objection_data(), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    assert "Objection filed" in response.content.decode()
    objection = Objection.objects.get(registration=reg)
    assert (objection.evidence_type, bytes(objection.evidence)) == ("application/pdf", PDF)
    assert objection.state == "pending"


def test_objection_without_the_csrf_token_is_refused():
    reg = factories.registration_in("in_notice")
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/registrations/{reg.pk}/objection/", _objection_data())
    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_a_file_renamed_pdf_is_refused_with_a_clear_message(client):
    reg = factories.registration_in("in_notice")
    response = client.post(
        f"/registrations/{reg.pk}/objection/", _objection_data(b"MZ\x90\x00 an executable", "evidence.pdf")
    )
    assert response.status_code == 400
    assert "must be a PDF, JPEG or PNG file" in response.content.decode()
    assert "whatever its name says" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_png_is_taken_and_a_file_over_10_mb_is_refused(client, settings):
    reg = factories.registration_in("in_notice")
    assert (
        client.post(f"/registrations/{reg.pk}/objection/", _objection_data(PNG, "photo.png")).status_code
        == 200
    )
    settings.REGISTRATION_EVIDENCE_MAX_BYTES = 1024
    big = PDF + b"0" * 2048
    response = client.post(f"/registrations/{reg.pk}/objection/", _objection_data(big))
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert Objection.objects.count() == 1


def test_missing_fields_are_named(client):
    reg = factories.registration_in("in_notice")
    response = client.post(f"/registrations/{reg.pk}/objection/", {"name": "", "contact": "", "reasons": ""})
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("id_name-error", "id_contact-error", "id_reasons-error", "id_evidence-error"):
        assert field in body


def test_anonymous_objection_spam_beyond_the_throttle_gets_429(client, settings):
    settings.OBJECTION_RATE = "3/hour"
    reg = factories.registration_in("in_notice")
    codes = [
        client.post(f"/registrations/{reg.pk}/objection/", _objection_data()).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    last = client.post(f"/registrations/{reg.pk}/objection/", _objection_data())
    assert last.status_code == 429 and int(last["Retry-After"]) > 0
    assert Objection.objects.count() == 3


def test_no_objection_after_the_notice(client):
    reg = factories.registration_in("issued")
    assert client.get(f"/registrations/{reg.pk}/objection/").status_code == 404
    assert client.post(f"/registrations/{reg.pk}/objection/", _objection_data()).status_code == 404


def test_lookup_by_code_answers_what_it_stands_for(client, django_assert_num_queries):
    reg = factories.registration_in("issued")
    with django_assert_num_queries(1):
        page = client.get("/registrations/lookup/", {"code": f"  {reg.code.lower()} "})
    body = page.content.decode()
    assert page.status_code == 200 and reg.name in body and "Code issued" in body
    wrong_check = reg.code[:-1] + ("0" if reg.code[-1] != "0" else "1")
    response = client.get("/registrations/lookup/", {"code": wrong_check})
    assert response.status_code == 400 and "check character" in response.content.decode()
    assert client.get("/registrations/lookup/", {"code": "nonsense"}).status_code == 400
    assert (
        "The national coding rule is not published" in client.get("/registrations/lookup/").content.decode()
    )


def test_terminated_registration_shows_its_state_and_reason(client):
    reg = factories.registration_in("in_notice")
    objection = registrations.file_objection(
        reg,
        name="李四",
        contact="li@example.org",
        reasons="r",
        evidence=io.BytesIO(PDF),
        evidence_name="a.pdf",
    )
    registrations.decide_objection(objection, actor=None, uphold=True, note="The data is not theirs.")
    body = client.get(f"/registrations/{reg.pk}/").content.decode()
    assert "Terminated (objection upheld)" in body and "The data is not theirs." in body
    assert "Object to this registration" not in body


def test_a_regulator_sees_their_own_applications_before_the_notice(client):
    reg = factories.registration_in("applied")
    regulator = factories.user(is_staff=True)
    Regulator.objects.create(user=regulator, authority=reg.license.grantor, contact_email="r@example.test")
    client.force_login(regulator)
    assert client.get(f"/registrations/{reg.pk}/").status_code == 200
    other = factories.user(is_staff=True)
    Regulator.objects.create(
        user=other, authority=factories.authority("110000"), contact_email="o@example.test"
    )
    client.force_login(other)
    assert client.get(f"/registrations/{reg.pk}/").status_code == 404


def test_the_unknown_year_notice_day_says_estimated(client):
    from licensing import workdays

    reg = factories.registration_in("under_review")
    year = workdays.known_years().stop
    reg.notice_ends_on, reg.notice_ends_estimated = datetime.date(year, 1, 8), True
    type(reg).objects.filter(pk=reg.pk).update(
        status="in_notice",
        notice_starts_on=datetime.date(2026, 11, 29),
        notice_ends_on=reg.notice_ends_on,
        notice_ends_estimated=True,
    )
    assert "estimated" in client.get("/registrations/").content.decode()


@pytest.mark.parametrize("steps", ["in_notice", "revoked"])
def test_a_registration_page_costs_the_same_whatever_its_history(client, django_assert_num_queries, steps):
    reg = factories.registration_in(steps)
    with django_assert_num_queries(2):  # the registration with its license and registrant; its events
        page = client.get(f"/registrations/{reg.pk}/")
    assert page.status_code == 200 and reg.name in page.content.decode()
