"""The admin pages as a regulator reads them (issue 17): final actions named as such, a way back from a
stale page, the timeline folded at the top in the reader's language, the admin's breadcrumbs on action
pages, the dashboard's flag count, the calls' domain filter, and date pickers that show their day."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing import lifecycle, products
from licensing.access import AUDITORS_GROUP
from licensing.models import Regulator

from . import factories

pytestmark = pytest.mark.django_db
D = datetime.timedelta
CHANGELIST = "admin:licensing_license_changelist"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 4, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def hangzhou():
    return factories.authority("330100", name="杭州市数据资源管理局")


def _regulator(client, authority, username):
    user = factories.user(username, is_staff=True)
    Regulator.objects.create(user=user, authority=authority, contact_email=f"{username}@example.test")
    client.force_login(user)
    return user


@pytest.fixture
def regulator(client, hangzhou):
    return _regulator(client, hangzhou, "hz")


def _change(license):
    return reverse("admin:licensing_license_change", args=[license.pk])


def _transition(license, action):
    return reverse("admin:licensing_license_transition", args=[license.pk, action])


def _zh(client):
    client.cookies["django_language"] = "zh-hans"


# Final actions -----------------------------------------------------------------------------------------


def test_change_page_draws_the_final_actions_in_the_danger_style(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    page = client.get(_change(license)).text
    buttons = dict(
        (action, classes)
        for classes, action in re.findall(r'<a class="button([^"]*)" href="[^"]*/transition/(\w+)/', page)
    )
    assert buttons == {"suspend": "", "revoke": " danger", "terminate": " danger"}


@pytest.mark.parametrize(
    ("action", "final", "consequence"),
    [
        ("revoke", True, "The license is revoked for good"),
        ("terminate", True, "The license ends early for good"),
        ("suspend", False, "The license stops being in force from the effective day"),
    ],
)
def test_the_confirmation_names_the_consequence(client, regulator, hangzhou, action, final, consequence):
    license = factories.license_in("active", grantor=hangzhou)
    page = client.get(_transition(license, action) + f"?version={license.version}").text
    assert consequence in page
    assert ("This cannot be undone." in page) is final
    button = re.search(r'<input type="submit" class="([^"]*)" aria-describedby="consequence"', page)
    assert button and ("danger" in button.group(1).split()) is final


def test_the_consequence_reads_in_chinese(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    _zh(client)
    page = client.get(_transition(license, "revoke") + f"?version={license.version}").text
    assert "此操作无法撤销。" in page and "该授权许可被永久撤销" in page


def test_bulk_revoke_asks_in_the_danger_style_naming_the_consequence(client, regulator, hangzhou):
    licenses = [factories.license_in("active", grantor=hangzhou) for _ in range(2)]
    data = {"action": "bulk_revoke", "_selected_action": [license.pk for license in licenses]}
    data.update({f"_version_{license.pk}": license.version for license in licenses})
    page = client.post(reverse(CHANGELIST), data).text
    assert "For each of the 2 licenses below: The license is revoked for good" in page
    assert re.search(r'<input type="submit" class="default danger"', page)


# A stale page ------------------------------------------------------------------------------------------


def test_a_page_opened_at_an_old_version_links_to_the_current_one(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    seen = license.version
    lifecycle.edit(license, {"scope": "Changed."}, actor=None, expected_version=seen, reason="Other tab.")
    url = _transition(license, "suspend")
    current = f'href="{url}?version={license.version}"'
    page = client.get(f"{url}?version={seen}").text
    assert f"opened at version {seen} of the license; it is now at version {license.version}" in page
    assert current in page
    # Sent anyway: refused, and the link is there again.
    refused = client.post(url, {"version": seen, "reason": "Audit."}).text
    assert "changed by someone else since you opened it" in refused and current in refused
    # The link's page is current: no notice, and the action goes through.
    fresh = client.get(f"{url}?version={license.version}").text
    assert "stale-version" not in fresh
    response = client.post(url, {"version": license.version, "reason": "Audit."})
    assert response.status_code == 302
    license.refresh_from_db()
    assert license.status == "suspended"


# The timeline ------------------------------------------------------------------------------------------


def test_timeline_is_folded_above_the_fields(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    page = client.get(_change(license)).text
    assert re.search(r'<details class="module license-timeline-box" id="timeline">', page)
    assert page.index('id="timeline"') < page.index('name="title"')


def test_timeline_names_fields_and_the_registry_in_chinese(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    product = factories.priced(license, name="企业信用报告")
    products.update_product(product, {"price_cap": "2.00"}, actor=None, expected_version=license.version)
    license.refresh_from_db()
    lifecycle.edit(
        license, {"scope": "更新。"}, actor=None, expected_version=license.version, reason="补充范围。"
    )
    _zh(client)
    page = client.get(_change(license)).text
    start = page.index('id="timeline"')
    timeline = page[start : page.index("</details>", start)]
    assert re.search(r"产品“企业信用报告”变更：\s*上限收费标准（元）", timeline), timeline
    assert "新增产品“企业信用报告”。" in timeline
    assert "授权范围" in timeline and "登记系统（自动）" in timeline
    assert "最近：变更，2026-11-29" in timeline
    for raw in ("product_class", "price_cap", "scope", "registry (automatic)"):
        assert raw not in timeline, raw


# Action pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["transition", "renew"])
def test_action_pages_use_the_admins_breadcrumbs(client, regulator, hangzhou, which):
    license = factories.license_in("active", grantor=hangzhou)
    if which == "transition":
        url = _transition(license, "suspend")
    else:
        url = reverse("admin:licensing_license_renew", args=[license.pk])
    html = client.get(f"{url}?version={license.version}").text
    crumbs = re.search(r'<nav aria-label="Breadcrumbs">\s*<ol class="breadcrumbs">(.*?)</ol>', html, re.S)
    assert crumbs, html[:3000]
    assert f'<li><a href="{_change(license)}">{license.identifier}</a></li>' in crumbs.group(1)
    assert '<li aria-current="page">' in crumbs.group(1)
    assert "admin/css/forms.css" in html


def test_effective_day_picker_shows_today_in_chinese(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    _zh(client)
    html = client.get(_transition(license, "suspend") + f"?version={license.version}").text
    assert re.search(r'<input type="date" name="occurred_on" value="2026-11-29"', html), html


# The dashboard -----------------------------------------------------------------------------------------


def _flag_count(html):
    return int(re.search(r'\?has_flags=yes">[^<]*</a></th>\s*<td class="count">(\d+)</td>', html).group(1))


def test_dashboard_counts_licenses_with_flags_in_the_jurisdiction(client, regulator, hangzhou):
    factories.priced(factories.license_in("suspended", grantor=hangzhou))  # paid, not in force
    factories.priced(factories.license_in("active", grantor=hangzhou))  # no flag
    factories.priced(factories.license_in("suspended", grantor=factories.authority("430000")))  # elsewhere
    assert _flag_count(client.get(reverse("admin:index")).text) == 1


@pytest.mark.parametrize(("who", "expected"), [("outside", 0), ("auditor", 2)])
def test_dashboard_flag_count_as_others_see_it(client, hangzhou, who, expected):
    factories.priced(factories.license_in("suspended", grantor=hangzhou))
    hunan = factories.authority("430000")
    factories.priced(factories.license_in("suspended", grantor=hunan))
    if who == "outside":
        _regulator(client, factories.authority("440300"), "sz")
    else:
        auditor = factories.user("auditor", is_staff=True)
        auditor.groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
        client.force_login(auditor)
    assert _flag_count(client.get(reverse("admin:index")).text) == expected


def test_anonymous_visitors_get_the_login_page_not_the_dashboard(client, hangzhou):
    factories.priced(factories.license_in("suspended", grantor=hangzhou))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_dashboard_queries_do_not_grow_with_flagged_licenses(client, regulator, hangzhou):
    factories.priced(factories.license_in("suspended", grantor=hangzhou))
    url = reverse("admin:index")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        factories.priced(factories.license_in("suspended", grantor=hangzhou))
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).text
    assert _flag_count(html) == 6
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


# The calls' domain filter ------------------------------------------------------------------------------


def test_calls_domain_filter_names_every_choice(client, regulator, hangzhou):
    html = client.get(reverse("admin:licensing_call_changelist")).text
    domain = html[html.index("data domain") :]
    domain = domain[: domain.index("</ul>")]
    labels = re.findall(r'<a href="[^"]*">([^<]*)</a>', domain)
    assert labels[:3] == ["All", "Health", "Transport"]
    assert labels[-1] == "None listed"
    assert "-" not in labels


# The object tools ---------------------------------------------------------------------------------------


def test_history_leads_to_the_timeline_and_the_public_page_is_linked(client, regulator, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    history = reverse("admin:licensing_license_history", args=[license.pk])
    response = client.get(history)
    assert response.status_code == 302 and response["Location"] == _change(license) + "#timeline"
    page = client.get(_change(license)).text
    assert f'href="{reverse("licensing:license", args=[license.number])}">Public page</a>' in page
    assert f'href="{history}"' not in page
    draft = factories.license_in("draft", grantor=hangzhou)
    assert "Public page" not in client.get(_change(draft)).text


def test_history_of_a_license_elsewhere_is_not_found(client, hangzhou):
    license = factories.license_in("active", grantor=hangzhou)
    _regulator(client, factories.authority("430000"), "hn")
    assert client.get(reverse("admin:licensing_license_history", args=[license.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("admin:licensing_license_history", args=[license.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
