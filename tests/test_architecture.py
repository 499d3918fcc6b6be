"""The layers of docs/architecture.md, checked: the domain (models, vocabulary, services) imports no face
(admin, API, public site) and no work entry point (Celery tasks, commands), and nothing in the app imports
the task module. Every import counts, also one made inside a function."""

import ast
import pathlib

import pytest

APP = pathlib.Path(__file__).resolve().parent.parent / "licensing"

# The top-level names under licensing/ of the faces and of the work layer (docs/architecture.md).
FACES = {"admin", "api", "views", "urls", "forms", "feeds", "health", "templatetags"}
WORK = {"tasks", "management"}
# apps.py wires the signals and is none of the layers; migrations are history.
NOT_DOMAIN = FACES | WORK | {"apps", "migrations"}


def imported_modules(source: str, package: str) -> set[str]:
    """Every module that `source`, a module of `package`, imports, as absolute names (`from . import x`
    names licensing.x too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _part(module: str) -> str | None:
    """The top-level name under licensing/ that `module` is in (None outside the app, or the app itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "licensing" else None


def _modules(exclude=frozenset()):
    """(path, module name, package) of the app's modules, less those in the top-level names `exclude`."""
    for path in sorted(APP.rglob("*.py")):
        names = path.relative_to(APP.parent).with_suffix("").parts
        module = ".".join(names[:-1] if names[-1] == "__init__" else names)
        if _part(module) is None or _part(module) in exclude:
            continue
        yield path, module, module if names[-1] == "__init__" else module.rpartition(".")[0]


def _offences(modules, forbidden: set[str]) -> list[str]:
    return [
        f"{module} imports {imported}"
        for path, module, package in modules
        for imported in sorted(imported_modules(path.read_text(), package))
        if _part(imported) in forbidden
    ]


def test_the_domain_imports_no_face_and_no_work_entry_point():
    assert _offences(_modules(exclude=NOT_DOMAIN), FACES | WORK) == []


def test_nothing_in_the_app_imports_the_task_module():
    """The outbox publishes the send task by its name, beat the sweep by its: no import circle."""
    assert _offences(_modules(exclude={"tasks"}), {"tasks"}) == []


def test_the_check_reads_the_domain_and_only_the_domain():
    domain = {module for _path, module, _package in _modules(exclude=NOT_DOMAIN)}
    assert {
        "licensing.lifecycle",
        "licensing.writes",
        "licensing.outbox",
        "licensing.models.licenses",
    } <= domain
    assert not domain & {
        "licensing.tasks",
        "licensing.api.views",
        "licensing.admin.licenses",
        "licensing.urls",
    }


@pytest.mark.parametrize(
    ("statement", "package"),
    [
        ("from .api import views", "licensing"),
        ("from . import tasks", "licensing"),
        ("from .views.licenses import license_detail", "licensing"),
        ("import licensing.admin", "licensing"),
        ("def later():\n    from licensing.tasks import deliver", "licensing"),
        ("from ..management.commands import sweep", "licensing.models"),
        ("from .. import urls", "licensing.models"),
    ],
)
def test_each_spelling_of_a_forbidden_import_is_caught(statement, package):
    """The rule cannot pass by missing an import: in a domain module, each of these is an offence."""
    assert {_part(module) for module in imported_modules(statement, package)} & (FACES | WORK)


def test_an_allowed_import_is_not_an_offence():
    assert not {_part(m) for m in imported_modules("from . import lifecycle, writes", "licensing")} & FACES
