"""Anonymous reads of the API's public resources skip the middleware they cannot use
(registry.middleware.AnonymousApiReadMiddleware): no session, CSRF, authentication, messages or lockout
work, and the same answer as the whole stack gives, headers included."""

import pytest
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client, override_settings

from .test_read_contract import API, ENDPOINTS, public  # noqa: F401 (the contract's records, a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

LEAN = "registry.middleware.AnonymousApiReadMiddleware"
SKIPPED = (SessionMiddleware, CsrfViewMiddleware, AuthenticationMiddleware, MessageMiddleware)
# Differ between any two requests, whichever path serves them.
PER_REQUEST_HEADERS = {"X-Request-ID"}


@pytest.fixture
def entered(monkeypatch):
    """The names of the skippable middleware each request went through."""
    seen = []
    for middleware in SKIPPED:
        original = middleware.process_request

        def spy(self, request, original=original, name=middleware.__name__):
            seen.append(name)
            return original(self, request)

        monkeypatch.setattr(middleware, "process_request", spy)
    return seen


def _whole_stack() -> Client:
    """A client served by every middleware, the lean path taken out."""
    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != LEAN]):
        whole = Client()
        whole.get("/api/v1/")  # the handler loads its middleware on its first request
    return whole


def _answer(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in PER_REQUEST_HEADERS}
    return response.status_code, headers, response.content


@pytest.mark.parametrize("name", API)
def test_an_anonymous_api_read_skips_sessions_csrf_auth_and_messages(client, public, entered, name):  # noqa: F811
    response = client.get(ENDPOINTS[name][0](public))
    assert response.status_code == 200
    assert entered == []


def test_a_read_with_credentials_or_a_session_or_of_a_page_takes_the_whole_stack(client, public, entered):  # noqa: F811
    every = [m.__name__ for m in SKIPPED]
    url = ENDPOINTS["api license"][0](public)
    for request in (
        lambda: client.get(url, headers={"Authorization": "Token nonsense"}),
        lambda: client.get(url, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}=anything"}),
        lambda: client.options(url),
        lambda: client.get("/licenses/"),
        lambda: client.get("/api/v1/"),  # the API's root is not a cached read
    ):
        entered.clear()
        request()
        assert entered == every


@pytest.mark.parametrize("name", API)
def test_the_lean_answer_is_the_whole_stacks_cold_and_warm(client, public, name):  # noqa: F811
    whole = _whole_stack()
    url = ENDPOINTS[name][0](public)
    cache.clear()
    lean_cold, whole_warm = client.get(url), whole.get(url)
    cache.clear()
    whole_cold, lean_warm = whole.get(url), client.get(url)
    assert _answer(lean_cold) == _answer(whole_cold)
    assert _answer(lean_warm) == _answer(whole_warm)
    # And so for the answers that are not a 200: an unknown parameter, a draft, a HEAD.
    naming_the_draft = ENDPOINTS[name][1]
    others = [f"{url}{'&' if '?' in url else '?'}colour=blue"]
    if naming_the_draft:
        others.append(naming_the_draft(public))
    for path in others:
        assert _answer(client.get(path)) == _answer(whole.get(path))
    assert _answer(client.head(url)) == _answer(whole.head(url))


def test_a_conditional_read_is_the_same_304(client, public):  # noqa: F811
    whole = _whole_stack()
    url = ENDPOINTS["api license"][0](public)
    etag = client.get(url)["ETag"]
    conditional = {"If-None-Match": etag}
    lean, full = client.get(url, headers=conditional), whole.get(url, headers=conditional)
    assert lean.status_code == 304
    assert _answer(lean) == _answer(full)
