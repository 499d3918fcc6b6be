"""The import template: the columns of a file of licenses, declared once.

licensing.imports reads files by these columns; the downloadable templates (CSV and XLSX, from the admin
and in docs/), the page that documents them (docs/import.md) and the export of licenses in the template's
format all derive from COLUMNS (`manage.py import_template` writes the docs/ files; a test checks them).

A file's header row may name a column by its key, its English label or its Chinese label; the templates
use the Chinese labels, since the people who fill them in are Chinese regulators.
"""

import csv
import dataclasses
import io

import tablib
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import AuthorizationMode, DataDomain, LicenseStatus, SelectionMethod

TEMPLATE_LANGUAGE = "zh-hans"

# What a term's end cell says where the sources do not publish the end (an empty cell is a mistake).
NOT_PUBLISHED = _("not published")

# How a license's history ended, as the template names it (its status), and the action that ends it.
# An expiry is never an act of its own: it follows from the term's end (the day after its last day).
END_KINDS = {
    LicenseStatus.WITHDRAWN: "withdraw",
    LicenseStatus.REVOKED: "revoke",
    LicenseStatus.TERMINATED: "terminate",
    LicenseStatus.EXPIRED: "expire",
}

YES, NO = _("yes"), _("no")

# Separators between the items of a list cell (data domains; sources also on new lines and spaces).
LIST_SEPARATORS = ";；,，、\n"


@dataclasses.dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    help: Promise
    # The License field whose errors are this column's (licensing.lifecycle names fields).
    field: str | None = None
    required: bool = False
    choices: type | None = None
    # What the column holds: "text", "date", "list", "number", "bool", "choice".
    kind: str = "text"

    def label_in(self, language: str) -> str:
        return in_language(self.label, language)


