"""Behind a proxy: login lockouts and throttles count the client's address as the trusted proxy reports
it, never the proxy's own (one client must not lock a user out for everyone) and never an address the
client wrote itself (rotating X-Forwarded-For must not escape a lockout). Token clients and anonymous
HTML searches are throttled too."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from licensing.models import Regulator

from . import factories

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"
PASSWORD = "right-password-123"


def _login(client, username, password, forwarded_for=None):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("admin:login"), {"username": username, "password": password}, **extra)


def _signed_in(response, client):
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_behind_a_trusted_proxy_a_lockout_holds_one_client_not_everyone(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factories.user("target", is_staff=True, password=PASSWORD)
    factories.user("colleague", is_staff=True, password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "target", "wrong", forwarded_for="203.0.113.5")
    assert _login(client, "target", PASSWORD, forwarded_for="203.0.113.5").status_code == 429
    # The client's own address in front of the proxy's entry is not believed either.
    assert _login(client, "target", PASSWORD, forwarded_for="198.51.100.9, 203.0.113.5").status_code == 429
    # Another client through the same proxy signs in as the same user.
    response = _login(client, "target", PASSWORD, forwarded_for="198.51.100.7")
    assert _signed_in(response, client)
    client.logout()
    # The locked-out address still signs in as another user: lockouts hold a user and an address.
    assert _signed_in(_login(client, "colleague", PASSWORD, forwarded_for="203.0.113.5"), client)


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(client, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    factories.user("target", is_staff=True, password=PASSWORD)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "target", "wrong", forwarded_for=f"192.0.2.{attempt}")
    assert _login(client, "target", PASSWORD, forwarded_for="192.0.2.200").status_code == 429


def test_a_malformed_forwarded_address_falls_back_to_the_peer(rf, settings):
    from registry.proxies import client_ip

    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address, 10.0.0.1")
    assert client_ip(request) == PROXY
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.1")
    assert client_ip(request) == "203.0.113.5"
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_ip(request) == "203.0.113.5"


def test_the_api_throttles_anonymous_clients_by_their_address_behind_the_proxy(settings, monkeypatch):
    from licensing.api.throttling import AnonymousReadThrottle

    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(AnonymousReadThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    api = APIClient(REMOTE_ADDR=PROXY)
    first = [
        api.get("/api/v1/authorities/", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code for _ in range(3)
    ]
    assert first == [200, 200, 429]
    assert api.get("/api/v1/authorities/", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200


def test_token_clients_are_throttled_per_user(settings):
    settings.API_USER_RATE = "3/minute"
    user = factories.user("inside")
    Regulator.objects.create(
        user=user, authority=factories.authority("330100"), contact_email="i@example.test"
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=factories.api_token_header(user))
    codes = [api.get("/api/v1/licenses/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = api.get("/api/v1/tokens/")
    assert last.status_code == 429 and int(last["Retry-After"]) > 0
    # Another user's token has its own count.
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=factories.api_token_header(factories.user("other")))
    assert other.get("/api/v1/licenses/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/licenses/?q=bus", "/verify/?name=%E6%9D%AD%E5%B7%9E&domain=", "/findings/?department=x"]
)
def test_anonymous_html_searches_are_throttled_with_retry_after(client, settings, path):
    settings.HTML_SEARCH_RATE = "2/minute"
    codes = [client.get(path, REMOTE_ADDR="203.0.113.5").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.get(path, REMOTE_ADDR="203.0.113.5", HTTP_ACCEPT_LANGUAGE="en")
    assert int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.text
    # Another address, plain browsing and signed-in users are not held back.
    assert client.get(path, REMOTE_ADDR="198.51.100.7").status_code == 200
    assert client.get("/licenses/?page=1", REMOTE_ADDR="203.0.113.5").status_code == 200
    assert client.get(path.split("?")[0], REMOTE_ADDR="203.0.113.5").status_code == 200
    client.force_login(factories.user("staff", is_staff=True))
    assert client.get(path, REMOTE_ADDR="203.0.113.5").status_code == 200
