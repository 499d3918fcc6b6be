"""The local set-up of `make run`: a line per email on the console, manage.py reading var/local.env, a
one-line error for a missing setting, and a cache every local process shares (files, without Redis)."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.core.mail import EmailMessage

from registry.mail import SummaryEmailBackend

from .test_settings import _child_env, _key, _run

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


# The console mailer ---------------------------------------------------------------------------------------


def test_console_mailer_prints_a_line_per_email_with_recipients_and_subject_and_no_body():
    stream = io.StringIO()
    messages = [
        EmailMessage(
            "License 330100-2023-0001 expires\nin 12 days",
            "The body, which the line leaves out.",
            "registry@localhost",
            ["operator@example.org"],
            cc=["regulator@example.org"],
        ),
        EmailMessage("许可已变更", "正文" * 200, "registry@localhost", ["other@example.org"]),
    ]
    messages[0].attach("notice.txt", "an attachment", "text/plain")

    sent = SummaryEmailBackend(stream=stream).send_messages(messages)

    assert sent == 2
    assert stream.getvalue().splitlines() == [
        "email to operator@example.org, regulator@example.org: License 330100-2023-0001 expires in 12 days",
        "email to other@example.org: 许可已变更",
    ]


# manage.py and var/local.env --------------------------------------------------------------------------------


def _manage(tmp_path, *args, manage=PROJECT_ROOT / "manage.py", **variables):
    """manage.py with none of the settings variables but `variables`, its data under tmp_path."""
    data = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'registry.sqlite3'}",
        "CACHE_DIR": str(tmp_path / "cache"),
    }
    return _run([str(manage), *args], **{"DJANGO_ALLOWED_HOSTS": "", **data, **variables})


_PRINT_DEBUG = "from django.conf import settings; print('DEBUG', settings.DEBUG)"


def _local_env(path: Path, text: str = "# made by a test\nDJANGO_DEBUG=true\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_manage_reads_var_local_env_next_to_it(tmp_path):
    """As after `make run`: var/local.env beside manage.py gives debug to a command run by hand. (A copy
    of manage.py in tmp_path, so the repository's var/ is neither read nor written.)"""
    manage = shutil.copy(PROJECT_ROOT / "manage.py", tmp_path / "manage.py")
    _local_env(tmp_path / "var" / "local.env")
    env = {"PYTHONPATH": str(PROJECT_ROOT)}
    env_file = {"REGISTRY_ENV_FILE": ""}  # unset: the default, var/local.env beside manage.py

    result = _manage(tmp_path, "shell", "-c", _PRINT_DEBUG, manage=manage, **env, **env_file)

    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout


def test_manage_reads_the_env_file_and_the_environment_wins(tmp_path):
    env_file = str(_local_env(tmp_path / "local.env"))

    with_file = _manage(tmp_path, "shell", "-c", _PRINT_DEBUG, REGISTRY_ENV_FILE=env_file)
    assert with_file.returncode == 0, with_file.stderr
    assert "DEBUG True" in with_file.stdout

    overridden = _manage(
        tmp_path,
        "shell",
        "-c",
        _PRINT_DEBUG,
        REGISTRY_ENV_FILE=env_file,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=_key(),
        DJANGO_ALLOWED_HOSTS="registry.example.org",
    )
    assert overridden.returncode == 0, overridden.stderr
    assert "DEBUG False" in overridden.stdout


def test_a_missing_setting_is_one_line_not_a_traceback(tmp_path):
    result = _manage(tmp_path, "check", REGISTRY_ENV_FILE=str(tmp_path / "absent.env"))

    assert result.returncode == 1, result.stdout
    assert result.stderr.strip() == (
        "error: DJANGO_SECRET_KEY must be set: it signs sessions and tokens, and DJANGO_DEBUG is off."
    )


def test_a_missing_package_is_one_line_that_says_how_to_install_it(tmp_path):
    # As in a .venv made before a dependency was added: importing it fails.
    missing = "raise ModuleNotFoundError(\"No module named 'tablib'\", name='tablib')\n"
    (tmp_path / "tablib.py").write_text(missing)
    result = _manage(
        tmp_path, "makemigrations", "--check", "--dry-run", PYTHONPATH=str(tmp_path), DJANGO_ALLOWED_HOSTS="x"
    )

    assert result.returncode == 1, result.stdout
    assert result.stderr.strip() == (
        "error: No module named 'tablib'; install what the project needs with `make install`"
    )


# The cache all local processes share ---------------------------------------------------------------------

_CACHED = """
import sys
import django

django.setup()
from licensing import cache

if sys.argv[1] == "bump":
    cache.bump()
else:
    print(cache.cached(("a page",), lambda: sys.argv[1].encode()).decode())
"""


def _python(tmp_path, script: str, *args: str, **variables) -> subprocess.Popen:
    env = _child_env(
        DJANGO_DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'registry.sqlite3'}",
        CACHE_DIR=str(tmp_path / "cache"),
        **variables,
    )
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _output(process: subprocess.Popen) -> str:
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, stderr
    return stdout.strip()


