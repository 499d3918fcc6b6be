"""Every input of every endpoint, fed the values that used to answer 500 (issue 14, item 8), on
PostgreSQL: no answer is a 5xx.

The endpoints are found, not listed:
- the site (public pages and the admin) by crawling from its front pages, as a visitor and as a
  superuser: every link's query parameters, every form's fields (GET and POST) and every path argument
  of every URL pattern reached. A URL pattern no crawl reaches fails the test (add a link to it, or say
  below why none can exist), so a new page is covered without touching this file;
- the API from its own OpenAPI document: every path, query parameter and request-body property of
  every operation, anonymously for reads and as a regulator with licenses for writes.

Writes run inside a transaction that is rolled back, so each starts from the same data.
"""

import html.parser
import io
import json
import re
import urllib.parse

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve
from django.urls.resolvers import URLResolver
from rest_framework.test import APIClient

from licensing import lifecycle, webhooks
from licensing.api.throttling import AnonymousReadThrottle
from licensing.models import Authority, License, LicenseImport, Regulator

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

# The class of values that broke the registry once: digits str.isdigit() takes and int() does not, or
# other scripts' digits, NUL and other control characters, bidirectional and zero-width controls,
# over-long strings and numbers, the calendar's ends, and what a JSON parser recurses on.
BAD_VALUES = [
    "²",
    "9" * 30,
    "a\x00b",
    "\u202eabc\u200b",
    "x" * 5000,
    "9999-12-31",
    "[" * 2000,
]
# Each parameter or form field alone: the values that pass the first checks and reach deeper ones
# (numbers, dates, the term rule). The others are sent to all of a page's inputs at once.
FIELD_VALUES = ["²", "9" * 30, "9999-12-31"]

# URL patterns no link or form leads to, and why. Any other pattern the crawl does not reach fails.
NOT_LINKED = {
    "admin/logout/": "a POST that ends the session the crawl runs in",
    "admin/password_change/": "the superuser's own password (Django's form, no registry input)",
    "admin/password_change/done/": "the page after a password change",
    "admin/autocomplete/": "Django's autocomplete, used by widgets this admin does not configure",
    "admin/r/<int:content_type_id>/<path:object_id>/": "Django's view-on-site redirect",
    "admin/(?P<url>.*)$": "Django's catch-all (every unknown admin address)",
    "admin/jsi18n/": "Django's JavaScript catalogue",
    "admin/login/": "the crawl is logged in",
    "admin/licensing/licenseimport/confirm/": "posted from a clean upload's preview (test_admin_imports.py)",
    "i18n/setlang/": "fuzzed as the language form of every page",
    "admin/axes/accessfailurelog/<path:object_id>/change/": "no rows: AXES_ENABLE_ACCESS_FAILURE_LOG is off",
    "downloads/snapshots/register-<str:day>.zip": "linked from /downloads/ once beat has written a snapshot",
    "favicon.ico": "asked for by browsers, not linked; redirects to the linked SVG (test_public_finish.py)",
    "alerts/": "the alerts form of license, operator, authority and search pages posts there (fuzzed so)",
    **{
        f"admin/licensing/{model}/<path:object_id>/change/": "no rows in the demo (test_alerts.py)"
        for model in ("alertsubscription", "alertconfirmation", "alertdigest")
    },
    "alerts/confirm/<str:token>/": "a signed link of the alert emails only (test_alerts.py)",
    "alerts/unsubscribe/<str:token>/": "a signed link of the alert emails only (test_alerts.py)",
    "alerts/manage/<str:token>/": "a signed link of the alert emails only (test_alerts.py)",
}
SAMPLES = 6
NOT_LINKED_PARTS = ("/delete/", "/add/", "/history/")  # reached per model when permitted; see below


