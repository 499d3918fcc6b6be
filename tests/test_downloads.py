"""The register as files (licensing.api.downloads, licensing.api.snapshots): what they hold against
what the API shows, the filters, conditional GETs, gzip, the queries they cost, the daily snapshots."""

import csv
import datetime
import gzip
import io
import json
import zipfile

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licensing import lifecycle, tasks
from licensing.api import downloads, snapshots
from licensing.choices import LicenseAction

from . import factories
from .clock import NOW as FROZEN_NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
D = datetime.timedelta


def _body(response) -> bytes:
    assert response.status_code == 200, response
    data = b"".join(response.streaming_content)
    return gzip.decompress(data) if response.get("Content-Encoding") == "gzip" else data


def _csv(response) -> list[dict]:
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _jsonl(response) -> list[dict]:
    return [json.loads(line) for line in _body(response).decode().splitlines()]


def _api_list(client, path) -> list[dict]:
    results, url = [], f"{path}?page_size=200"
    while url:
        page = client.get(url).json()
        results += page["results"]
        url = page["next"]
    return results


def _api_events(client) -> list[dict]:
    results, since = [], None
    while True:
        page = client.get("/api/v1/events/", {"limit": 500, **({"since": since} if since else {})}).json()
        results += page["results"]
        since = page["next_cursor"]
        if not page["has_more"]:
            return results


@pytest.fixture
def register():
    """Public licenses in several states (one with a co-grantor, a flagged product, a finding against its
    operator and a title a spreadsheet would run), a draft, and a draft withdrawn before it was listed."""
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    ningbo = factories.authority("330200", name="宁波市大数据发展管理局")
    operator = factories.operator(name="杭州数据运营有限公司", aliases="杭数运营")
    active = factories.license_in(
        "active", grantor=hangzhou, co_grantors=[ningbo], operator=operator, title="=HYPERLINK(1)"
    )
    factories.finding(operator=operator, entity_name=operator.name)
    suspended = factories.license_in("suspended", grantor=hangzhou)
    factories.priced(suspended)  # a paid product while suspended: flagged
    public = [
        active,
        factories.license_in("listed", grantor=ningbo),
        suspended,
        factories.license_in("withdrawn", grantor=hangzhou),
        factories.license_in("expired", grantor=ningbo),
    ]
    draft = factories.draft(grantor=hangzhou, title="Secret draft")
    never_listed = factories.draft(grantor=hangzhou, title="Withdrawn draft")
    lifecycle.transition(
        never_listed,
        LicenseAction.WITHDRAW,
        actor=None,
        reason="Dropped.",
        expected_version=never_listed.version,
    )
    return {"public": public, "drafts": [draft, never_listed], "hangzhou": hangzhou}


