"""Running the reminders in production: the beat schedule, its settings, the Procfile and make targets."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from .test_settings import _key, _run

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_PRINT = """
import json
import django
from django.conf import settings

django.setup()
from registry.celery import app

entry = app.conf.beat_schedule["licensing-sweep"]
app.loader.import_default_modules()  # what a worker does at start: autodiscovery finds licensing.tasks
print(json.dumps({
    "tasks": sorted(name for name in app.tasks if name.startswith("licensing.")),
    "task": entry["task"],
    "schedule": entry["schedule"],
    "SITE_URL": settings.SITE_URL,
    "LICENSING_SEND_MAX_ATTEMPTS": settings.LICENSING_SEND_MAX_ATTEMPTS,
    "LICENSING_SEND_RETRY_MINUTES": settings.LICENSING_SEND_RETRY_MINUTES,
    "LICENSING_SEND_LEASE_MINUTES": settings.LICENSING_SEND_LEASE_MINUTES,
}))
"""


def _values(**variables):
    # SITE_URL is not among the names the settings tests' child environment clears: blank means unset.
    variables = {"SITE_URL": "", **variables}
    result = _run(["-c", _PRINT], DJANGO_SECRET_KEY=_key(), **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_beat_runs_the_registered_sweep_task_hourly_by_default():
    assert _values() == {
        "tasks": [
            "licensing.deliver",
            "licensing.dispatch_webhooks",
            "licensing.sweep",
            "licensing.write_snapshot",
        ],
        "task": "licensing.sweep",
        "schedule": 3600.0,
        "SITE_URL": "http://127.0.0.1:8000",
        "LICENSING_SEND_MAX_ATTEMPTS": 5,
        "LICENSING_SEND_RETRY_MINUTES": 30,
        "LICENSING_SEND_LEASE_MINUTES": 10,
    }


def test_schedule_and_sending_follow_the_environment():
    values = _values(
        LICENSING_SWEEP_INTERVAL_MINUTES="15",
        LICENSING_SEND_MAX_ATTEMPTS="3",
        LICENSING_SEND_RETRY_MINUTES="5",
        LICENSING_SEND_LEASE_MINUTES="2",
        SITE_URL="https://registry.example.org/",
    )
    assert values["schedule"] == 900.0
    assert values["SITE_URL"] == "https://registry.example.org"
    assert (
        values["LICENSING_SEND_MAX_ATTEMPTS"],
        values["LICENSING_SEND_RETRY_MINUTES"],
        values["LICENSING_SEND_LEASE_MINUTES"],
    ) == (3, 5, 2)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LICENSING_SWEEP_INTERVAL_MINUTES", "hourly", "'hourly'"),
        ("LICENSING_SWEEP_INTERVAL_MINUTES", "0", "at least 1"),
        ("LICENSING_SEND_MAX_ATTEMPTS", "0", "at least 1"),
        ("LICENSING_SEND_LEASE_MINUTES", "x", "'x'"),
        ("SITE_URL", "registry.example.org", "'registry.example.org'"),
        ("SITE_URL", "ftp://registry.example.org", "http(s)"),
        ("SITE_URL", "https://", "http(s)"),
        ("SITE_URL", "https://registry.example.org/?a=1", "http(s)"),
    ],
)
def test_bad_values_stop_the_process(variable, value, expected):
    result = _run(["-c", "import django; django.setup()"], DJANGO_SECRET_KEY=_key(), **{variable: value})
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr and expected in result.stderr, result.stderr


def test_procfile_runs_web_worker_and_one_beat():
    processes = dict(
        line.split(":", 1) for line in (PROJECT_ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"].split()[:2] == ["gunicorn", "registry.wsgi"]
    assert "celery -A registry worker" in processes["worker"]
    assert "celery -A registry beat" in processes["beat"]
    from registry.wsgi import application

    assert callable(application)


def _make(*args: str, **environ: str | None) -> subprocess.CompletedProcess:
    """`make` in the project, with the environment changed by `environ` (None removes a variable)."""
    env = {**os.environ, **environ}
    env = {name: value for name, value in env.items() if value is not None}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_make_worker_and_beat_need_a_broker():
    for target in ("worker", "beat"):
        result = _make(target, REDIS_URL=None)
        assert result.returncode != 0
        assert f"make {target} needs REDIS_URL" in result.stderr


def test_make_worker_and_beat_start_celery():
    for target in ("worker", "beat"):
        result = _make("--dry-run", target, REDIS_URL="redis://127.0.0.1:6379/14")
        assert result.returncode == 0, result.stderr
        assert f"celery -A registry {target}" in result.stdout