COLUMNS: tuple[Column, ...] = (
    Column(
        "reference",
        _("Your reference number"),
        _(
            "The regulator's own number for the license (its file number). With the grantor, it is the "
            "row's key: importing the row again finds the license by it. Without it, the key is the "
            "grantor, the operator and the term's start."
        ),
    ),
    Column("title", _("Title"), _("The license's title, as published."), field="title", required=True),
    Column(
        "grantor_division",
        _("Grantor division code"),
        _("GB/T 2260 code (6 digits) of the grantor's area; 100000 for national bodies."),
        required=True,
    ),
    Column(
        "grantor",
        _("Grantor"),
        _("The grantor's name as registered; may be left empty where one authority has the code."),
        field="grantor",
    ),
    Column(
        "implementing_body",
        _("Implementing body"),
        _("The implementing body's name (实施机构); registered in the grantor's area if it is new."),
        field="implementing_body",
    ),
    Column(
        "operator",
        _("Operator"),
        _("The operator's registered name; required from the grant on."),
        field="operator",
    ),
    Column(
        "operator_uscc",
        _("Operator USCC"),
        _(
            "The operator's Unified Social Credit Code (18 characters, checked); empty where the "
            "sources do not publish it. Never invent a code."
        ),
        field="operator",
    ),
    Column(
        "domains",
        _("Data domains"),
        _("The data domains, separated by ；or ,: by name or code. Not needed for a whole authorization."),
        field="data_domains",
        choices=DataDomain,
        kind="list",
    ),
    Column(
        "mode",
        _("Authorization mode"),
        _("Whole, by domain or by scenario (整体 / 分领域 / 依场景)."),
        field="authorization_mode",
        choices=AuthorizationMode,
        kind="choice",
    ),
    Column(
        "selection",
        _("Selection method"),
        _("How the operator was chosen."),
        field="selection_method",
        choices=SelectionMethod,
        kind="choice",
    ),
    Column("scope", _("Scope"), _("The data and uses the license covers."), field="scope"),
    Column(
        "term_start",
        _("Term start"),
        _("The term's first day (YYYY-MM-DD)."),
        field="term_start",
        kind="date",
    ),
    Column(
        "term_end",
        _("Term end"),
        _("The term's last day (YYYY-MM-DD), or “not published” (未公布) where the sources do not say."),
        field="term_end",
        kind="date",
    ),
    Column(
        "term_approximate",
        _("Term dates approximate"),
        _("Yes where the sources give the month, not the day."),
        field="term_approximate",
        kind="bool",
    ),
    Column(
        "term_exception_reason",
        _("Reason for a longer term"),
        _("Required when the term is longer than five years."),
        field="term_exception_reason",
    ),
    Column(
        "consideration",
        _("Consideration (CNY)"),
        _("The amount in yuan, digits only (commas allowed)."),
        field="consideration",
        kind="number",
    ),
    Column(
        "consideration_note",
        _("Consideration note"),
        _("For example: starting price."),
        field="consideration_note",
    ),
    Column("legal_basis", _("Legal basis"), _("The rules the license rests on."), field="legal_basis"),
    Column(
        "sources",
        _("Sources"),
        _("Addresses (http or https) of the published sources, one per line."),
        field="source_urls",
        kind="list",
    ),
    Column("remarks", _("Remarks"), _("Anything the reader should know."), field="remarks"),
    Column(
        "drafted_on",
        _("Drafted on"),
        _("The day the record was started; empty: the day of its first act."),
        kind="date",
    ),
    Column(
        "listed_on", _("Listed on"), _("The day the license was listed (put out to tender)."), kind="date"
    ),
    Column("granted_on", _("Granted on"), _("The day the license was granted."), kind="date"),
    Column(
        "activated_on",
        _("In force from"),
        _("The day it came into force; empty: the later of the grant and the term's start."),
        kind="date",
    ),
    Column("suspended_on", _("Suspended on"), _("The day it was suspended, if it is."), kind="date"),
    Column("suspension_reason", _("Reason for the suspension"), _("Required with a suspension.")),
    Column(
        "ended_on",
        _("Ended on"),
        _("The day it ended; for an expiry, the day after the term's last day (or empty)."),
        kind="date",
    ),
    Column(
        "end_kind",
        _("How it ended"),
        _("Withdrawn, revoked, terminated or expired."),
        choices=LicenseStatus,
        kind="choice",
    ),
    Column(
        "end_reason",
        _("Reason for the end"),
        _("Required for a withdrawal, revocation or termination."),
    ),
)

COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
DATE_COLUMNS = tuple(column.key for column in COLUMNS if column.kind == "date")


def choice_values(column: Column) -> list:
    """The values a choice column takes (end kinds: the statuses an ending leads to)."""
    if column.key == "end_kind":
        return list(END_KINDS)
    return list(column.choices)


def headers(language: str = TEMPLATE_LANGUAGE) -> list[str]:
    return [column.label_in(language) for column in COLUMNS]


def header_keys() -> dict[str, str]:
    """Every accepted header (key, English label, Chinese label; case and spaces ignored) -> the key."""
    names = {}
    for column in COLUMNS:
        for name in (column.key, column.label_in("en"), column.label_in(TEMPLATE_LANGUAGE)):
            names[header_name(name)] = column.key
    return names


def header_name(text) -> str:
    return "".join(str(text or "").split()).casefold().rstrip("*")


def dataset(rows: list[dict], language: str = TEMPLATE_LANGUAGE) -> tablib.Dataset:
    """A sheet in the template's format: the header row and `rows` (dicts by column key)."""
    data = tablib.Dataset(headers=headers(language), title="licenses")
    for row in rows:
        data.append([row.get(column.key, "") for column in COLUMNS])
    return data


def notes_dataset(language: str = TEMPLATE_LANGUAGE) -> tablib.Dataset:
    """The XLSX template's second sheet: what each column holds."""
    with translation.override(language):
        data = tablib.Dataset(headers=[str(_("Column")), str(_("Required")), str(_("What it holds"))])
        data.title = str(_("Notes"))
        for column in COLUMNS:
            data.append([str(column.label), str(YES if column.required else ""), _help(column)])
    return data


