"""The project stays consistent: migrations match the models, and the code passes the linter."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_migrations_match_the_models():
    output = io.StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=output, stderr=output)
    except SystemExit as exit_:
        pytest.fail(f"models have changes without a migration (exit {exit_.code}):\n{output.getvalue()}")
    assert "No changes detected" in output.getvalue(), output.getvalue()


def test_ruff_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    assert ruff.exists(), f"ruff is not installed next to {sys.executable}"
    result = subprocess.run(
        [str(ruff), "check", "--no-cache", "."],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"ruff check . found problems:\n{result.stdout}{result.stderr}"


# Notes the developers keep outside the repository: a reader of the code or of a page cannot open them, so
# code, templates and docs cite a docs/ page or the source's public address instead. (Spelled in two
# parts so that this file does not name them itself.)
OUTSIDE_NOTES = ("DESIGN" + ".md", "domain" + ".md")
READ_BY_PEOPLE = ("licensing", "registry", "templates", "docs", "tests", "bench", "scripts")


def test_nothing_cites_notes_that_are_not_in_the_repository():
    paths = [PROJECT_ROOT / "README.md"]
    for folder in READ_BY_PEOPLE:
        paths += [path for path in (PROJECT_ROOT / folder).rglob("*") if path.is_file()]
    cited = [
        f"{path.relative_to(PROJECT_ROOT)} cites {name}"
        for path in paths
        if path.suffix in {".py", ".html", ".txt", ".md", ".po", ".css", ".js", ".toml", ".yaml"}
        for name in OUTSIDE_NOTES
        if name.lower() in path.read_text(errors="replace").lower()
    ]
    assert cited == []
