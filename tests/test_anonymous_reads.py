"""Anonymous reads of the public pages and API resources skip the middleware they cannot use
(registry.middleware.AnonymousReadMiddleware): no session, authentication or messages work, and the same
answer as the whole stack gives, headers and cookies included."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.test import Client, override_settings

from .test_read_contract import API, ENDPOINTS, public  # noqa: F401 (the contract's records, a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

LEAN = "registry.middleware.AnonymousReadMiddleware"
SKIPPED = (SessionMiddleware, AuthenticationMiddleware, MessageMiddleware)
PAGES = ["home", "licenses", "license", "operator", "authority", "verify", "findings", "calls", "call"]
READS = API + PAGES
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
        whole.get("/healthz")  # the handler loads its middleware on its first request
    return whole


def _get(client, path, method="get", cookies=None, **kwargs):
    """The answer to a visitor carrying `cookies` and no other (each client keeps what it is sent)."""
    client.cookies.clear()
    for name, value in (cookies or {}).items():
        client.cookies[name] = value
    return getattr(client, method)(path, **kwargs)


def _answer(response) -> tuple:
    """Status, headers, cookies set (without their values) and body (without the visitor's own CSRF
    token: each visitor gets a token of their own, on either path)."""
    headers = {k: v for k, v in response.headers.items() if k not in PER_REQUEST_HEADERS}
    cookies = {name: dict(morsel.items()) for name, morsel in response.cookies.items()}
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)
    return response.status_code, headers, cookies, body


@pytest.mark.parametrize("name", READS)
def test_an_anonymous_read_skips_sessions_auth_and_messages(client, public, entered, name):  # noqa: F811
    response = _get(client, ENDPOINTS[name][0](public))
    assert response.status_code == 200
    assert entered == []
    # Also for a visitor who has a CSRF token and a language already: neither makes them anyone.
    known = {settings.CSRF_COOKIE_NAME: "a" * 32, settings.LANGUAGE_COOKIE_NAME: "en"}
    assert _get(client, ENDPOINTS[name][0](public), cookies=known).status_code == 200
    assert entered == []


def test_a_read_by_someone_or_of_anything_else_takes_the_whole_stack(client, public, entered):  # noqa: F811
    every = [m.__name__ for m in SKIPPED]
    for path, kwargs in (
        (ENDPOINTS["api license"][0](public), {"headers": {"Authorization": "Token nonsense"}}),
        (ENDPOINTS["api license"][0](public), {"cookies": {settings.SESSION_COOKIE_NAME: "anything"}}),
        (ENDPOINTS["license"][0](public), {"cookies": {"messages": "anything"}}),
        (ENDPOINTS["api license"][0](public), {"method": "options"}),
        ("/api/v1/", {}),  # the API's root is not a public read
        (ENDPOINTS["license feed"][0](public), {}),  # nor is a feed
        ("/admin/login/", {}),
    ):
        entered.clear()
        _get(client, path, **kwargs)
        assert entered == every, path


@pytest.mark.parametrize("name", READS)
def test_the_lean_answer_is_the_whole_stacks_cold_and_warm(client, public, name):  # noqa: F811
    whole = _whole_stack()
    url = ENDPOINTS[name][0](public)
    cache.clear()
    lean_cold, whole_warm = _get(client, url), _get(whole, url)
    cache.clear()
    whole_cold, lean_warm = _get(whole, url), _get(client, url)
    assert _answer(lean_cold) == _answer(whole_cold)
    assert _answer(lean_warm) == _answer(whole_warm)
    known = {settings.CSRF_COOKIE_NAME: "a" * 32, settings.LANGUAGE_COOKIE_NAME: "en"}
    assert _answer(_get(client, url, cookies=known)) == _answer(_get(whole, url, cookies=known))
    # And so for the answers that are not a 200: an unknown parameter (a 400 in the API), a draft (404),
    # and HEAD.
    naming_the_draft = ENDPOINTS[name][1]
    others = [f"{url}{'&' if '?' in url else '?'}colour=blue"]
    if naming_the_draft:
        others.append(naming_the_draft(public))
    for path in others:
        assert _answer(_get(client, path)) == _answer(_get(whole, path))
    assert _answer(_get(client, url, method="head")) == _answer(_get(whole, url, method="head"))


def test_a_conditional_read_is_the_same_304(client, public):  # noqa: F811
    whole = _whole_stack()
    url = ENDPOINTS["api license"][0](public)
    conditional = {"If-None-Match": _get(client, url)["ETag"]}
    lean, full = _get(client, url, headers=conditional), _get(whole, url, headers=conditional)
    assert lean.status_code == 304
    assert _answer(lean) == _answer(full)