def test_the_whole_register_matches_the_api_and_leaves_out_drafts(client, register):
    numbers = sorted(license.number for license in register["public"])
    drafts = {license.reference for license in register["drafts"]}

    licenses = _jsonl(client.get("/downloads/licenses.jsonl"))
    assert [record["number"] for record in licenses] == numbers
    assert licenses == [client.get(f"/api/v1/licenses/{number}/").json() for number in numbers]
    # The hard parts are there.
    assert any(record["flags"] for record in licenses) and any(record["co_grantors"] for record in licenses)

    rows = _csv(client.get("/downloads/licenses.csv"))
    assert list(rows[0]) == [column.name for column in downloads.LICENSES.columns]
    for row, record in zip(rows, licenses, strict=True):
        assert row["number"] == record["number"] and row["status"] == record["status"]
        assert row["grantor_name"] == record["grantor"]["name"]
        assert row["co_grantor_ids"] == ";".join(str(a["id"]) for a in record["co_grantors"])
        assert row["data_domains"] == ";".join(record["data_domains"])
        assert row["term_end"] == (record["term_end"] or "")
        assert row["consideration"] == (record["consideration"] or "")
        assert row["flags"] == ";".join(flag["code"] for flag in record["flags"])
        assert row["covers_all_domains"] == str(record["covers_all_domains"]).lower()
    assert not drafts & {row["reference"] for row in rows}
    # A title a spreadsheet program would run as a formula is text in the CSV.
    assert "'=HYPERLINK(1)" in {row["title"] for row in rows}

    events = _jsonl(client.get("/downloads/events.jsonl"))
    assert events == _api_events(client) and events
    assert not drafts & {event["license_reference"] for event in events}
    assert not {event["to_status"] for event in events} & {"draft"}
    event_rows = _csv(client.get("/downloads/events.csv"))
    assert [int(row["id"]) for row in event_rows] == [event["id"] for event in events]
    assert [row["actor"] for row in event_rows] == [event["actor"] for event in events]

    operators = _jsonl(client.get("/downloads/operators.jsonl"))
    assert operators == _api_list(client, "/api/v1/operators/")
    assert any(operator["flags"] for operator in operators)
    assert [row["aliases"] for row in _csv(client.get("/downloads/operators.csv"))] == [
        ";".join(operator["aliases"]) for operator in operators
    ]
    authorities = _jsonl(client.get("/downloads/authorities.jsonl"))
    assert authorities == _api_list(client, "/api/v1/authorities/")
    assert [row["division_code"] for row in _csv(client.get("/downloads/authorities.csv"))] == [
        authority["division_code"] for authority in authorities
    ]


def test_the_files_follow_the_visitors_language(client, register):
    def labels(language):
        response = client.get("/downloads/licenses.jsonl", HTTP_ACCEPT_LANGUAGE=language)
        assert response["Content-Language"] == language
        return {record["status_label"] for record in _jsonl(response)}

    assert "生效中" in labels("zh-hans") and "Active" in labels("en")


def test_download_these_results_carries_the_lists_filters(client, register):
    page = client.get("/licenses/", {"status": "suspended", "page": "1"}).content.decode()
    assert 'href="/downloads/licenses.csv?status=suspended"' in page
    assert 'href="/downloads/licenses.jsonl?status=suspended"' in page
    rows = _csv(client.get("/downloads/licenses.csv", {"status": "suspended"}))
    assert [row["status"] for row in rows] == ["suspended"]

    hangzhou = register["hangzhou"]
    filtered = _jsonl(client.get("/downloads/licenses.jsonl", {"grantor": hangzhou.pk, "q": "HYPERLINK"}))
    assert [record["title"] for record in filtered] == ["=HYPERLINK(1)"]
    # In force and ending within 30 days: the active and the suspended ones (their terms end in 10 days).
    expiring = _csv(client.get("/downloads/licenses.csv", {"expires_within": "30", "domain": "health"}))
    assert sorted(row["status"] for row in expiring) == ["active", "suspended"]
    in_region = _jsonl(client.get("/downloads/licenses.jsonl", {"division": "330200"}))
    assert {record["grantor"]["division_code"] for record in in_region} == {"330200", "330100"}  # co-grantor
    assert len(in_region) == 3


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/downloads/licenses.csv?domain=nonsense", "domain"),
        ("/downloads/licenses.csv?status=draft", "status"),
        ("/downloads/licenses.jsonl?expires_within=%C2%B2", "expires_within"),
        ("/downloads/licenses.jsonl?division=33x", "division"),
        ("/downloads/licenses.csv?colour=red", "colour"),
        ("/downloads/licenses.csv?page=2", "page"),
        ("/downloads/events.csv?status=active", "status"),
    ],
)
def test_a_filter_that_cannot_be_used_is_a_400_naming_it(client, register, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [parameter] and body["errors"][parameter][0]


def test_etag_last_modified_and_304(client, register):
    url = "/downloads/licenses.csv"
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified and first["Cache-Control"] == "public, no-cache"
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    unchanged = client.get(url, HTTP_IF_MODIFIED_SINCE=modified)
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag
    # Each file and each filter has its own.
    assert client.get("/downloads/licenses.jsonl")["ETag"] != etag
    assert client.get(url, {"status": "active"})["ETag"] != etag

    with time_machine.travel(FROZEN_NOW + D(minutes=5), tick=False):
        suspended = register["public"][2]
        lifecycle.transition(
            suspended, "reinstate", actor=None, reason="Done.", expected_version=suspended.version
        )
        changed = client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MODIFIED_SINCE=modified)
        assert changed.status_code == 200 and changed["ETag"] != etag
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 200
        again = changed["ETag"]
    # The next day the flags may differ: a new ETag, without a change.
    with time_machine.travel(FROZEN_NOW + D(days=1), tick=False):
        assert client.get(url, HTTP_IF_NONE_MATCH=again).status_code == 200


