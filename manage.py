#!/usr/bin/env python
import os
import sys
from pathlib import Path

# Commands that only compare the code with itself: they sign nothing and serve no host, so the values
# production must give (with debug off) are not asked of them. `manage.py makemigrations --check` then
# runs on a bare checkout, as CI and reviewers run it.
CODE_ONLY_COMMANDS = {"import_template", "makemigrations"}

# `make run` writes the environment of the local set-up here (DJANGO_DEBUG=true), so that the commands
# run by hand after it (`manage.py shell`, `create_api_token`) see the same settings as the server. Only
# manage.py reads it, and a variable already set wins; REGISTRY_ENV_FILE names another file.
LOCAL_ENV = Path(__file__).resolve().parent / "var" / "local.env"


def read_local_env(path: Path) -> None:
    """Set the NAME=value lines of `path` (if it exists) that the environment does not set already."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        name, equals, value = line.strip().partition("=")
        if equals and not name.startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


if __name__ == "__main__":
    read_local_env(Path(os.environ.get("REGISTRY_ENV_FILE") or LOCAL_ENV))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("DJANGO_SECRET_KEY", "unused-by-" + sys.argv[1] + "-" + "x" * 40)
        os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A setting missing or unreadable: one line naming it, not a traceback (unless asked for one).
        if "--traceback" in sys.argv:
            raise
        sys.exit(f"error: {error}")
    except ModuleNotFoundError as error:
        # A package pyproject.toml asks for is not installed (a .venv older than the code, say).
        if "--traceback" in sys.argv:
            raise
        sys.exit(f"error: {error}; install what the project needs with `make install`")
