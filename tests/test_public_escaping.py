"""Whatever is typed into a search or recorded in a name, a title or a reason is shown as text, never run:
script injected through any of them comes out escaped, on every page and in the feeds."""

import re

import pytest

from licensing import lifecycle
from licensing.models import Operator

from . import factories

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def hostile():
    """Records that carry script in every free-text field a public page shows."""
    authority = factories.authority("330100", name=f"Authority {SCRIPT}", name_en=f"Office {SCRIPT}")
    operator = factories.operator(
        name=f"Operator {SCRIPT}", name_en=f"Op {SCRIPT}", aliases=f"Alias {SCRIPT}", uscc_note=""
    )
    # Stored by a path that skips model validation (a script, a shell), so the page must not trust it.
    Operator.objects.filter(pk=operator.pk).update(website="javascript:alert(1)")
    active = factories.license_in(
        "active",
        grantor=authority,
        operator=operator,
        title=f"Title {SCRIPT}",
        scope=f"Scope {SCRIPT}",
        consideration_note=f"Note {SCRIPT}",
        legal_basis=f"Basis {SCRIPT}",
        remarks=f"Remarks {SCRIPT}",
    )
    lifecycle.transition(
        active, "suspend", actor=None, reason=f"Reason {SCRIPT}", expected_version=active.version
    )
    return active


def _assert_escaped(body: str, where: str):
    assert SCRIPT not in body, f"unescaped script on {where}"
    assert "<script" not in body.lower().replace('<script src="/static/licensing/site.js" defer>', ""), where


def test_script_in_records_is_shown_escaped_on_every_page(client, hostile):
    pages = [
        "/",
        "/licenses/",
        f"/licenses/{hostile.number}/",
        f"/operators/{hostile.operator.uscc}/",
        f"/authorities/{hostile.grantor.pk}/",
        f"/verify/?q={hostile.operator.uscc}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        _assert_escaped(body, url)
    license_page = client.get(f"/licenses/{hostile.number}/").content.decode()
    for field in ("Title", "Scope", "Note", "Basis", "Remarks", "Reason", "Operator", "Authority"):
        assert f"{field} {ESCAPED}" in license_page, field
    operator_page = client.get(f"/operators/{hostile.operator.uscc}/").content.decode()
    assert f"Alias {ESCAPED}" in operator_page
    assert 'href="javascript:' not in operator_page and "javascript:alert(1)" in operator_page


@pytest.mark.parametrize(
    "url",
    [
        f"/licenses/?q={SCRIPT}",
        f"/licenses/?status={SCRIPT}&domain={SCRIPT}&grantor={SCRIPT}&division={SCRIPT}&expires_within={SCRIPT}",
        f"/verify/?q={SCRIPT}",
        f"/verify/?q=x&domain={SCRIPT}&on={SCRIPT}",
    ],
)
def test_script_typed_into_a_search_or_filter_comes_back_escaped(client, hostile, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    _assert_escaped(body, url)
    assert ESCAPED in body or "&lt;script&gt;" in body


def test_markup_in_an_unknown_license_number_comes_back_escaped(client):
    # A path segment holds no "/", so the payload is an element that runs script without a closing tag.
    response = client.get('/licenses/"><img src=x onerror=alert(1)>/')
    assert response.status_code == 404
    body = response.content.decode()
    assert "<img" not in body
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in body


def test_feeds_carry_script_as_text(client, hostile):
    for url in ("/feeds/changes.atom", f"/licenses/{hostile.number}/feed.atom"):
        body = client.get(url).content.decode()
        assert SCRIPT not in body, url
        # Atom text constructs: the markup arrives as characters a reader shows, not as elements.
        assert re.search(r"Title &lt;script&gt;alert\(1\)&lt;/script&gt;", body), url
        assert "Reason &lt;script&gt;" in body, url
