"""Atom feeds of lifecycle changes: site-wide and per license, newest recorded first, drafts left out."""

import xml.etree.ElementTree as ET

import pytest

from licensing import lifecycle

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
ATOM = "{http://www.w3.org/2005/Atom}"


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return _parse(response.content)


def _parse(content):
    return ET.fromstring(content)  # noqa: S314 (our own feed, in a test)


def _entries(feed):
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "id": entry.findtext(f"{ATOM}id"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_site_feed_lists_public_changes_newest_recorded_first(client):
    suspended = factories.license_in("suspended", title="Metro data")
    withdrawn = factories.license_in("withdrawn", title="Harbour data")
    factories.draft(title="Secret draft")
    feed = _feed(client, "/feeds/changes.atom")
    assert feed.findtext(f"{ATOM}title") == "Public-data operating licenses: lifecycle changes"
    entries = _entries(feed)
    titles = [entry["title"] for entry in entries]
    assert titles[0] == f"{withdrawn.number} Withdrawn (29 November 2026): Harbour data"
    assert f"{suspended.number} Suspended (29 November 2026): Metro data" in titles
    assert f"{suspended.number} Came into force (19 November 2026): Metro data" in titles
    assert not any("Secret draft" in title or "Recorded" in title for title in titles)
    assert entries[0]["summary"] == "No operator came forward."
    assert entries[0]["link"].startswith(f"http://testserver/licenses/{withdrawn.number}/#event-")
    assert len({entry["id"] for entry in entries}) == len(entries)


def test_license_feed_has_only_that_license(client):
    license = factories.license_in("active", title="Bus data")
    other = factories.license_in("active", title="Rail data")
    lifecycle.transition(
        license, "suspend", actor=None, reason="Audit pending.", expected_version=license.version
    )
    feed = _feed(client, f"/licenses/{license.number}/feed.atom")
    assert feed.findtext(f"{ATOM}title") == f"License {license.number}: lifecycle changes"
    entries = _entries(feed)
    assert [entry["title"].split(" ", 2)[1] for entry in entries] == ["Suspended", "Came", "Granted"]
    assert entries[0]["summary"] == "Audit pending."
    assert all(other.number not in entry["title"] for entry in entries)


def test_feed_speaks_the_readers_language(client):
    license = factories.license_in("active")
    response = client.get(f"/licenses/{license.number}/feed.atom", headers={"Accept-Language": "zh-CN"})
    feed = _parse(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hans"
    assert "2026年11月19日" in _entries(feed)[0]["title"]


def test_unknown_and_draft_licenses_have_no_feed(client):
    draft = factories.draft()
    assert client.get(f"/licenses/{draft.reference}/feed.atom").status_code == 404
    assert client.get("/licenses/330100-2099-0001/feed.atom").status_code == 404


def test_pages_announce_their_feeds(client):
    license = factories.license_in("active")
    home = client.get("/").content.decode()
    assert 'type="application/atom+xml" href="/feeds/changes.atom"' in home
    page = client.get(f"/licenses/{license.number}/").content.decode()
    assert f'type="application/atom+xml" href="/licenses/{license.number}/feed.atom"' in page
