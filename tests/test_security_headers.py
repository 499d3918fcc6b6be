"""Headers on every response: a strict Content-Security-Policy (Django's own), a Permissions-Policy, and
no Server header from gunicorn. The API docs' inline code runs by the response's nonce; the browser test
(tests/e2e/test_csp_browser.py) shows that no page breaks the policy."""

import base64
import hashlib
import os
import re
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.template.loader import get_template
from django.urls import reverse

from . import factories

pytestmark = pytest.mark.django_db
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


def _nonce(response) -> str:
    (source,) = [s for s in _policy(response)["script-src"] if s.startswith("'nonce-")]
    return source.removeprefix("'nonce-").removesuffix("'")


def test_every_kind_of_response_carries_the_policies(client, admin_client):
    license = factories.license_in("listed")
    paths = [
        "/",
        f"/licenses/{license.number}/",
        f"/licenses/{license.number}/",  # from the page cache the second time
        "/licenses/?q=bus",
        "/verify/",
        "/no-such-page/",
        "/healthz",
        "/api/v1/licenses/",
        "/api/v1/nothing/",
        "/api/docs/",
        "/api/schema/",
        reverse("admin:login"),
    ]
    for path in paths:
        response = client.get(path)
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in policy["script-src"] + policy["style-src"], path
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"], path
        assert "camera=()" in response["Permissions-Policy"], path
    assert "Content-Security-Policy" in admin_client.get(reverse("admin:index"))


def test_the_api_docs_inline_code_carries_this_responses_nonce(client):
    first, second = client.get("/api/docs/"), client.get("/api/docs/")
    assert first.status_code == 200
    nonce = _nonce(first)
    assert nonce != _nonce(second)
    html = first.text
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert [tag for tag, _ in inline] == ["style", "script"]
    assert all(f'nonce="{nonce}"' in attributes for _, attributes in inline)


def test_public_and_admin_pages_have_no_inline_script_or_style(client, admin_client):
    license = factories.license_in("active")
    pages = [
        client.get("/"),
        client.get(f"/licenses/{license.number}/"),
        client.get("/licenses/"),
        client.get("/findings/"),
        client.get("/verify/"),
        # The QR code, the verdict, the chips and the sort links are markup without inline style.
        client.get(f"/verify/?q={license.operator.uscc}"),
        client.get(f"/operators/{license.operator.uscc}/"),
        client.get("/licenses/?status=active&sort=term_end"),
        client.get(reverse("admin:login")),
        admin_client.get(reverse("admin:index")),
        admin_client.get(reverse("admin:licensing_license_changelist")),
        admin_client.get(reverse("admin:licensing_license_change", args=[license.pk])),
    ]
    for response in pages:
        html = response.text
        assert response.status_code == 200
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html), response.request["PATH_INFO"]
        assert not re.search(r"\sstyle=\"|\son[a-z]+=\"|<style", html), response.request["PATH_INFO"]


def test_the_500_pages_inline_style_is_allowed_by_its_hash(settings):
    css = re.search(r"<style>(.*?)</style>", get_template("500.html").render(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in settings.SECURE_CSP["style-src"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_as_the_procfile_runs_it_sends_no_server_header(tmp_path):
    port = _free_port()
    web = (PROJECT_ROOT / "Procfile").read_text().split("web:", 1)[1].splitlines()[0].split()
    assert web[:4] == ["gunicorn", "registry.wsgi", "--config", "gunicorn.conf.py"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "registry.settings", "DJANGO_DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), *web[1:4], "--bind", f"127.0.0.1:{port}"],
        cwd=PROJECT_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stderr:
            if "Booting worker" in line:
                break
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/licensing/site.css", timeout=10
        ) as response:
            headers = response.headers
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert "Server" not in headers, headers["Server"]
    assert "Content-Security-Policy" in headers and "Permissions-Policy" in headers
