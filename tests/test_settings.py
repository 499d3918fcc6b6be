"""Settings from the environment: strict helpers, and the whole settings module as a deployment sees it."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from registry.env import env_bool, env_int, env_int_list, env_list, env_required, env_str

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR = "PDOL_TEST_VARIABLE"
TIMEOUT = 60

# Variables the settings module reads; the child process gets none of them unless a test sets them, so the
# developer's shell (or the test settings, which set a key in this process) cannot change the outcome.
_SETTINGS_PREFIXES = ("DJANGO_", "EMAIL_", "LICENSING_", "DATABASE_")
_SETTINGS_NAMES = {"REDIS_URL", "CACHE_URL", "CACHE_DIR", "REQUIRE_SERVICES", "DEFAULT_FROM_EMAIL"}


# The helpers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("YES", True),
        ("on", True),
        ("On", True),
        (" true ", True),
        ("false", False),
        ("FALSE", False),
        ("0", False),
        ("no", False),
        ("No", False),
        ("off", False),
        ("OFF", False),
    ],
)
def test_env_bool_reads_every_spelling(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_gives_the_default(monkeypatch, default):
    monkeypatch.delenv(VAR, raising=False)
    assert env_bool(VAR, default) is default


@pytest.mark.parametrize("blank", ["", "   "])
@pytest.mark.parametrize("default", [True, False])
def test_env_bool_blank_gives_the_default(monkeypatch, blank, default):
    monkeypatch.setenv(VAR, blank)
    assert env_bool(VAR, default) is default


@pytest.mark.parametrize("bad", ["maybe", "2", "truee", "y"])
def test_env_bool_bad_value_names_variable_and_value(monkeypatch, bad):
    monkeypatch.setenv(VAR, bad)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_bool(VAR, True)
    message = str(excinfo.value)
    assert VAR in message
    assert repr(bad) in message


def test_env_str_default_and_value(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_str(VAR, "fallback") == "fallback"
    monkeypatch.setenv(VAR, "  value  ")
    assert env_str(VAR, "fallback") == "value"


def test_env_int_reads_number_and_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_int(VAR, 7) == 7
    monkeypatch.setenv(VAR, "42")
    assert env_int(VAR, 7, minimum=1) == 42
    monkeypatch.setenv(VAR, "1")
    assert env_int(VAR, 7, minimum=1) == 1


def test_env_int_bad_value(monkeypatch):
    monkeypatch.setenv(VAR, "ten")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int(VAR, 10)
    assert VAR in str(excinfo.value)
    assert "'ten'" in str(excinfo.value)


def test_env_int_below_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "0")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int(VAR, 10, minimum=1)
    message = str(excinfo.value)
    assert VAR in message
    assert "at least 1" in message
    assert "0" in message


def test_env_list_splits_and_strips(monkeypatch):
    monkeypatch.setenv(VAR, "a, b ,c")
    assert env_list(VAR, ["x"]) == ["a", "b", "c"]


def test_env_list_unset_gives_a_copy_of_the_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    default = ["x", "y"]
    result = env_list(VAR, default)
    assert result == ["x", "y"]
    result.append("z")
    assert default == ["x", "y"]


@pytest.mark.parametrize("bad", ["a,,b", "a,b,", ",a", "a, ,b"])
def test_env_list_empty_item(monkeypatch, bad):
    monkeypatch.setenv(VAR, bad)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_list(VAR, [])
    assert VAR in str(excinfo.value)
    assert repr(bad) in str(excinfo.value)


def test_env_int_list_reads_numbers(monkeypatch):
    monkeypatch.setenv(VAR, "90, 30,7")
    assert env_int_list(VAR, [1], minimum=1) == [90, 30, 7]
    monkeypatch.delenv(VAR)
    assert env_int_list(VAR, [5, 6]) == [5, 6]


def test_env_int_list_non_number(monkeypatch):
    monkeypatch.setenv(VAR, "90,x")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int_list(VAR, [90])
    assert VAR in str(excinfo.value)
    assert "'x'" in str(excinfo.value)


def test_env_int_list_below_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "30,0")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int_list(VAR, [90], minimum=1)
    assert VAR in str(excinfo.value)
    assert "at least 1" in str(excinfo.value)


@pytest.mark.parametrize("missing", [None, "", "  "])
def test_env_required_missing(monkeypatch, missing):
    if missing is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, missing)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_required(VAR, "the test needs it")
    assert f"{VAR} must be set" in str(excinfo.value)
    assert "the test needs it" in str(excinfo.value)


def test_env_required_present(monkeypatch):
    monkeypatch.setenv(VAR, " s3cret ")
    assert env_required(VAR, "why") == "s3cret"


# The whole settings module, imported fresh in a child process -------------------------------------------


def _child_env(**variables: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_SETTINGS_PREFIXES) and name not in _SETTINGS_NAMES
    }
    env["DJANGO_SETTINGS_MODULE"] = "registry.settings"
    # Not the var/local.env a `make run` in this checkout wrote (manage.py reads it).
    env["REGISTRY_ENV_FILE"] = os.devnull
    # Required with debug off; tests of its absence pass an empty value.
    env["DJANGO_ALLOWED_HOSTS"] = "registry.example.org"
    env.update(variables)
    return env


def _run(args: list[str], **variables: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=_child_env(**variables),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _setup(**variables: str) -> subprocess.CompletedProcess:
    return _run(["-c", "import django; django.setup()"], **variables)


def _key() -> str:
    key = secrets.token_urlsafe(45)  # 45 random bytes -> 60 characters
    assert len(key) == 60
    return key


def test_child_process_starts_with_valid_settings():
    """The control for the failure cases below: the same child succeeds when nothing is wrong."""
    result = _setup(DJANGO_SECRET_KEY=_key())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"DJANGO_DEBUG": "maybe"}, ["DJANGO_DEBUG", "'maybe'"]),
        ({"DJANGO_ALLOWED_HOSTS": ""}, ["DJANGO_ALLOWED_HOSTS must be set"]),
        ({"LICENSING_MAX_TERM_YEARS": "five"}, ["LICENSING_MAX_TERM_YEARS", "'five'"]),
        ({"LICENSING_MAX_TERM_YEARS": "0"}, ["LICENSING_MAX_TERM_YEARS", "at least 1"]),
        ({"LICENSING_REMINDER_DAYS": "90,x"}, ["LICENSING_REMINDER_DAYS", "'x'"]),
        ({"LICENSING_REMINDER_DAYS": "90,,30"}, ["LICENSING_REMINDER_DAYS", "empty items"]),
        ({"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "abc"}, ["EMAIL_PORT", "'abc'"]),
        # Read even without a host, so a typo fails before the host is added.
        ({"EMAIL_PORT": "abc"}, ["EMAIL_PORT", "'abc'"]),
        ({"DJANGO_LOG_LEVEL": "verbose"}, ["DJANGO_LOG_LEVEL", "'verbose'", "WARNING"]),
        ({"EMAIL_USE_TLS": "sometimes"}, ["EMAIL_USE_TLS", "'sometimes'"]),
        ({"DJANGO_ALLOWED_HOSTS": "a.example.org,"}, ["DJANGO_ALLOWED_HOSTS"]),
        ({"DATABASE_URL": "nonsense://x"}, ["ImproperlyConfigured", "DATABASE_URL"]),
    ],
    ids=lambda value: "-".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None,
)
def test_bad_setting_stops_the_process(variables, expected):
    result = _setup(DJANGO_SECRET_KEY=_key(), **variables)
    assert result.returncode != 0, f"started despite {variables}:\n{result.stdout}\n{result.stderr}"
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def test_production_without_secret_key_stops_the_process():
    result = _setup(DJANGO_DEBUG="false")
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr, result.stderr


def _manage(*args: str) -> subprocess.CompletedProcess:
    """manage.py in a bare environment: none of the settings variables, as on a fresh checkout."""
    env = _child_env()
    del env["DJANGO_ALLOWED_HOSTS"]
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_makemigrations_check_runs_on_a_bare_checkout():
    result = _manage("makemigrations", "--check")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_other_commands_still_need_the_secret_key_with_debug_off():
    result = _manage("check")
    assert result.returncode != 0, result.stdout
    assert "DJANGO_SECRET_KEY must be set" in result.stderr, result.stderr


def test_debug_without_secret_key_starts():
    result = _setup(DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr


_PRINT_SETTINGS = """
import json
import django
from django.conf import settings