def test_processes_without_redis_share_the_cache_and_its_invalidation(tmp_path):
    """A page cached by the server is served by another process, and a command's change (a bump)
    reaches the server's next read."""
    assert _output(_python(tmp_path, _CACHED, "built by the first")) == "built by the first"
    assert _output(_python(tmp_path, _CACHED, "built by the second")) == "built by the first"
    _output(_python(tmp_path, _CACHED, "bump"))
    assert _output(_python(tmp_path, _CACHED, "built after the change")) == "built after the change"


_INCREMENTS = 300
_INCREMENT = f"""
import django
from django.core.cache import cache

django.setup()
for _ in range({_INCREMENTS}):
    cache.incr("counter")
print(cache.get("counter"))
"""


_START_COUNTER = 'import django; django.setup(); from django.core.cache import cache; cache.set("counter", 0)'


def test_increments_from_concurrent_processes_are_all_counted(tmp_path):
    """licensing.cache invalidates by incrementing counters: an increment lost to a race could leave a
    stale body served."""
    _output(_python(tmp_path, _START_COUNTER))
    processes = [_python(tmp_path, _INCREMENT) for _ in range(3)]
    finals = [int(_output(process)) for process in processes]
    assert max(finals) == 3 * _INCREMENTS


# Which cache and mailer the settings choose ----------------------------------------------------------------

_PRINT = """
import json
import django
from django.conf import settings

django.setup()
print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"],
    "location": str(settings.CACHES["default"].get("LOCATION")),
    "mailer": settings.MAILERS["default"]["BACKEND"],
    "task_log": settings.LOGGING["loggers"].get("celery.app.trace", {}).get("level"),
}))
"""


def _chosen(**variables: str) -> dict:
    result = _run(["-c", _PRINT], **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_redis_in_debug_the_cache_is_files_under_var_and_email_a_line_each():
    chosen = _chosen(DJANGO_DEBUG="true")
    assert chosen["cache"] == "registry.filecache.SharedFileCache"
    assert Path(chosen["location"]) == PROJECT_ROOT / "var" / "cache"
    assert chosen["mailer"] == "registry.mail.SummaryEmailBackend"
    # Eager tasks: no "Task licensing.deliver[...] succeeded" line after each email's.
    assert chosen["task_log"] == "WARNING"


def test_with_redis_the_cache_is_redis_and_whole_emails_on_request():
    chosen = _chosen(DJANGO_DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/15", EMAIL_CONSOLE="full")
    assert chosen["cache"] == "registry.rediscache.SharedClientRedisCache"
    assert chosen["mailer"] == "django.core.mail.backends.console.EmailBackend"
    assert chosen["task_log"] is None  # a worker logs its tasks


def test_production_without_a_mail_host_prints_whole_emails():
    chosen = _chosen(DJANGO_SECRET_KEY=_key())
    assert chosen["mailer"] == "django.core.mail.backends.console.EmailBackend"


def test_the_tests_keep_a_cache_of_their_own():
    from django.conf import settings

    if not os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert "var" not in str(settings.CACHES["default"].get("LOCATION", ""))
