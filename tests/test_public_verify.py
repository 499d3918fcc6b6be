"""The verify page: a name or USCC (and optionally a data domain and a day) gives licensing.verify's verdict
with the licenses behind it; a question that cannot be asked gives an error summary."""

import datetime

import pytest

from licensing import lifecycle

from . import factories
from .clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta
FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"}


def _verify(client, **params):
    response = client.get("/verify/", params)
    assert response.status_code == 200
    return response.content.decode()


def _granted(operator, start, days, **fields):
    license = factories.draft(operator=operator, term_start=start, term_end=start + D(days=days), **fields)
    lifecycle.transition(license, "grant", actor=None, expected_version=license.version)
    return license


def test_empty_page_is_a_form_without_errors(client):
    html = _verify(client)
    assert '<label class="label" for="id_q">' in html and 'name="domain"' in html and 'name="on"' in html
    assert "There is a problem" not in html and "Result" not in html


def test_uscc_in_lower_case_and_full_width_finds_the_operator_and_its_license(client):
    operator = factories.operator(name="之江示例数据科技有限公司", contact_emails="hidden@zj.test")
    license = _granted(operator, TODAY - D(days=10), 100, data_domains=["transport"])
    typed = " ".join([operator.uscc[:6], operator.uscc[6:].lower().translate(FULL_WIDTH)])
    html = _verify(client, q=typed)
    assert "Licensed" in html and "until 27 February 2027" in html
    assert "之江示例数据科技有限公司" in html and operator.uscc in html
    assert f'href="/licenses/{license.number}/"' in html
    assert "hidden@zj.test" not in html


def test_name_or_alias_finds_the_operator(client):
    operator = factories.operator(name="阿里健康", name_en="Ali Health", aliases="Alibaba Health")
    factories.license_in("expired", operator=operator)
    for typed in ("阿里健康", "ALI HEALTH", "alibaba  health"):
        html = _verify(client, q=typed)
        assert "License ended" in html and "阿里健康" in html, typed
        assert "ended on 29 November 2026" in html, typed


def test_unknown_entity_says_no_operator_is_on_record(client):
    html = _verify(client, q="Nobody Holdings")
    assert "No license on record" in html
    assert "No operator with that name or USCC is on record" in html
    assert "/licenses/?q=Nobody%20Holdings" in html


def test_withdrawn_listing_only_is_not_a_license(client):
    operator = factories.operator()
    factories.license_in("withdrawn", operator=operator)
    html = _verify(client, q=operator.uscc)
    assert "Listed, then withdrawn: never licensed" in html


def test_domain_narrows_the_licenses_that_count(client):
    operator = factories.operator()
    _granted(operator, TODAY - D(days=5), 100, data_domains=["health"])
    assert "Licensed" in _verify(client, q=operator.uscc, domain="health")
    html = _verify(client, q=operator.uscc, domain="transport")
    assert "No license on record" in html and "Licenses covering Transport" in html


def test_a_past_day_gives_the_state_on_that_day(client):
    operator = factories.operator()
    license = factories.license_in("revoked", operator=operator)  # in force from 10 days ago until today
    html = _verify(client, q=operator.uscc, on=(TODAY - D(days=5)).isoformat())
    assert "Licensed" in html and "On 24 November 2026" in html
    assert license.number in html
    assert "License ended" in _verify(client, q=operator.uscc)


@pytest.mark.parametrize(
    ("params", "message", "field"),
    [
        ({"q": ""}, "Enter the operator&#x27;s name, or its 18-character USCC.", "id_q"),
        ({"q": "", "domain": "health"}, "Enter the operator&#x27;s name, or its 18-character USCC.", "id_q"),
        ({"q": "91110000600037341X"}, "check character", "id_q"),
        ({"q": "91110000600037341L", "domain": "astrology"}, "Choose a data domain", "id_domain"),
        ({"q": "Ali Health", "on": "yesterday"}, "Enter the day as year-month-day", "id_on"),
    ],
)
def test_a_question_that_cannot_be_asked_shows_an_error_summary(client, params, message, field):
    html = _verify(client, **params)
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert "There is a problem" in summary and message in summary
    assert f'href="#{field}"' in summary
    assert "<title>Error: " in html
    assert "Result" not in html