@pytest.mark.parametrize("field", ["operator", "authority", "product", "finding"])
def test_a_change_elsewhere_changes_the_etag(client, register, field):
    url = "/downloads/operators.jsonl"
    etag = client.get(url)["ETag"]
    with time_machine.travel(FROZEN_NOW + D(minutes=5), tick=False):
        license = register["public"][0]
        if field == "operator":
            license.operator.website = "https://example.test/"
            license.operator.save()
        elif field == "authority":
            factories.authority("330300")
        elif field == "product":
            factories.priced(license, name="Another product")  # a product of a license of the operator
        else:
            factories.finding()
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_gzip_when_the_client_takes_it(client, register):
    plain = client.get("/downloads/events.jsonl")
    assert "Content-Encoding" not in plain
    zipped = client.get("/downloads/events.jsonl", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert _jsonl(zipped) == _jsonl(plain)
    # The compressed file's (weak) ETag still validates.
    assert zipped["ETag"].startswith("W/")
    assert client.get("/downloads/events.jsonl", HTTP_IF_NONE_MATCH=zipped["ETag"]).status_code == 304


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        _body(response)
    return len(captured)


@pytest.mark.parametrize(
    "url, expected",
    [
        # The filters' grantors, the validators, the licenses, co-grantors' authorities and products.
        ("/downloads/licenses.jsonl", 5),
        ("/downloads/licenses.csv?status=suspended&domain=health&division=330100", 5),
        # The validators, a page of the feed (and on PostgreSQL the feed's horizon: event_cursor.read).
        ("/downloads/events.csv", 2),
        # The validators, the operators, and their flags' five (compliance.operator_flags: their licenses,
        # those licenses' products, the findings against them...).
        ("/downloads/operators.jsonl", 7),
        ("/downloads/authorities.csv", 2),
    ],
)
def test_a_download_costs_the_same_queries_for_three_times_the_rows(client, url, expected):
    def build(n):
        for _ in range(n):
            license = factories.license_in("suspended", co_grantors=[factories.authority("330100")])
            factories.priced(license)
            factories.finding(operator=license.operator)

    if url.startswith("/downloads/events") and connection.vendor == "postgresql":
        expected += 1
    build(2)
    first = _queries(client, url)
    build(4)
    assert (first, _queries(client, url)) == (expected, expected)


def test_large_files_are_read_a_chunk_at_a_time(client, monkeypatch):
    for _ in range(5):
        factories.license_in("active")
    in_the_api = _api_events(client)
    monkeypatch.setattr(downloads, "CHUNK_SIZE", 2)
    monkeypatch.setattr(downloads.event_cursor, "MAX_PAGE", 4)
    assert len(_jsonl(client.get("/downloads/licenses.jsonl"))) == 5
    events = _jsonl(client.get("/downloads/events.jsonl"))
    assert events == in_the_api


def test_the_download_page_and_data_dictionary_in_both_languages(client, register):
    footer = client.get("/").content.decode()
    assert 'href="/downloads/"' in footer
    for language, heading in (("en", "Download the register"), ("zh-hans", "下载登记簿")):
        page = client.get("/downloads/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert heading in page
        for name in downloads.DATASETS:
            for format in downloads.FORMATS:
                assert f'href="/downloads/{name}.{format}"' in page
        assert 'href="/downloads/dictionary/"' in page and 'href="/api/v1/events/"' in page
    english = client.get("/downloads/dictionary/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/downloads/dictionary/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for dataset in downloads.DATASETS.values():
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in english and f"<code>{column.name}</code>" in chinese
    assert "The license&#x27;s public number." in english and "许可的公开编号。" in chinese


@pytest.fixture
def snapshot_dir(tmp_path, settings):
    settings.LICENSING_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    return tmp_path / "snapshots"


def test_a_snapshot_holds_every_file_and_the_events_cursor(client, register, snapshot_dir):
    call_command("write_snapshot", stdout=io.StringIO())
    [path] = snapshot_dir.iterdir()
    assert path.name == f"register-{FROZEN_NOW.date().isoformat()}.zip"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        licenses = archive.read("licenses.jsonl")
        events = archive.read("events.csv").decode("utf-8-sig")
        manifest = json.loads(archive.read("manifest.json"))
    assert names == {f"{d}.{f}" for d in downloads.DATASETS for f in downloads.FORMATS} | {"manifest.json"}
    # In the site's default language.
    language = settings.LANGUAGE_CODE
    assert licenses == _body(client.get("/downloads/licenses.jsonl", HTTP_ACCEPT_LANGUAGE=language))
    assert manifest["rows"]["licenses.csv"] == manifest["rows"]["licenses.jsonl"] == 5
    assert len(list(csv.DictReader(io.StringIO(events)))) == manifest["rows"]["events.jsonl"] > 0

    # The cursor: nothing after it yet; the next event, once.
    since = manifest["events_cursor"]
    assert client.get("/api/v1/events/", {"since": since}).json()["results"] == []
    suspended = register["public"][2]
    lifecycle.transition(
        suspended, "reinstate", actor=None, reason="Done.", expected_version=suspended.version
    )
    [later] = client.get("/api/v1/events/", {"since": since}).json()["results"]
    assert later["action"] == "reinstate"

    page = client.get("/downloads/").content.decode()
    link = f"/downloads/snapshots/{path.name}"
    assert f'href="{link}"' in page and f"/api/v1/events/?since={since}" in page
    served = client.get(link)
    assert served.status_code == 200 and b"".join(served.streaming_content) == path.read_bytes()
    assert client.get("/downloads/snapshots/register-2020-01-01.zip").status_code == 404
    assert client.get("/downloads/snapshots/register-2020-13-01.zip").status_code == 404


def test_snapshots_are_written_daily_and_kept_for_30_days(client, snapshot_dir):
    factories.license_in("active")
    entry = settings.CELERY_BEAT_SCHEDULE["licensing-snapshot"]
    assert entry["task"] == tasks.write_snapshot.name
    assert (entry["schedule"].hour, entry["schedule"].minute, entry["schedule"].day_of_week) == (
        {1},
        {0},
        set(range(7)),
    )
    for day in range(35):
        with time_machine.travel(FROZEN_NOW + D(days=day), tick=False):
            tasks.write_snapshot()
    kept = sorted(path.name for path in snapshot_dir.iterdir())
    last = (FROZEN_NOW + D(days=34)).date()
    assert kept == [f"register-{(last - D(days=n)).isoformat()}.zip" for n in range(29, -1, -1)]
    with time_machine.travel(FROZEN_NOW + D(days=34), tick=False):
        listed = [snapshot.day for snapshot in snapshots.listing()]
        page = client.get("/downloads/").content.decode()
    assert listed == [last - D(days=n) for n in range(30)]
    assert (
        f"register-{last.isoformat()}.zip" in page
        and f"register-{(last - D(days=30)).isoformat()}" not in page
    )


@pytest.mark.parametrize("url", ["/downloads/", "/downloads/dictionary/"])
def test_the_download_pages_read_no_database(client, register, snapshot_dir, url, django_assert_num_queries):
    call_command("write_snapshot", stdout=io.StringIO())
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
