"""Importing licenses from a file of the template (licensing.imports): the round trip of the demo data, a
dry run's report of every problem by row and column, all rows or none, idempotence and amendments,
jurisdiction, the command, and the template's files in docs/."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from licensing import import_template, imports
from licensing.choices import EventAction, LicenseStatus
from licensing.demo import load_demo
from licensing.identifiers import uscc_check_character
from licensing.import_example import EXAMPLE_ROWS
from licensing.models import (
    Authority,
    ImportedLicense,
    License,
    LicenseEvent,
    LicenseImport,
    Operator,
    Regulator,
)

from . import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

DOCS = Path(__file__).resolve().parent.parent / "docs"
D = datetime.date
STATUS_ACTIONS = {
    "create",
    *(
        action.value
        for action in EventAction
        if action not in ("edit", "amend", "product", "correct", "renew")
    ),
}


def _uscc(body):
    return body + uscc_check_character(body)


def history(licenses) -> dict:
    """What the round trip must keep, by title: the state, the public number's division and year, the
    parties, the term, and each status event's action, states and effective day."""
    snapshot = {}
    for license in licenses.select_related("grantor", "operator").order_by("title"):
        events = (
            LicenseEvent.objects.filter(license=license, action__in=STATUS_ACTIONS)
            .with_effective_day()
            .order_by("id")
        )
        snapshot[license.title] = {
            "status": license.status,
            "number": (license.number or "")[:11],
            "grantor": license.grantor.name,
            "operator": (license.operator.name, license.operator.uscc) if license.operator else None,
            "term": (license.term_start, license.term_end, license.term_approximate),
            "domains": sorted(license.data_domains.values_list("code", flat=True)),
            "consideration": license.consideration,
            "events": [(e.action, e.from_status, e.to_status, e.effective_on, e.reason) for e in events],
        }
    return snapshot


def round_trip_licenses():
    # Renewals and licenses proposed by a call carry links (a predecessor, a call) the template leaves out.
    return License.objects.filter(predecessor__isnull=True, successors__isnull=True, call__isnull=True)


