#!/usr/bin/env python
import os
import sys

# Commands that only compare the code with itself: they sign nothing and serve no host, so the values
# production must give (with debug off) are not asked of them. `manage.py makemigrations --check` then
# runs on a bare checkout, as CI and reviewers run it.
CODE_ONLY_COMMANDS = {"makemigrations"}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("DJANGO_SECRET_KEY", "unused-by-" + sys.argv[1] + "-" + "x" * 40)
        os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