def _help(column: Column) -> str:
    text = str(column.help)
    if column.choices is not None:
        values = " / ".join(str(column.choices(value).label) for value in choice_values(column))
        text = f"{text} ({values})"
    return text


def csv_bytes(rows: list[dict] = (), language: str = TEMPLATE_LANGUAGE) -> bytes:
    """The template (or `rows` in its format) as CSV, UTF-8 with a byte-order mark so Excel reads the
    Chinese headers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers(language))
    for row in rows:
        writer.writerow([_cell_text(row.get(column.key, "")) for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[dict] = (), language: str = TEMPLATE_LANGUAGE) -> bytes:
    """The template (or `rows` in its format) as XLSX, with a second sheet describing the columns."""
    book = tablib.Databook([dataset(list(rows), language), notes_dataset(language)])
    return book.export("xlsx")


def _cell_text(value) -> str:
    return "" if value is None else str(value)


def markdown(language_pair=("zh-hans", "en")) -> str:
    """docs/import.md: the columns with both languages' labels, what they hold, and the rules."""
    lines = [
        "# Importing licenses / 导入许可",
        "",
        "<!-- Generated from licensing/import_template.py by `manage.py import_template docs`. -->",
        "",
        "Existing licenses are loaded from a CSV or XLSX file with one row per license: in the admin",
        "(Licenses → Import licenses: upload, preview every problem by row and column, confirm), or with",
        "`manage.py import_licenses FILE --as USERNAME [--dry-run]`.",
        "",
        "Templates: [import-template.csv](import-template.csv),",
        "[import-template.xlsx](import-template.xlsx);",
        "an example of ten invented rows in Chinese: [import-example.xlsx](import-example.xlsx).",
        "",
        "## Rules",
        "",
        "- Every row is checked before anything is written; the import writes all rows or none.",
        "- Each license goes through the registry's lifecycle with the days of its acts (drafted, listed,",
        "  granted, in force, suspended, ended), so its public history shows those days.",
        "- A regulator imports only licenses whose grantor lies in their jurisdiction.",
        "- A term longer than five years needs its reason; the operator's USCC is checked (the message",
        "  gives the expected check character); an operator name already registered with another code is",
        "  refused.",
        "- Importing the same file again writes nothing. A row's key is the grantor with your reference",
        "  number, or the grantor, the operator and the term's start; a changed row amends its license,",
        "  with a reason naming the import. Acts already recorded on another day are refused (correct the",
        "  event in the admin instead).",
        "- Dates: YYYY-MM-DD (also 2024/3/1 or 2024年3月1日, or a date cell). The term's end is a date or",
        f"  “{in_language(NOT_PUBLISHED, 'en')}” / “{in_language(NOT_PUBLISHED, 'zh-hans')}”.",
        "- Choice columns take the code or either language's label.",
        "",
        "## Columns",
        "",
        "| Key | 中文列名 | English label | Required | What it holds |",
        "|---|---|---|---|---|",
    ]
    for column in COLUMNS:
        text = in_language(column.help, "en").replace("|", "\\|")
        if column.choices is not None:
            labels = [column.choices(value).label for value in choice_values(column)]
            values = "; ".join(
                f"`{value}` {in_language(label, 'zh-hans')} / {in_language(label, 'en')}"
                for value, label in zip(choice_values(column), labels, strict=True)
            )
            text = f"{text} Values: {values}."
        lines.append(
            f"| `{column.key}` | {column.label_in('zh-hans')} | {column.label_in('en')} | "
            f"{'yes' if column.required else ''} | {text} |"
        )
    lines.append("")
    return "\n".join(lines)


def in_language(text, language: str) -> str:
    with translation.override(language):
        return str(text)
