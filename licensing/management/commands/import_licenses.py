import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from licensing import access
from licensing.imports import ImportFileError, import_licenses


class Command(BaseCommand):
    help = (
        "Import licenses with their parties and history from a CSV or XLSX file in the import template's "
        "format (docs/import.md), as a regulator: all rows or none. --dry-run checks every row and writes "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="the user the import acts as (a regulator, or a superuser); their jurisdiction applies",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row; write nothing")

    def handle(self, *args, file, username, dry_run, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        if not access.can_create_licenses(user):
            raise CommandError(
                f"{username} is neither a regulator nor a superuser: they may not import licenses."
            )
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            result = import_licenses(data, path.name, actor=user, dry_run=dry_run, progress=self._progress)
        except ImportFileError as error:
            raise CommandError(f"{path.name}: {error}") from None
        if self._progress_shown:
            sys.stderr.write("\n")
        if result.already_imported is not None:
            previous = result.already_imported
            self.stdout.write(
                f"{path.name} was already imported (import #{previous.pk}, {previous.created_at:%Y-%m-%d}): "
                "nothing to write."
            )
            return
        for line in result.problem_lines():
            self.stderr.write(line)
        counts = (
            f"{result.rows} rows: {result.created} created, {result.amended} amended, "
            f"{result.unchanged} unchanged"
        )
        if result.problems:
            raise CommandError(f"{len(result.problems)} problem(s) in {path.name}; nothing was written.")
        if dry_run:
            self.stdout.write(f"Dry run of {path.name}: no problems, nothing written (would be {counts}).")
        else:
            self.stdout.write(f"Imported {path.name} as import #{result.record.pk}: {counts}.")

    _progress_shown = False

    def _progress(self, stage, done, total):
        # One line, rewritten in place: rows checked, then rows written.
        self._progress_shown = True
        sys.stderr.write(f"\r{stage} {done}/{total} rows")
        sys.stderr.flush()