class _Page(html.parser.HTMLParser):
    """The links and forms of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action") or "",
                    "method": (attrs.get("method") or "get").lower(),
                    "fields": [],
                }
            )
        elif not self.forms or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                value = None
            elif kind in ("submit", "button", "image", "file"):
                value = attrs.get("value") if kind == "submit" else None
            else:
                value = attrs.get("value") or ""
            self.forms[-1]["fields"].append([attrs["name"], value, kind])
        elif tag == "select":
            self._select = [attrs["name"], None, "select"]
            self.forms[-1]["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in attrs:
                self._select[1] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = [attrs["name"], "", "textarea"]
            self.forms[-1]["fields"].append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def _all_routes():
    def walk(patterns, prefix=""):
        # Joined as ResolverMatch.route joins them (a sub-pattern's leading "^" dropped).
        for pattern in patterns:
            route = prefix + str(pattern.pattern).removeprefix("^" if prefix else "")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    return set(walk(get_resolver().url_patterns))


def _route(path):
    match = resolve(path)
    return match.route, match


class _Failures(list):
    """The 5xx answers met, reported together at the end (one run shows every hole)."""

    def check(self, response, what):
        # /healthz answers 503 by design when the broker or the sweep is not there.
        if response.status_code >= 500 and not (
            response.status_code == 503 and response.wsgi_request.path == "/healthz"
        ):
            self.append(f"{response.status_code} for {what}")


_failures = _Failures()


def _assert_no_server_error(response, what):
    _failures.check(response, what)


@pytest.fixture(autouse=True)
def _fresh_failures():
    _failures.clear()


def _assert_none_failed():
    assert not _failures, f"{len(_failures)} server errors:\n" + "\n".join(_failures[:200])


class _Rollback(Exception):
    pass


def _rolled_back(send, *args, **kwargs):
    """`send(*args, **kwargs)` inside a transaction that is rolled back: each fuzzed write starts from
    the same data."""
    result = {}
    try:
        with transaction.atomic():
            result["response"] = send(*args, **kwargs)
            raise _Rollback
    except _Rollback:
        pass
    return result["response"]


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr(AnonymousReadThrottle, "allow_request", lambda self, request, view: True)
    call_command("load_demo", stdout=io.StringIO())
    root = User.objects.create_superuser("fuzz-root", "root@example.test", "x")
    hangzhou = Authority.objects.get(division_code="330100")
    regulator = User.objects.create_user("fuzz-regulator", is_staff=True)
    Regulator.objects.create(user=regulator, authority=hangzhou, contact_email="fuzz@example.test")
    assert License.objects.filter(grantor=hangzhou).exists()
    # A row behind every admin page: a token, reminders and notifications (the sweep), a lockout log, an
    # import.
    factories.api_token_header(regulator)
    LicenseImport.objects.create(
        actor=regulator, actor_repr="fuzz-regulator", file_name="f.csv", sha256="0" * 64
    )
    call_command("sweep", stdout=io.StringIO())
    active = License.objects.filter(grantor=hangzhou, status="active").first()
    lifecycle.transition(active, "suspend", actor=regulator, reason="Fuzz.", expected_version=active.version)
    # A webhook of the superuser the crawl signs in as, and one of the regulator the API fuzz writes as,
    # made after the change: no delivery leaves.
    webhooks.subscribe(root, "https://93.184.216.34/hook")
    webhooks.subscribe(regulator, "https://93.184.216.34/hook")
    Client().post("/admin/login/", {"username": "fuzz-root", "password": "wrong"})
    return {"root": root, "regulator": regulator, "hangzhou": hangzhou}


# The site ------------------------------------------------------------------------------------------------


def _crawl(client, seeds, reached, within):
    """Breadth-first over the site's own links under `within` from `seeds`: one page per URL pattern,
    with every query parameter name seen on links to it and every form found on it."""
    queue = list(seeds)
    seen_urls = set()
    while queue:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        parts = urllib.parse.urlsplit(url)
        try:
            route, match = _route(parts.path)
        except Resolver404:  # a link outside the URL patterns
            continue
        page = reached.setdefault(route, {"url": None, "params": set(), "forms": [], "read": 0})
        page["params"] |= set(urllib.parse.parse_qs(parts.query, keep_blank_values=True))
        # A few pages of each object's kind, for the links that depend on its state (renewing an
        # active license); one of every other page.
        if page["read"] >= (SAMPLES if match.kwargs else 1) or route in NOT_LINKED:
            continue
        page["read"] += 1
        response = client.get(url)
        _assert_no_server_error(response, url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            page["url"] = page["url"] or parts.path
            continue
        parser = _Page()
        parser.feed(response.content.decode())
        if page["url"] is None or not page["forms"]:
            page["url"], page["forms"] = parts.path, parser.forms
        for link in parser.links:
            absolute = urllib.parse.urljoin(url, link)
            split = urllib.parse.urlsplit(absolute)
            if split.netloc in ("", "testserver") and within(split.path):
                queue.append(urllib.parse.urlunsplit(("", "", split.path, split.query, "")))
        for form in parser.forms:
            if form["method"] == "get":
                action = urllib.parse.urljoin(url, form["action"] or parts.path)
                path = urllib.parse.urlsplit(action).path
                names = {name for name, _value, _kind in form["fields"]}
                queue.append(path + "?" + urllib.parse.urlencode({n: "" for n in names}))


def _fuzz_page(client, route, page, forms_done):
    path = page["url"]
    _route_name, match = _route(path)
    # Path arguments: each replaced by each value.
    for name, value in match.kwargs.items():
        for bad in BAD_VALUES:
            if bad:
                fuzzed = path.replace(urllib.parse.quote(str(value)), urllib.parse.quote(bad, safe=""), 1)
                _assert_no_server_error(client.get(fuzzed), f"{route} with {name}={bad[:20]!r}")
    # Query parameters: every one seen on a link or a GET form (plus paging, search and ordering on
    # lists), all at once given each value, and each alone given the values that reach furthest.
    names = page["params"] | (set() if match.kwargs else {"page", "q", "p", "o"})
    for bad in BAD_VALUES:
        _assert_no_server_error(client.get(path, dict.fromkeys(names, bad)), f"{route} ?*={bad[:20]!r}")
    for bad in FIELD_VALUES:
        for name in sorted(names):
            _assert_no_server_error(client.get(path, {name: bad}), f"{route} ?{name}={bad[:20]!r}")
    # POST forms (each once: the language switcher is on every page): every field given each value at
    # once, and each field alone given the values that reach furthest into validation (the others as
    # the page filled them). Rows of a formset count once.
    for form in page["forms"]:
        action = urllib.parse.urljoin(path, form["action"] or path)
        fields = [(n, v) for n, v, _kind in form["fields"] if v is not None]
        key = (_route(urllib.parse.urlsplit(action).path)[0], tuple(sorted({n for n, _v in fields})))
        if form["method"] != "post" or key in forms_done or key[0] == "admin/logout/":
            continue
        forms_done.add(key)
        fuzzable = {}
        for index, (name, _value) in enumerate(fields):
            if name != "csrfmiddlewaretoken":
                fuzzable.setdefault(re.sub(r"-\d+-", "-N-", name), index)
        if not fuzzable:
            continue
        cases = [(set(fuzzable.values()), bad) for bad in BAD_VALUES]
        cases += [({index}, bad) for index in fuzzable.values() for bad in FIELD_VALUES]
        for indexes, bad in cases:
            data = {}
            for index, (name, value) in enumerate(fields):
                data.setdefault(name, []).append(bad if index in indexes else value)
            response = _rolled_back(client.post, action, data)
            shown = fields[min(indexes)][0] if len(indexes) == 1 else "*"
            _assert_no_server_error(response, f"POST {action} {shown}={bad[:20]!r}")


def test_every_page_and_admin_input_takes_bad_values_without_a_server_error(demo):
    client = Client(raise_request_exception=False)  # a 500 is answered (and counted), not raised
    public, admin = {}, {}
    seeds = ["/", "/licenses/", "/verify/", "/findings/", "/feeds/changes.atom", "/healthz"]
    _crawl(client, seeds, public, lambda path: not path.startswith(("/static/", "/api/", "/admin/")))
    client.force_login(demo["root"])
    _crawl(client, ["/admin/"], admin, lambda path: path.startswith("/admin/"))
    reached = public | admin
    missing = {
        route
        for route in _all_routes() - {r for r, page in reached.items() if page["url"]}
        if not route.startswith("api/")
        and route not in NOT_LINKED
        and not route.endswith(NOT_LINKED_PARTS)
        and not route.endswith("<path:object_id>/")  # Django's redirect to .../change/
    }
    assert not missing, f"URL patterns no crawl reached (link them, or add them to NOT_LINKED): {missing}"
    forms_done = set()
    for route, page in sorted(admin.items()):
        if page["url"]:
            _fuzz_page(client, route, page, forms_done)
    client.logout()
    for route, page in sorted(public.items()):
        if page["url"]:
            _fuzz_page(client, route, page, forms_done)
    _assert_none_failed()


# The API ---------------------------------------------------------------------------------------------------


def _schema():
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _resolved(schema, node):
    while "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _path_values(api, template, values=None):
    """Real values for the path parameters of `template`, from the collections above them (/licenses/
    for {number}, then /licenses/{number}/products/ for {product_id}), choosing rows under which the
    rest of the path has rows too; None when there are none."""
    values = dict(values or {})
    names = [name for name in re.findall(r"{(\w+)}", template) if name not in values]
    if not names:
        return values
    name = names[0]
    collection = template[: template.index("{" + name + "}")].format(**values)
    response = api.get(collection, {"page_size": 200})
    if response.status_code == 400:  # not paged
        response = api.get(collection)
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    rows.sort(key=lambda row: row.get("status") != "active")  # an active license where there is one
    for row in rows:
        key = name if name in row else "id"
        found = _path_values(api, template, {**values, name: row[key]})
        if found is not None:
            return found
    return None


def _example(schema, name, node, known):
    """A value the schema allows for a required property (enough to get past "this field is required")."""
    node = _resolved(schema, node)
    if name in known:
        return known[name]
    if "enum" in node:
        return node["enum"][0]
    for choice in node.get("oneOf", []) + node.get("allOf", []):
        return _example(schema, name, choice, known)
    if node.get("type") == "array":
        return [_example(schema, name, node["items"], known)]
    if node.get("format") == "date":
        return "2027-01-01"
    return {"integer": 1, "boolean": False, "number": 1}.get(node.get("type"), "Fuzz")


def test_every_api_input_takes_bad_values_without_a_server_error(demo):
    schema = _schema()
    # A 500 is answered (and counted), not raised into the test.
    regulator = APIClient(raise_request_exception=False)
    regulator.force_authenticate(demo["regulator"])
    anonymous = APIClient(raise_request_exception=False)
    for template, operations in sorted(schema["paths"].items()):
        values = _path_values(regulator, template)
        assert values is not None, f"no rows to fill {template}: the demo data should have some"
        path = template.format(**values)
        for method, operation in operations.items():
            send = getattr(anonymous if method == "get" else regulator, method)
            # Path parameters.
            for name in values:
                for bad in BAD_VALUES:
                    if bad:
                        fuzzed = template.format(**{**values, name: urllib.parse.quote(bad, safe="")})
                        response = _rolled_back(send, fuzzed, format="json")
                        _assert_no_server_error(response, f"{method} {fuzzed[:80]}")
            # Query parameters.
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                for bad in BAD_VALUES:
                    response = send(path, {parameter["name"]: bad})
                    _assert_no_server_error(
                        response, f"{method} {template} ?{parameter['name']}={bad[:20]!r}"
                    )
            # Request bodies: each property given each value (and a list and an object where a value
            # belongs) on top of the required ones; and JSON nested as deep as a parser recurses.
            properties, base = _body_of(schema, operation, regulator, path, demo)
            for name in properties:
                for bad in [*BAD_VALUES, ["x"], {"": "x"}, None, 10**30, -1, True]:
                    body = {**base, name: bad}
                    response = _rolled_back(send, path, body, format="json")
                    _assert_no_server_error(response, f"{method} {template} {name}={str(bad)[:20]!r}")
            if properties:
                for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
                    response = _rolled_back(send, path, body, content_type="application/json")
                    _assert_no_server_error(response, f"{method} {template} deep JSON")
    _assert_none_failed()


def _body_of(schema, operation, client, path, demo):
    """The request body's properties, and a body of its required ones (with the object's version)."""
    content = operation.get("requestBody", {}).get("content", {})
    node = content.get("application/json", {}).get("schema")
    if node is None:
        return {}, {}
    node = _resolved(schema, node)
    properties = node.get("properties", {})
    known = {"grantor_id": demo["hangzhou"].pk}
    if "version" in properties:
        # The version of the object the write is addressed to: a license, or a call.
        object_path = re.match(r"/api/v1/[^/]+/[^/]+/", path).group()
        known["version"] = client.get(object_path).json()["version"]
    required = set(node.get("required", [])) | ({"version"} & set(properties))
    base = {name: _example(schema, name, properties[name], known) for name in sorted(required)}
    return properties, base