@pytest.fixture
def superuser():
    return factories.user("root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_demo_data_round_trips_through_the_template(superuser, kind):
    with transaction.atomic():
        load_demo()
        licenses = round_trip_licenses()
        rows = imports.template_rows(licenses)
        before = history(licenses)
        authorities = list(Authority.objects.values("name", "name_en", "division_code", "kind", "origin"))
        transaction.set_rollback(True)
    # An empty register, but for its authorities (an import names grantors, it does not bring them).
    assert not License.objects.exists() and not Operator.objects.exists()
    Authority.objects.bulk_create([Authority(**fields) for fields in authorities])
    data = import_template.csv_bytes(rows) if kind == "csv" else import_template.xlsx_bytes(rows)

    result = imports.import_licenses(data, f"demo.{kind}", actor=superuser)

    assert result.problem_lines() == []
    assert result.created == len(before) >= 12
    after = history(License.objects.all())
    assert after == before
    statuses = {entry["status"] for entry in after.values()}
    assert {
        "draft",
        "listed",
        "active",
        "suspended",
        "expired",
        "withdrawn",
        "revoked",
        "terminated",
    } <= statuses


# One good row, and the same row with one mistake of each kind the dry run must name.

HANGZHOU_OPERATOR = _uscc("91330100MA2TEXT01")


def good_row(**changes) -> dict:
    row = {
        "reference": "杭数授〔2024〕1号",
        "title": "杭州市测试公共数据授权运营",
        "grantor_division": "330100",
        "operator": "杭州测试数据有限公司",
        "operator_uscc": HANGZHOU_OPERATOR,
        "domains": "医疗健康",
        "mode": "分领域授权",
        "scope": "测试数据。",
        "term_start": "2024-03-01",
        "term_end": "2027-02-28",
        "listed_on": "2024-01-10",
        "granted_on": "2024-02-20",
    }
    return row | changes


@pytest.fixture
def register():
    hangzhou = factories.authority("330100", name="杭州市数据资源管理局")
    hunan = factories.authority("430000", name="湖南省数据局")
    users = {}
    for name, authority in (("hangzhou", hangzhou), ("hunan", hunan)):
        users[name] = factories.user(name, is_staff=True)
        Regulator.objects.create(user=users[name], authority=authority, contact_email=f"{name}@example.test")
    # Registered with another code than the one a bad row gives for the same name.
    factories.operator(name="已登记示例数据有限公司", uscc=_uscc("91330100MA2TEXT02"))
    return users


def csv_file(rows) -> bytes:
    return import_template.csv_bytes(rows)


BAD_ROWS = [
    # (what is wrong, the row's changes, the column named, words the message must hold)
    ("bad USCC", {"operator_uscc": HANGZHOU_OPERATOR[:17] + "0"}, "operator_uscc", [HANGZHOU_OPERATOR[17]]),
    ("unknown division", {"grantor_division": "330199"}, "grantor_division", ["330199"]),
    ("long term", {"term_end": "2031-12-31"}, "term_exception_reason", ["5 years"]),
    ("dates out of order", {"granted_on": "2024-01-05"}, "granted_on", ["2024-01-10"]),
    (
        "name of another operator",
        {"operator": "已登记示例数据有限公司", "operator_uscc": _uscc("91330100MA2TEXT03")},
        "operator_uscc",
        [_uscc("91330100MA2TEXT02")],
    ),
    ("outside the jurisdiction", {"grantor_division": "430000"}, "grantor_division", ["jurisdiction"]),
]


def bad_file() -> bytes:
    rows = [good_row()]
    for index, (_what, changes, _column, _words) in enumerate(BAD_ROWS, start=2):
        rows.append(good_row(reference=f"杭数授〔2024〕{index}号", **changes))
    return csv_file(rows)


def _counts():
    return (
        License.objects.count(),
        LicenseEvent.objects.count(),
        Operator.objects.count(),
        Authority.objects.count(),
        LicenseImport.objects.count(),
        ImportedLicense.objects.count(),
    )


def test_a_dry_run_reports_each_bad_row_at_its_row_and_column_and_writes_nothing(register):
    before = _counts()

    result = imports.import_licenses(bad_file(), "bad.csv", actor=register["hangzhou"], dry_run=True)

    found = {(problem.row, problem.column): problem.message for problem in result.problems}
    for row_number, (what, _changes, column, words) in enumerate(BAD_ROWS, start=3):
        assert (row_number, column) in found, (what, found)
        for word in words:
            assert word in found[(row_number, column)], (what, found[(row_number, column)])
    assert len(result.problems) == len(BAD_ROWS)
    assert _counts() == before


def test_a_dry_run_of_good_rows_writes_nothing_and_says_what_would_be_written(register):
    before = _counts()
    result = imports.import_licenses(
        csv_file([good_row()]), "good.csv", actor=register["hangzhou"], dry_run=True
    )
    assert result.ok and result.created == 1
    assert _counts() == before


def test_a_real_run_with_one_bad_row_writes_nothing(register):
    before = _counts()
    rows = [good_row(), good_row(reference="2", granted_on="2024-01-05")]
    result = imports.import_licenses(csv_file(rows), "one-bad.csv", actor=register["hangzhou"])
    assert [(p.row, p.column) for p in result.problems] == [(3, "granted_on")]
    assert not result.written
    assert _counts() == before


def test_a_row_the_lifecycle_refuses_is_reported_at_its_column_and_nothing_is_written(register):
    # Terminated while only granted (its term had not started): the lifecycle refuses the act.
    row = good_row(term_start="2026-12-01", term_end="2028-11-30", ended_on="2026-11-01", end_kind="已终止")
    row["end_reason"] = "提前终止。"
    before = _counts()
    result = imports.import_licenses(
        csv_file([good_row(), row | {"reference": "2"}]), "x.csv", actor=register["hangzhou"]
    )
    assert [(p.row, p.column) for p in result.problems] == [(3, "ended_on")]
    assert _counts() == before


def test_a_real_run_writes_each_license_with_the_days_of_its_acts(register):
    result = imports.import_licenses(csv_file([good_row()]), "good.csv", actor=register["hangzhou"])

    assert result.ok and result.written
    license = License.objects.get()
    assert license.status == LicenseStatus.ACTIVE
    assert license.number.startswith("330100-2024-")
    events = list(license.events.order_by("id").values_list("action", "occurred_on"))
    assert events == [
        ("create", D(2024, 1, 10)),
        ("list", D(2024, 1, 10)),
        ("grant", D(2024, 2, 20)),
        ("activate", D(2024, 3, 1)),
    ]
    stamp = license.imported
    assert stamp.first_import == result.record and stamp.reference == "杭数授〔2024〕1号"
    assert (result.record.file_name, result.record.rows, result.record.created_count) == ("good.csv", 1, 1)
    assert result.record.actor == register["hangzhou"]
    assert Operator.objects.get(uscc=HANGZHOU_OPERATOR).name == "杭州测试数据有限公司"


def test_importing_the_same_file_twice_writes_nothing_the_second_time(register):
    data = csv_file([good_row()])
    imports.import_licenses(data, "good.csv", actor=register["hangzhou"])
    before = _counts()

    again = imports.import_licenses(data, "good.csv", actor=register["hangzhou"])

    assert again.already_imported is not None and not again.written
    assert _counts() == before


def test_the_same_rows_in_another_file_create_nothing_and_a_changed_row_is_an_amendment(register):
    imports.import_licenses(csv_file([good_row()]), "first.csv", actor=register["hangzhou"])
    license = License.objects.get()
    # The same row, in another file (another sha256): nothing new; by the key without a reference too.
    same = imports.import_licenses(csv_file([good_row()]) + b"\n", "again.csv", actor=register["hangzhou"])
    assert (same.created, same.amended, same.unchanged) == (0, 0, 1)
    assert License.objects.count() == 1

    changed = imports.import_licenses(
        csv_file([good_row(scope="更正后的范围。")]), "changed.csv", actor=register["hangzhou"]
    )

    assert (changed.created, changed.amended) == (0, 1)
    license.refresh_from_db()
    assert license.scope == "更正后的范围。"
    amendment = license.events.get(action=EventAction.AMEND)
    assert f"#{changed.record.pk}" in amendment.reason and "changed.csv" in amendment.reason
    assert license.imported.last_import == changed.record


def test_a_later_act_in_a_changed_row_is_recorded_on_its_day(register):
    imports.import_licenses(csv_file([good_row()]), "first.csv", actor=register["hangzhou"])
    ended = good_row(ended_on="2025-06-30", end_kind="已撤销", end_reason="超出授权范围。")
    result = imports.import_licenses(csv_file([ended]), "second.csv", actor=register["hangzhou"])
    assert result.ok and result.amended == 1
    license = License.objects.get()
    assert license.status == LicenseStatus.REVOKED
    assert license.events.get(action="revoke").occurred_on == D(2025, 6, 30)


def test_another_jurisdictions_regulator_has_every_row_refused(register):
    before = _counts()
    result = imports.import_licenses(
        csv_file([good_row(), good_row(reference="2")]), "x.csv", actor=register["hunan"]
    )
    assert [(p.row, p.column) for p in result.problems] == [(2, "grantor_division"), (3, "grantor_division")]
    assert _counts() == before


def test_the_command_checks_imports_and_names_each_problem_on_one_line(register, tmp_path, capsys):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_file([good_row()]))
    bad.write_bytes(bad_file())

    with pytest.raises(CommandError, match="6 problem"):
        call_command("import_licenses", str(bad), "--as", "hangzhou", "--dry-run")
    err = capsys.readouterr().err
    assert "row 3, column “运营机构统一社会信用代码”: The check character should be" in err
    assert "checked 7/7 rows" in err

    call_command("import_licenses", str(good), "--as", "hangzhou", "--dry-run")
    assert "Dry run of good.csv: no problems" in capsys.readouterr().out
    assert not License.objects.exists()

    call_command("import_licenses", str(good), "--as", "hangzhou")
    captured = capsys.readouterr()
    assert "1 created" in captured.out and "written 1/1 rows" in captured.err
    assert License.objects.count() == 1
    call_command("import_licenses", str(good), "--as", "hangzhou")
    assert "already imported" in capsys.readouterr().out

    with pytest.raises(CommandError, match="may not import"):
        call_command("import_licenses", str(good), "--as", factories.user("nobody").username)
    (tmp_path / "x.txt").write_text("text")
    with pytest.raises(CommandError, match=r"must be a \.csv or \.xlsx"):
        call_command("import_licenses", str(tmp_path / "x.txt"), "--as", "hangzhou")


