"""Registrations and the objection queue in the admin, from the outside: every role (superuser, a
regulator whose jurisdiction holds the license, one whose does not, an auditor, anonymous) against each
operation, and the steps as a regulator takes them."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from licensing import registrations
from licensing.access import AUDITORS_GROUP
from licensing.models import Objection, Registration, RegistrationEvent, Regulator

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]
PDF = b"%PDF-1.4\n%%EOF\n"
ROLES = ["superuser", "inside", "outside", "auditor", "anonymous"]


@pytest.fixture
def users():
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    hunan = factories.authority("430000", name="湖南省数据局")
    found = {"anonymous": None, "hangzhou": hangzhou}
    found["superuser"] = factories.user("root", is_staff=True, is_superuser=True)
    for name, authority in (("inside", hangzhou), ("outside", hunan)):
        found[name] = factories.user(name, is_staff=True)
        Regulator.objects.create(user=found[name], authority=authority, contact_email=f"{name}@example.test")
    found["auditor"] = factories.user("auditor", is_staff=True)
    found["auditor"].groups.add(Group.objects.get_or_create(name=AUDITORS_GROUP)[0])
    return found


@pytest.fixture
def in_notice(users):
    license = factories.registrable_license(grantor=users["hangzhou"])
    return factories.registration_in("in_notice", license=license)


def _login(client, users, role):
    if users[role] is not None:
        client.force_login(users[role])
    return client


def _expect(response, expected):
    if expected == "login":
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("role", "view", "act"),
    [
        ("superuser", 200, 302),
        ("inside", 200, 302),
        ("outside", 404, 404),
        ("auditor", 200, 403),
        ("anonymous", "login", "login"),
    ],
)
def test_who_sees_and_acts_on_a_registration(client, users, in_notice, role, view, act):
    _login(client, users, role)
    _expect(client.get(reverse("admin:licensing_registration_change", args=[in_notice.pk])), view)
    url = reverse("admin:licensing_registration_act", args=[in_notice.pk, "cancel"])
    response = client.post(
        url, {"version": in_notice.version, "occurred_on": "2026-11-29", "reason": "Withdrawn."}
    )
    _expect(response, act)
    in_notice.refresh_from_db()
    assert in_notice.status == ("cancelled" if act == 302 else "in_notice")


@pytest.mark.parametrize("role", ROLES)
def test_the_change_list_is_scoped_to_the_jurisdiction(client, users, in_notice, role):
    guangzhou = factories.registrable_license(grantor=factories.authority("440100"))
    elsewhere = factories.registration_in("applied", license=guangzhou)
    _login(client, users, role)
    response = client.get(reverse("admin:licensing_registration_changelist"))
    if role == "anonymous":
        _expect(response, "login")
        return
    listed = {row.pk for row in response.context["cl"].result_list}
    expected = {
        "superuser": {in_notice.pk, elsewhere.pk},
        "auditor": {in_notice.pk, elsewhere.pk},
        "inside": {in_notice.pk},
        "outside": set(),
    }[role]
    assert listed == expected


def test_a_regulator_applies_and_takes_the_steps(client, users):
    license = factories.registrable_license(grantor=users["hangzhou"])
    client.force_login(users["inside"])
    response = client.post(
        reverse("admin:licensing_registration_add"),
        {
            "license": license.pk,
            "registrant_role": "implementing_body",
            "kind": "data_resource",
            "application_type": "first",
            "name": "公交刷卡数据",
            "summary": "Bus card taps by stop and hour.",
            "origin": "recorded",
            "occurred_on": "2026-11-20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reg = Registration.objects.get(name="公交刷卡数据")
    assert (reg.status, reg.applied_on.isoformat()) == ("applied", "2026-11-20")
    page = client.get(reverse("admin:licensing_registration_change", args=[reg.pk]))
    assert reverse("admin:licensing_registration_act", args=[reg.pk, "accept"]) in page.content.decode()
    url = reverse("admin:licensing_registration_act", args=[reg.pk, "return"])
    refused = client.post(url, {"version": reg.version, "occurred_on": "2026-11-29", "reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    accepted = client.post(
        reverse("admin:licensing_registration_act", args=[reg.pk, "accept"]),
        {"version": reg.version, "occurred_on": "2026-11-23"},
    )
    assert accepted.status_code == 302
    reg.refresh_from_db()
    assert (reg.status, reg.accepted_on.isoformat()) == ("under_review", "2026-11-23")
    stale = client.post(
        reverse("admin:licensing_registration_act", args=[reg.pk, "start_notice"]),
        {"version": reg.version - 1, "occurred_on": "2026-11-29"},
    )
    assert stale.status_code == 200 and "changed by someone else" in stale.content.decode()
    assert RegistrationEvent.objects.filter(registration=reg).count() == 2


def test_a_regulator_outside_cannot_register_against_the_license(client, users):
    license = factories.registrable_license(grantor=users["hangzhou"])
    client.force_login(users["outside"])
    page = client.get(reverse("admin:licensing_registration_add"))
    assert str(license.pk) not in [
        str(choice[0].value)
        for choice in page.context["adminform"].form.fields["license"].choices
        if choice[0]
    ]


@pytest.mark.parametrize(
    ("role", "queue", "evidence", "decide"),
    [
        ("superuser", True, 200, 302),
        ("inside", True, 200, 302),
        ("outside", False, 404, 404),
        ("auditor", True, 200, 403),
        ("anonymous", False, "login", "login"),
    ],
)
def test_the_objection_queue(client, users, in_notice, role, queue, evidence, decide):
    objection = registrations.file_objection(
        in_notice,
        name="张三",
        contact="z@example.org",
        reasons="Not theirs.",
        evidence=PDF,
        evidence_name="x.pdf",
    )
    _login(client, users, role)
    listing = client.get(reverse("admin:licensing_objection_changelist"))
    if role == "anonymous":
        _expect(listing, "login")
    else:
        assert (objection in listing.context["cl"].result_list) == queue
    download = client.get(reverse("admin:licensing_objection_evidence", args=[objection.pk]))
    _expect(download, evidence)
    if evidence == 200:
        assert download.content == PDF
        assert download["Content-Disposition"].startswith("attachment")
        assert download["X-Content-Type-Options"] == "nosniff"
    response = client.post(
        reverse("admin:licensing_objection_decide", args=[objection.pk, "uphold"]), {"note": "Convincing."}
    )
    _expect(response, decide)
    in_notice.refresh_from_db()
    objection.refresh_from_db()
    if decide == 302:
        assert (in_notice.status, objection.state) == ("terminated", "upheld")
    else:
        assert (in_notice.status, objection.state) == ("in_notice", "pending")


def test_dismissing_leaves_the_registration_under_notice(client, users, in_notice):
    objection = registrations.file_objection(
        in_notice, name="张三", contact="z@example.org", reasons="r", evidence=PDF, evidence_name="x.pdf"
    )
    client.force_login(users["inside"])
    client.post(
        reverse("admin:licensing_objection_decide", args=[objection.pk, "dismiss"]), {"note": "Unfounded."}
    )
    assert Objection.objects.get().state == "dismissed"
    in_notice.refresh_from_db()
    assert in_notice.status == "in_notice"


def test_admin_lists_cost_the_same_for_more_rows(client, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    license = factories.registrable_license(grantor=users["hangzhou"])
    client.force_login(users["inside"])

    def add(count):
        for _ in range(count):
            reg = factories.registration_in("in_notice", license=license)
            registrations.file_objection(
                reg, name="张三", contact="z@example.org", reasons="r", evidence=PDF, evidence_name="x.pdf"
            )

    def costs():
        found = []
        for url in ("admin:licensing_registration_changelist", "admin:licensing_objection_changelist"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(url)).status_code == 200
            found.append(len(queries))
        return found

    add(1)
    one = costs()
    add(5)
    assert costs() == one