django.setup()
database = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "LICENSING_MAX_TERM_YEARS": settings.LICENSING_MAX_TERM_YEARS,
    "LICENSING_REMINDER_DAYS": settings.LICENSING_REMINDER_DAYS,
    "TIME_ZONE": settings.TIME_ZONE,
    "LANGUAGES": [code for code, _name in settings.LANGUAGES],
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "ENGINE": database["ENGINE"],
    "NAME": str(database["NAME"]),
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
}))
"""


def _settings(**variables: str) -> dict:
    result = _run(["-c", _PRINT_SETTINGS], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults():
    values = _settings(DJANGO_SECRET_KEY=_key())
    assert values["DEBUG"] is False
    assert values["LICENSING_MAX_TERM_YEARS"] == 5
    assert values["LICENSING_REMINDER_DAYS"] == [90, 30, 7]
    assert values["TIME_ZONE"] == "Asia/Shanghai"
    assert values["LANGUAGES"] == ["zh-hans", "en"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    # A host in the URL: kombu warns "No hostname was supplied" about a bare memory://.
    assert values["CELERY_BROKER_URL"] == "memory://localhost/"
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(values["NAME"]).parent == PROJECT_ROOT / "var"
    assert values["SESSION_COOKIE_SECURE"] is True


def test_values_from_the_environment():
    values = _settings(
        DJANGO_SECRET_KEY=_key(),
        REDIS_URL="redis://127.0.0.1:6379/15",
        LICENSING_MAX_TERM_YEARS="3",
        LICENSING_REMINDER_DAYS="7, 60,30,7",
    )
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/15"
    assert values["LICENSING_MAX_TERM_YEARS"] == 3
    # Sorted, longest notice first, duplicates dropped.
    assert values["LICENSING_REMINDER_DAYS"] == [60, 30, 7]


def test_deploy_check_is_quiet_in_production(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        # Its files in tmp_path, not the checkout's var/.
        DATABASE_URL=f"sqlite:///{tmp_path / 'registry.sqlite3'}",
        CACHE_DIR=str(tmp_path / "cache"),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=_key(),
        DJANGO_ALLOWED_HOSTS="registry.example.org",
        # A deployment sends its reminders by SMTP; without a host the console mailer fails the check.
        EMAIL_HOST="smtp.example.org",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


# The test settings under pytest-xdist -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/15", "gw0", "redis://127.0.0.1:6379/15"),
        ("redis://127.0.0.1:6379/15", "gw1", "redis://127.0.0.1:6379/14"),
        ("redis://127.0.0.1:6379/1", "gw3", "redis://127.0.0.1:6379/14"),
        ("redis://:secret@cache:6380", "gw2", "redis://:secret@cache:6380/14"),
    ],
)
def test_each_test_worker_takes_a_redis_database_of_its_own(url, worker, expected):
    # Each worker flushes its cache per test and runs Celery workers on its broker: sharing one database,
    # a worker would flush the other's cache and take its tasks.
    from registry.test_settings import _redis_of_this_worker

    assert _redis_of_this_worker(url, worker) == expected


def test_a_process_a_test_worker_starts_keeps_that_workers_redis_database():
    # A Celery worker started by a test inherits PYTEST_XDIST_WORKER and is given the worker's REDIS_URL:
    # shifting it a second time would put it on another broker, where it never sees the test's tasks.
    code = "import django; django.setup(); from django.conf import settings; print(settings.REDIS_URL)"
    base = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "registry.test_settings",
        "PYTEST_XDIST_WORKER": "gw1",
    }

    def redis_url(**env):
        return subprocess.run(
            [sys.executable, "-c", code],
            env={**base, **env},
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=TIMEOUT,
        ).stdout.strip()

    worker = redis_url(REDIS_URL="redis://127.0.0.1:6379/15")
    assert worker == "redis://127.0.0.1:6379/14"
    assert redis_url(REDIS_URL=worker, REDIS_URL_OF_TEST_WORKER=worker) == worker