def test_a_file_that_is_not_the_template_is_refused_whole(register):
    with pytest.raises(imports.ImportFileError, match="Unknown columns: colour"):
        imports.import_licenses(b"title,colour\nx,red\n", "x.csv", actor=register["hangzhou"])
    with pytest.raises(imports.ImportFileError, match="could not be read as XLSX"):
        imports.import_licenses(b"not a workbook", "x.xlsx", actor=register["hangzhou"])


def test_the_example_file_imports_into_the_demo_register_as_a_zhejiang_regulator(superuser):
    load_demo()
    zhejiang = factories.user("zhejiang", is_staff=True)
    Regulator.objects.create(
        user=zhejiang, authority=Authority.objects.get(division_code="330000"), contact_email="z@example.test"
    )
    data = (DOCS / "import-example.xlsx").read_bytes()
    result = imports.import_licenses(data, "import-example.xlsx", actor=zhejiang)
    assert result.problem_lines() == []
    assert result.created == len(EXAMPLE_ROWS) == 10
    imported = License.objects.filter(imported__isnull=False)
    assert all("示例" in license.title for license in imported)
    assert set(imported.values_list("status", flat=True)) == {
        "active",
        "expired",
        "withdrawn",
        "suspended",
        "revoked",
        "terminated",
        "listed",
    }


def test_the_docs_files_are_the_templates_declared_in_code():
    assert (DOCS / "import-template.csv").read_bytes() == import_template.csv_bytes()
    assert (DOCS / "import.md").read_text() == import_template.markdown()
    for name, rows in (("import-template.xlsx", []), ("import-example.xlsx", EXAMPLE_ROWS)):
        sheet = import_template.dataset(rows)
        stored = imports.read_table((DOCS / name).read_bytes(), name)
        assert list(stored[0].values()) == sheet.headers
        assert len(stored[1]) == len(rows)
    header = next(csv.reader(io.StringIO((DOCS / "import-template.csv").read_text("utf-8-sig"))))
    assert header == import_template.headers()
    markdown = (DOCS / "import.md").read_text()
    for column in import_template.COLUMNS:
        assert column.label_in("en") in markdown and column.label_in("zh-hans") in markdown
