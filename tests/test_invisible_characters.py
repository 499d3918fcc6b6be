"""Names and titles cannot be spoofed with invisible characters (issue 14, item 8).

A bidirectional control (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) makes a page show a name otherwise
than it is stored; a zero-width character makes two names that look alike differ. Names and titles are
stored without them (licensing.fields.NameField), name keys ignore them (identifiers.normalize_name), and
a search or a verify typed with them still finds the record.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import lifecycle
from licensing.identifiers import normalize_name, strip_invisible
from licensing.models import Authority, License, Operator, Regulator
from licensing.search import operators_named, search_licenses
from licensing.verify import verdict

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

BIDI = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


@pytest.mark.parametrize("character", BIDI + ZERO_WIDTH, ids=lambda c: f"U+{ord(c):04X}")
def test_name_keys_and_stored_names_leave_out_invisible_characters(character):
    assert normalize_name(f"阿里{character}健康") == normalize_name("阿里健康")
    assert strip_invisible(f"Ali{character} Health") == "Ali Health"
    operator = factories.operator(name=f"阿里{character}健康", aliases=f"Ali{character} Health\nAH")
    operator.refresh_from_db()
    assert operator.name == "阿里健康" and operator.aliases == "Ali Health\nAH"
    assert list(operators_named("阿里健康")) == [operator]
    assert list(operators_named(f"阿{character}里健康")) == [operator]


def test_titles_and_authority_names_are_stored_without_bidi_controls():
    authority = factories.authority("330100", name="杭州\u202e局")
    license = factories.draft(grantor=authority, title="Bus\u2067 data\u2069")
    assert Authority.objects.get(pk=authority.pk).name == "杭州局"
    assert License.objects.get(pk=license.pk).title == "Bus data"


def test_search_and_verify_typed_with_invisible_characters_find_the_record():
    operator = factories.operator(name="之江示例数据科技有限公司")
    license = factories.license_in("active", operator=operator, title="Bus data")
    assert list(search_licenses(License.objects.all(), "之江\u200b示例数据科技有限公司")) == [license]
    assert list(search_licenses(License.objects.all(), "Bus\u200b da\u202eta")) == [license]
    assert verdict(name="之江示例\u202e数据科技有限公司").operators == [operator]


def test_api_write_of_a_spoofed_name_stores_the_plain_one_and_the_page_shows_it(client):
    hangzhou = factories.authority("330100")
    user = factories.user("hz")
    Regulator.objects.create(user=user, authority=hangzhou, contact_email="hz@example.test")
    api = APIClient()
    api.force_authenticate(user)
    code = factories.valid_uscc()
    created = api.post("/api/v1/operators/", {"name": "Evil\u202egnp.exe", "uscc": code}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["name"] == "Evilgnp.exe"
    assert Operator.objects.get(uscc=code).name == "Evilgnp.exe"
    body = {
        "title": "Bus\u202e data",
        "grantor_id": hangzhou.pk,
        "operator_uscc": code,
        "data_domains": ["transport"],
        "scope": "Bus arrivals.",
    }
    response = api.post("/api/v1/licenses/", body, format="json")
    assert response.status_code == 201, response.json()
    license = License.objects.get(number=response.json()["number"])
    assert license.title == "Bus data"
    lifecycle.transition(license, "list", actor=None, expected_version=license.version)
    page = client.get(reverse("licensing:license", args=[license.number]))
    assert "Bus data" in page.text and "\u202e" not in page.text
