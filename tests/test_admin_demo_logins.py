"""The admin that `make run` opens with the printed demo logins."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from licensing.models import Authority, License, Operator, Regulator

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_logins(settings):
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_logins", stdout=out)
    settings.DEBUG = False
    return out.getvalue()


def _credentials(output, role) -> tuple[str, str]:
    """The username and password the command printed for `role`."""
    line = next(line for line in output.splitlines() if line.strip().startswith(f"{role}:"))
    return line.split(":", 1)[1].split()[0], line.split("/")[1].split()[0]


def _login(client, output, role):
    """Log in through the login form with the credentials the command printed."""
    username, password = _credentials(output, role)
    response = client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": reverse("admin:index")}
    )
    assert response.status_code == 302, role
    return username


def test_printed_logins_open_the_admin(client, demo_logins):
    for role in ("superuser", "regulator", "auditor"):
        _login(client, demo_logins, role)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        response = client.get(reverse("admin:licensing_license_changelist"))
        assert response.status_code == 200
        assert "330100-2023-0001" in response.text
        client.logout()


def test_regulator_belongs_to_hangzhou(demo_logins):
    regulator = Regulator.objects.get(user__username="hangzhou-regulator")
    assert regulator.authority.division_code == "330100"


def test_running_it_again_resets_and_reports(demo_logins, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_logins", stdout=out)
    assert out.getvalue() == demo_logins


@pytest.mark.parametrize("role", ["superuser", "regulator", "auditor"])
def test_running_it_again_restores_a_changed_password(client, demo_logins, settings, role):
    """A demo login whose password someone changed opens again with the printed one after a rerun."""
    username, password = _credentials(demo_logins, role)
    user = get_user_model().objects.get(username=username)
    user.set_password("changed-by-someone")
    user.save()
    refused = client.post(reverse("admin:login"), {"username": username, "password": password})
    assert refused.status_code == 200  # the form again: the printed password no longer opens it
    settings.DEBUG = True
    call_command("create_demo_logins", stdout=io.StringIO())
    _login(client, demo_logins, role)


def test_demo_logins_are_refused_with_debug_off(settings):
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refused with DJANGO_DEBUG off"):
        call_command("create_demo_logins")


def test_every_admin_page_of_the_superuser_answers(client, demo_logins):
    _login(client, demo_logins, "superuser")
    license = License.objects.get(number="330100-2023-0001")
    pages = [
        reverse("admin:licensing_license_change", args=[license.pk]),
        reverse("admin:licensing_licenseevent_changelist"),
        reverse("admin:licensing_licenseevent_change", args=[license.events.first().pk]),
        reverse("admin:licensing_operator_changelist"),
        reverse("admin:licensing_operator_change", args=[Operator.objects.first().pk]),
        reverse("admin:licensing_authority_changelist"),
        reverse("admin:licensing_authority_change", args=[Authority.objects.first().pk]),
        reverse("admin:licensing_regulator_changelist"),
        reverse("admin:licensing_license_changelist") + "?status__exact=expired",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("admin:licensing_license_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_speaks_the_visitors_language_and_offers_a_switch(client, demo_logins):
    _login(client, demo_logins, "regulator")
    english = client.get(reverse("admin:index"), headers={"accept-language": "en"})
    assert "Public-Data Operating License Registry" in english.text
    assert 'action="/i18n/setlang/"' in english.text
    chinese = client.get(reverse("admin:index"), headers={"accept-language": "zh-hans"})
    assert chinese.headers["Content-Language"] == "zh-hans"
    assert "简体中文" in chinese.text and "English" in chinese.text


def test_the_demo_auditor_reads_everything_and_changes_nothing(client, demo_logins):
    _login(client, demo_logins, "auditor")
    draft = License.objects.get(status="draft")
    page = client.get(reverse("admin:licensing_license_change", args=[draft.pk]))
    assert page.status_code == 200
    assert "/transition/" not in page.text
    assert client.get(reverse("admin:licensing_license_add")).status_code == 403
