"""Import of existing licenses, with their parties and their history, from a CSV or XLSX file.

The file follows the template (licensing.import_template): one row per license. An import runs in two
passes over the rows:

1. checked: every cell is read and judged (dates, codes, USCC check characters, the term rule, the acts'
   order), then the rows against the register (the grantor by division code, the regulator's
   jurisdiction, operators already registered, rows already imported);
2. written: each row that passed goes through the lifecycle service (create_license, transition, edit)
   with the days of its acts as their effective days, in a savepoint, so a row the service refuses
   reports its problem and the next row is still tried.

All rows or none: the whole import is one transaction, rolled back where any row had a problem, and
always for a dry run. So a dry run reports exactly what the real run would refuse, and writes nothing.

A row's key is the grantor with the regulator's own reference number, or else the grantor, the operator
and the term's start. A row imported before (the same key) is not created again: unchanged, it writes
nothing; changed, it amends its license (lifecycle.edit, with a reason naming the import) and records the
acts that are new. Importing a file whose exact bytes were imported before writes nothing at all.

Why tablib (with openpyxl) and not django-import-export: every license must go through the lifecycle
service with the effective days of its acts; django-import-export's resources write model rows directly,
which would skip the events, verdicts and feeds. tablib only reads and writes the two formats.
"""

import dataclasses
import datetime
import decimal
import functools
import hashlib
import io
import json
import re
from collections.abc import Callable

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import access, cache, import_template, lifecycle, lifecycle_bulk, notifications, writes
from .choices import AuthorityKind, EventAction, LicenseAction, LicenseStatus, RecordOrigin
from .dates import local_today
from .exceptions import LicensingError
from .identifiers import (
    normalize_name,
    normalize_uscc,
    strip_invisible,
    validate_division_code,
    validate_uscc,
)
from .import_template import COLUMNS, COLUMNS_BY_KEY, END_KINDS
from .models import Authority, ImportedLicense, License, LicenseEvent, LicenseImport, Operator
from .models.licenses import validate_url_lines
from .search import operators_named

MAX_FILE_BYTES = 20 * 1024 * 1024
# New licenses are created this many at a time (lifecycle_bulk), so queries are shared by the batch.
BATCH = 500
FORMATS = ("csv", "xlsx")

A, S = LicenseAction, LicenseStatus

# The lifecycle names fields; the report names the template's columns.
FIELD_COLUMNS = {column.field: column.key for column in COLUMNS if column.field}
FIELD_COLUMNS["operator"] = "operator"

# The acts of a row, in the order they happen: (day column, reason column).
ACT_COLUMNS = (
    ("drafted_on", None),
    ("listed_on", None),
    ("granted_on", None),
    ("activated_on", None),
    ("suspended_on", "suspension_reason"),
    ("ended_on", "end_reason"),
)
ACT_KEYS = (*(key for key, _reason in ACT_COLUMNS), "suspension_reason", "end_kind", "end_reason")

Progress = Callable[[str, int, int], None]


class ImportFileError(Exception):
    """The file cannot be read as a table of the template (not the rows: the file itself)."""


@dataclasses.dataclass
class Problem:
    row: int  # the spreadsheet's row number (the header is row 1); 0 for the file itself
    column: str  # the column's key, or "" for the row as a whole
    message: str


@dataclasses.dataclass
class ImportResult:
    file_name: str
    sha256: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    amended: int = 0
    unchanged: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)
    # The column headers as the file wrote them, by key, to name columns as the user sees them.
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    record: LicenseImport | None = None
    already_imported: LicenseImport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.record is not None

    def column_name(self, key: str) -> str:
        if not key:
            return ""
        return self.headers.get(key) or str(COLUMNS_BY_KEY[key].label)

    def problem_lines(self) -> list[str]:
        lines = []
        for problem in self.problems:
            where = _("row %(row)s") % {"row": problem.row} if problem.row else _("the file")
            if problem.column:
                where = _("%(where)s, column “%(column)s”") % {
                    "where": where,
                    "column": self.column_name(problem.column),
                }
            lines.append(f"{where}: {problem.message}")
        return lines


@dataclasses.dataclass
class Row:
    number: int
    cells: dict
    values: dict = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    grantor: Authority | None = None
    key: str = ""
    existing: ImportedLicense | None = None

    def problem(self, column: str, message) -> None:
        self.problems.append(Problem(self.number, column, str(message)))


# Reading ---------------------------------------------------------------------------------------------


def file_format(file_name: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in FORMATS:
        raise ImportFileError(
            _("The file must be a .csv or .xlsx file (the template's formats), not “%(name)s”.")
            % {"name": file_name}
        )
    return extension


def read_table(data: bytes, file_name: str) -> tuple[dict[str, str], list[Row]]:
    """The file's columns (key -> header as written) and its non-empty rows, numbered as the
    spreadsheet numbers them."""
    kind = file_format(file_name)
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than 20 MB: split it into several imports."))
    try:
        if kind == "xlsx":
            table = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
        else:
            table = tablib.Dataset().load(_decode(data), format="csv")
    except ImportFileError:
        raise
    except Exception as error:  # tablib and openpyxl raise many kinds for a broken file
        raise ImportFileError(
            _("The file could not be read as %(kind)s: %(error)s") % {"kind": kind.upper(), "error": error}
        ) from None
    names = import_template.header_keys()
    columns, unknown = {}, []
    for position, header in enumerate(table.headers or []):
        key = names.get(import_template.header_name(header))
        if key is None:
            if str(header or "").strip():
                unknown.append(str(header))
            continue
        if key in columns.values():
            raise ImportFileError(_("The column “%(header)s” appears twice.") % {"header": header})
        columns[position] = key
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(headers)s. Use the template's headers.") % {"headers": ", ".join(unknown)}
        )
    missing = [c for c in COLUMNS if c.required and c.key not in columns.values()]
    if missing:
        raise ImportFileError(
            _("Missing columns: %(headers)s.") % {"headers": ", ".join(str(c.label) for c in missing)}
        )
    headers = {key: str(table.headers[position]).strip() for position, key in columns.items()}
    rows = []
    for index, values in enumerate(table, start=2):
        cells = {key: _cell(values[position]) for position, key in columns.items()}
        if any(value not in ("", None) for value in cells.values()):
            rows.append(Row(index, cells))
    return headers, rows


def _decode(data: bytes) -> str:
    # UTF-8 (with or without the byte-order mark Excel writes), else GB 18030, which Excel in China uses.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GB 18030 text."))


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return strip_invisible(str(value)).strip()


# Pass 1: the cells ---------------------------------------------------------------------------------


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def parse_date(value) -> datetime.date | None:
    if value in ("", None):
        return None
    if isinstance(value, datetime.date):
        return value
    match = _DATE.fullmatch(str(value).strip())
    if match:
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            pass
    raise ValueError(_("“%(value)s” is not a day: write it as YYYY-MM-DD.") % {"value": value})


@functools.cache
def _choice_names(column) -> dict[str, str]:
    """Every way a choice column's values may be written (code, English or Chinese label) -> the value;
    read once per column."""
    names = {}
    for value in import_template.choice_values(column):
        choice = column.choices(value)
        for name in (
            choice.value,
            import_template.in_language(choice.label, "en"),
            import_template.in_language(choice.label, "zh-hans"),
        ):
            names[import_template.header_name(name)] = choice.value
    return names


def parse_choice(column, value) -> str:
    if value in ("", None):
        return ""
    found = _choice_names(column).get(import_template.header_name(value))
    if found is None:
        known = " / ".join(str(column.choices(v).label) for v in import_template.choice_values(column))
        raise ValueError(_("“%(value)s” is not one of: %(known)s.") % {"value": value, "known": known})
    return found


def split_list(value) -> list[str]:
    text = str(value or "")
    for separator in import_template.LIST_SEPARATORS:
        text = text.replace(separator, "\n")
    return [item.strip() for item in text.split("\n") if item.strip()]


def _not_published_names() -> set[str]:
    return {
        import_template.header_name(import_template.in_language(import_template.NOT_PUBLISHED, language))
        for language in ("en", "zh-hans")
    }


# The answers of a yes/no column besides the template's own words (YES, NO) in either language.
_ANSWERS = (
    (False, ("", "0", "false", "n"), import_template.NO),
    (True, ("1", "true", "y", "x"), import_template.YES),
)


def _yes_no(value) -> bool:
    name = import_template.header_name(value)
    for answer, words, word in _ANSWERS:
        spelled = {
            import_template.header_name(import_template.in_language(word, lang)) for lang in ("en", "zh-hans")
        }
        if name in words or name in spelled:
            return answer
    raise ValueError(_("“%(value)s” is neither yes nor no.") % {"value": value})


def check_cells(row: Row, today: datetime.date) -> None:
    """Read and judge each cell of `row` (no database): row.values, or row.problems."""
    cells, values = row.cells, row.values
    for column in COLUMNS:
        raw = cells.get(column.key, "")
        try:
            if column.required and raw in ("", None):
                raise ValueError(_("This column is required."))
            if column.key == "term_end":
                values["term_end_published"] = import_template.header_name(raw) not in _not_published_names()
                value = parse_date(raw) if values["term_end_published"] else None
            elif column.kind == "date":
                value = parse_date(raw)
            elif column.key == "domains":
                value = sorted({parse_choice(column, item) for item in split_list(raw)})
            elif column.key == "sources":
                value = "\n".join(item for item in re.split(r"\s+", str(raw)) if item)
                validate_url_lines(value)
            elif column.kind == "choice":
                value = parse_choice(column, raw)
            elif column.kind == "bool":
                value = _yes_no(raw)
            elif column.kind == "number":
                value = _number(raw)
            elif column.key == "operator_uscc":
                value = normalize_uscc(raw)
                if value:
                    validate_uscc(value)
            elif column.key == "grantor_division":
                value = str(raw)
                validate_division_code(value)
            else:
                value = str(raw).strip()
        except ValidationError as error:
            row.problem(column.key, " ".join(error.messages))
            continue
        except ValueError as error:
            row.problem(column.key, error)
            continue
        values[column.key] = value
    if row.problems:
        return
    _check_term(row)
    _check_acts(row, today)


def _number(value) -> decimal.Decimal | None:
    if value in ("", None):
        return None
    try:
        number = decimal.Decimal(str(value).replace(",", "").replace("，", "").strip())
    except decimal.InvalidOperation:
        raise ValueError(_("“%(value)s” is not an amount in yuan.") % {"value": value}) from None
    if not number.is_finite() or number < 0:
        raise ValueError(_("“%(value)s” is not an amount in yuan.") % {"value": value})
    return number.quantize(decimal.Decimal("0.01"))


def _check_term(row: Row) -> None:
    values = row.values
    if values["term_start"] and values["term_end_published"] and values["term_end"] is None:
        row.problem(
            "term_end",
            _("Give the term's last day, or write “%(word)s” where the sources do not publish it.")
            % {"word": import_template.NOT_PUBLISHED},
        )
        return
    license = License(
        term_start=values["term_start"],
        term_end=values["term_end"],
        term_exception_reason=values["term_exception_reason"],
    )
    for field, messages in license.term_errors().items():
        row.problem(FIELD_COLUMNS[field], " ".join(str(message) for message in messages))


def _check_acts(row: Row, today: datetime.date) -> None:
    """The acts' days: none in the future, each on or after the one before, and what each needs."""
    values = row.values
    previous = None
    for key, _reason in ACT_COLUMNS:
        day = values[key]
        if day is None:
            continue
        if day > today:
            row.problem(
                key, _("%(day)s is in the future (today is %(today)s).") % {"day": day, "today": today}
            )
        elif previous is not None and day < values[previous]:
            row.problem(
                key,
                _("%(day)s is before “%(other)s” (%(other_day)s): the acts' days must follow each other.")
                % {"day": day, "other": COLUMNS_BY_KEY[previous].label, "other_day": values[previous]},
            )
        previous = key
    start, end, kind = values["term_start"], values["term_end"], values["end_kind"]
    if values["activated_on"] and not values["granted_on"]:
        row.problem("activated_on", _("A license comes into force only once granted: give the grant's day."))
    if values["activated_on"] and start and values["activated_on"] < start:
        row.problem(
            "activated_on",
            _("A license comes into force on or after its term's first day (%(day)s).") % {"day": start},
        )
    if values["granted_on"] and end and values["granted_on"] > end:
        row.problem("granted_on", _("The grant comes after the term's last day (%(day)s).") % {"day": end})
    if values["suspended_on"] and not values["suspension_reason"]:
        row.problem("suspension_reason", _("Give the reason for the suspension."))
    if values["ended_on"] and not kind:
        row.problem("end_kind", _("Say how the license ended."))
    if kind and kind != S.EXPIRED:
        if not values["ended_on"]:
            row.problem("ended_on", _("Give the day the license ended."))
        if not values["end_reason"]:
            row.problem("end_reason", _("Give the reason for the end."))
        if values["ended_on"] and end and values["ended_on"] > end:
            row.problem(
                "ended_on",
                _("The term ended on %(day)s: the license expired the next day, before this act.")
                % {"day": end},
            )
    if kind == S.EXPIRED:
        if end is None or end >= today:
            row.problem("end_kind", _("Only a license whose term's last day has passed expires."))
        elif values["ended_on"] and values["ended_on"] != end + datetime.timedelta(days=1):
            row.problem(
                "ended_on",
                _("A license expires on the day after its term's last day: %(day)s.")
                % {"day": end + datetime.timedelta(days=1)},
            )


def _digest(values: dict, keys) -> str:
    data = {key: values[key] for key in keys}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


FIELD_KEYS = tuple(column.key for column in COLUMNS if column.key not in ACT_KEYS)


# Pass 1: the rows against the register -------------------------------------------------------------


@dataclasses.dataclass
class _Register:
    """What the rows name that is already registered, read once for all rows."""

    actor: object
    prefix: str | None
    authorities: dict[str, list[Authority]]
    bodies: dict[str, list[Authority]]
    operators_by_uscc: dict[str, Operator]
    operators_by_name: dict[str, list[Operator]]


def _read_register(rows: list[Row], actor) -> _Register:
    good = [row for row in rows if not row.problems]
    codes = {row.values["grantor_division"] for row in good}
    authorities = {}
    for authority in Authority.objects.filter(division_code__in=codes):
        authorities.setdefault(authority.division_code, []).append(authority)
    body_names = {row.values["implementing_body"] for row in good} - {""}
    bodies = {}
    for authority in Authority.objects.filter(name__in=body_names):
        bodies.setdefault(authority.name, []).append(authority)
    usccs = {row.values["operator_uscc"] for row in good} - {""}
    by_uscc = {}
    for start in range(0, len(usccs), 500):
        chunk = sorted(usccs)[start : start + 500]
        by_uscc.update({operator.uscc: operator for operator in Operator.objects.filter(uscc__in=chunk)})
    by_name = {}
    for row in good:
        name, code = row.values["operator"], row.values["operator_uscc"]
        if name and code not in by_uscc:
            key = normalize_name(name)
            if key not in by_name:
                by_name[key] = list(operators_named(name))
    prefix = access.jurisdiction_prefix(actor)
    return _Register(actor, prefix, authorities, bodies, by_uscc, by_name)


def check_against_register(rows: list[Row], register: _Register) -> None:
    keys: dict[str, int] = {}
    codes_named: dict[str, tuple[str, int]] = {}  # an operator's name key -> its code in the file, and row
    for row in rows:
        if row.problems:
            continue
        values = row.values
        row.grantor = _grantor(row, register)
        if row.grantor is None:
            continue
        _check_body(row, register)
        _check_operator(row, register)
        _check_operator_in_file(row, codes_named)
        row.key = _row_key(row)
        if not row.key:
            row.problem(
                "reference",
                _(
                    "Give your reference number, or the operator and the term's start, so that the row can "
                    "be found again."
                ),
            )
        elif row.key in keys:
            row.problem("reference", _("The same license as row %(row)s.") % {"row": keys[row.key]})
        else:
            keys[row.key] = row.number
        values["fields_digest"] = _digest(values, FIELD_KEYS)
        values["acts_digest"] = _digest(values, ACT_KEYS)
    found = {}
    wanted = sorted(keys)
    for start in range(0, len(wanted), 500):
        for stamp in ImportedLicense.objects.select_related("license").filter(
            key__in=wanted[start : start + 500]
        ):
            found[stamp.key] = stamp
    for row in rows:
        row.existing = found.get(row.key) if row.key else None


def _grantor(row: Row, register: _Register) -> Authority | None:
    code, name = row.values["grantor_division"], row.values["grantor"]
    candidates = register.authorities.get(code, [])
    if not candidates:
        row.problem(
            "grantor_division", _("No authority with division code %(code)s is registered.") % {"code": code}
        )
        return None
    if name:
        named = [a for a in candidates if normalize_name(a.name) == normalize_name(name)]
        if not named:
            row.problem(
                "grantor",
                _("No authority named “%(name)s” has division code %(code)s; registered: %(names)s.")
                % {"name": name, "code": code, "names": "、".join(a.name for a in candidates)},
            )
            return None
        grantor = named[0]
    elif len(candidates) > 1:
        row.problem(
            "grantor",
            _("Several authorities have division code %(code)s: name the grantor (%(names)s).")
            % {"code": code, "names": "、".join(a.name for a in candidates)},
        )
        return None
    else:
        grantor = candidates[0]
    if register.prefix is not None and not grantor.division_code.startswith(register.prefix):
        row.problem(
            "grantor_division",
            _("%(code)s is outside your jurisdiction: you import licenses granted in your area only.")
            % {"code": code},
        )
        return None
    return grantor


def _check_body(row: Row, register: _Register) -> None:
    name = row.values["implementing_body"]
    if not name:
        return
    found = register.bodies.get(name, [])
    if found and register.prefix is not None:
        inside = [a for a in found if a.division_code.startswith(register.prefix)]
        if not inside:
            row.problem(
                "implementing_body",
                _("“%(name)s” is registered outside your jurisdiction (%(code)s).")
                % {"name": name, "code": found[0].division_code},
            )


def _check_operator(row: Row, register: _Register) -> None:
    name, code = row.values["operator"], row.values["operator_uscc"]
    if code and not name and code not in register.operators_by_uscc:
        row.problem("operator", _("Give the operator's name: no operator with this code is registered."))
        return
    if not name or code in register.operators_by_uscc:
        return
    for operator in register.operators_by_name.get(normalize_name(name), []):
        if operator.uscc and operator.uscc != code:
            row.problem(
                "operator_uscc",
                _("An operator named “%(name)s” is registered with the code %(uscc)s, not %(given)s.")
                % {"name": operator.name, "uscc": operator.uscc, "given": code or _("none")},
            )
            return
        if not operator.uscc and code:
            row.problem(
                "operator_uscc",
                _("An operator named “%(name)s” is registered without a code: add its code there first.")
                % {"name": operator.name},
            )
            return


def _check_operator_in_file(row: Row, codes_named: dict) -> None:
    """One name, one code: an operator named again in the file with another code is a mistake in one of
    the rows."""
    name, code = row.values["operator"], row.values["operator_uscc"]
    if not name:
        return
    first = codes_named.setdefault(normalize_name(name), (code, row.number))
    if first[0] != code:
        row.problem(
            "operator_uscc",
            _("Row %(row)s gives this operator the code %(uscc)s.")
            % {"row": first[1], "uscc": first[0] or _("none")},
        )


def _row_key(row: Row) -> str:
    values, grantor = row.values, row.grantor
    if values["reference"]:
        return f"ref:{grantor.division_code}:{grantor.pk}:{values['reference']}"
    if values["term_start"] and (values["operator_uscc"] or values["operator"]):
        party = values["operator_uscc"] or "name:" + normalize_name(values["operator"])
        return f"party:{grantor.pk}:{party}:{values['term_start'].isoformat()}"
    return ""


# Pass 2: writing through the lifecycle -------------------------------------------------------------


class _RowRefused(Exception):
    """The row's problems are recorded on it; the next row is tried."""


class _Writer:
    def __init__(self, register: _Register, record: LicenseImport, today: datetime.date):
        self.register, self.record, self.today = register, record, today
        self.actor = register.actor
        self.new_stamps: list[ImportedLicense] = []
        self.changed_stamps: list[ImportedLicense] = []

    # Parties, registered outside the rows' savepoints (a later row may name them too); a failed import
    # rolls them back with everything else.

    def operator(self, row: Row) -> Operator | None:
        name, code = row.values["operator"], row.values["operator_uscc"]
        if code and code in self.register.operators_by_uscc:
            return self.register.operators_by_uscc[code]
        if not name:
            return None
        key = normalize_name(name)
        for operator in self.register.operators_by_name.get(key, []):
            if operator.uscc == code:
                return operator
        operator = Operator(
            name=name,
            uscc=code,
            uscc_note=""
            if code
            else _("Not published in the sources (imported from %(file)s).")
            % {"file": self.record.file_name},
            origin=RecordOrigin.RECORDED,
        )
        try:
            operator.full_clean(exclude=["name_keys"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            row.problem("operator", " ".join(error.messages))
            raise _RowRefused() from None
        operator.save()
        if code:
            self.register.operators_by_uscc[code] = operator
        self.register.operators_by_name.setdefault(key, []).append(operator)
        return operator

    def body(self, row: Row) -> Authority | None:
        name = row.values["implementing_body"]
        if not name:
            return None
        found = self.register.bodies.get(name, [])
        prefix = self.register.prefix
        found = [a for a in found if prefix is None or a.division_code.startswith(prefix)]
        same_area = [a for a in found if a.division_code == row.grantor.division_code]
        if same_area or found:
            return (same_area or found)[0]
        body = Authority(
            name=name,
            division_code=row.grantor.division_code,
            kind=AuthorityKind.IMPLEMENTING_BODY,
            origin=RecordOrigin.RECORDED,
        )
        try:
            body.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            row.problem("implementing_body", " ".join(error.messages))
            raise _RowRefused() from None
        body.save()
        self.register.bodies.setdefault(name, []).append(body)
        return body

    def fields(self, row: Row) -> dict:
        values = row.values
        return {
            "title": values["title"],
            "grantor": row.grantor,
            "implementing_body": self.body(row),
            "operator": self.operator(row),
            "data_domains": values["domains"],
            "authorization_mode": values["mode"],
            "scope": values["scope"],
            "selection_method": values["selection"],
            "term_start": values["term_start"],
            "term_end": values["term_end"],
            "term_approximate": values["term_approximate"],
            "term_exception_reason": values["term_exception_reason"],
            "consideration": values["consideration"],
            "consideration_note": values["consideration_note"],
            "legal_basis": values["legal_basis"],
            "source_urls": values["sources"],
            "remarks": values["remarks"],
        }

    def plan(self, row: Row) -> list[tuple[str, str, datetime.date | None, str]]:
        """The row's acts, in order, as (column, action, day, reason): those it gives, and the activation
        and expiry its term made due (on the day the term made them due, or the day the row gives)."""
        values, today = row.values, self.today
        start, end, kind = values["term_start"], values["term_end"], values["end_kind"]
        acts = []
        if values["listed_on"]:
            acts.append(("listed_on", A.LIST, values["listed_on"], ""))
        activated = False
        if values["granted_on"]:
            acts.append(("granted_on", A.GRANT, values["granted_on"], ""))
            active_on = values["activated_on"] or (max(values["granted_on"], start) if start else None)
            ended = values["ended_on"]
            # Withdrawn or revoked before its term started: it never came into force.
            ended_first = kind in (S.WITHDRAWN, S.REVOKED) and ended and active_on and ended < active_on
            if active_on and active_on <= today and not ended_first:
                acts.append(("activated_on", A.ACTIVATE, active_on, ""))
                activated = True
        if values["suspended_on"]:
            acts.append(("suspended_on", A.SUSPEND, values["suspended_on"], values["suspension_reason"]))
        if kind and kind != S.EXPIRED:
            acts.append(("ended_on", END_KINDS[kind], values["ended_on"], values["end_reason"]))
        elif kind == S.EXPIRED or (activated and end and end < today):
            acts.append(("ended_on", A.EXPIRE, None, ""))
        return acts

    def history(self, row: Row) -> tuple[lifecycle_bulk.History, list[str]]:
        """The row as a license to create with its acts, and the column of each act."""
        values = row.values
        plan = self.plan(row)
        first = next((values[key] for key, _r in ACT_COLUMNS if values[key]), None)
        history = lifecycle_bulk.History(
            fields={**self.fields(row), "origin": RecordOrigin.RECORDED},
            drafted_on=first or self.today,
            acts=[lifecycle_bulk.Act(action, day, reason) for _column, action, day, reason in plan],
        )
        return history, [column for column, *_rest in plan]

    def create(self, rows: list[Row]) -> int:
        """Create the licenses of `rows` (new keys) together; the number created (0 where any was
        refused: its problems are the rows')."""
        histories = []
        for row in rows:
            try:
                histories.append((row, *self.history(row)))
            except _RowRefused:
                continue
        try:
            lifecycle_bulk.create_with_histories(
                [history for _row, history, _c in histories], actor=self.actor
            )
        except lifecycle_bulk.HistoriesRefused as refusal:
            for index, (act, error) in refusal.refused.items():
                row, _history, columns = histories[index]
                _report(row, error, "" if act == lifecycle_bulk.CREATION else columns[act])
            return 0
        for row, history, _columns in histories:
            self.new_stamps.append(self._stamp(row, history.license))
        return len(histories)

    def _stamp(self, row: Row, license: License) -> ImportedLicense:
        values = row.values
        return ImportedLicense(
            license=license,
            key=row.key,
            reference=values["reference"],
            fields_digest=values["fields_digest"],
            acts_digest=values["acts_digest"],
            first_import=self.record,
            last_import=self.record,
        )

    def amend(self, row: Row) -> str:
        """Amend the license of a row imported before: "amended" or "unchanged"."""
        try:
            fields = self.fields(row)
            with transaction.atomic():
                return self._amend(row, fields)
        except _ActError as error:
            _report(row, error.error, error.column)
        except LicensingError as error:
            _report(row, error, "")
        raise _RowRefused()

    def _amend(self, row: Row, fields: dict) -> str:
        stamp, values = row.existing, row.values
        if stamp.fields_digest == values["fields_digest"] and stamp.acts_digest == values["acts_digest"]:
            return "unchanged"
        license = License.objects.select_related("grantor").get(pk=stamp.license_id)
        version = license.version
        if stamp.fields_digest != values["fields_digest"]:
            lifecycle.edit(
                license,
                fields,
                actor=self.actor,
                expected_version=license.version,
                reason=_("Amended by import #%(number)s (%(file)s).")
                % {"number": self.record.pk, "file": self.record.file_name},
            )
        if stamp.acts_digest != values["acts_digest"]:
            self._new_acts(license, row)
        stamp.fields_digest, stamp.acts_digest = values["fields_digest"], values["acts_digest"]
        stamp.last_import = self.record
        self.changed_stamps.append(stamp)
        return "amended" if license.version != version else "unchanged"

    def _new_acts(self, license: License, row: Row) -> None:
        """Record the row's acts its license has not recorded yet, each on its day; refuse those recorded
        on another day (a correction is the admin's, with its reason)."""
        recorded = {}
        events = (
            LicenseEvent.objects.filter(license=license)
            .exclude(action=EventAction.CORRECT)
            .with_effective_day()
            .order_by("id")
        )
        for event in events:
            recorded.setdefault(event.action, event.effective_on)
        for column, action, day, reason in self.plan(row):
            if action in recorded:
                if day is not None and recorded[action] != day:
                    message = _(
                        "Recorded as taking effect on %(day)s: correct that event in the admin instead."
                    ) % {"day": recorded[action]}
                    raise _ActError(column, LicensingError(message))
                continue
            try:
                lifecycle.transition(
                    license,
                    action,
                    actor=self.actor,
                    reason=reason,
                    expected_version=license.version,
                    occurred_on=day,
                    term_acts=False,
                )
            except LicensingError as error:
                raise _ActError(column, error) from None


@dataclasses.dataclass
class _ActError(Exception):
    column: str
    error: LicensingError


def _report(row: Row, error: LicensingError, act_column: str) -> None:
    """The service's refusal, by column: its field errors where it names fields, else its message."""
    reported = False
    for field, messages in (error.errors or {}).items():
        if field in ("occurred_on", "action", "reason"):
            column = act_column
            if field == "reason":
                column = {"suspended_on": "suspension_reason", "ended_on": "end_reason"}.get(
                    act_column, act_column
                )
        else:
            column = FIELD_COLUMNS.get(field, act_column)
        row.problem(column, " ".join(str(message) for message in messages))
        reported = True
    if not reported:
        row.problem(act_column, error)


# The import -------------------------------------------------------------------------------------------


def import_licenses(
    data: bytes,
    file_name: str,
    *,
    actor,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check (and, unless `dry_run`, write) the licenses of a file in the template's format, as `actor`.

    Raises ImportFileError for a file that is not a table of the template; every problem of its rows is
    in the result's `problems`, and where there is any, nothing was written.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    result = ImportResult(file_name=file_name, sha256=sha256, dry_run=dry_run)
    if not access.can_create_licenses(actor):
        result.problems.append(Problem(0, "", _("You may not import licenses.")))
        return result
    result.already_imported = LicenseImport.objects.filter(sha256=sha256).order_by("pk").first()
    headers, rows = read_table(data, file_name)
    result.headers, result.rows = headers, len(rows)
    if result.already_imported is not None:
        # The very same file: every row is known and unchanged, so nothing is checked or written again.
        result.unchanged = len(rows)
        return result
    progress = progress or (lambda stage, done, total: None)
    today = local_today()
    for done, row in enumerate(rows, start=1):
        check_cells(row, today)
        if done % 100 == 0 or done == len(rows):
            progress("checked", done, len(rows))
    register = _read_register(rows, actor)
    check_against_register(rows, register)
    with notifications.suppressed(), cache.bumped_together(), transaction.atomic():
        # Imported history is a record, not news: no lifecycle emails (as for the demo data); the caches
        # are invalidated once, at the end.
        record = LicenseImport.objects.create(
            actor=actor,
            actor_repr=writes.actor_repr(actor),
            file_name=file_name[:255],
            sha256=sha256,
            rows=len(rows),
        )
        writer = _Writer(register, record, today)
        done, total = 0, len(rows)
        for row in rows:
            if not row.problems and row.existing is not None:
                try:
                    outcome = writer.amend(row)
                except _RowRefused:
                    pass
                else:
                    setattr(result, outcome, getattr(result, outcome) + 1)
        new = [row for row in rows if not row.problems and row.existing is None]
        done = total - len(new)
        for start in range(0, len(new), BATCH):
            result.created += writer.create(new[start : start + BATCH])
            done += len(new[start : start + BATCH])
            progress("written", done, total)
        for row in rows:
            result.problems.extend(row.problems)
        if result.problems or dry_run:
            transaction.set_rollback(True)
        else:
            ImportedLicense.objects.bulk_create(writer.new_stamps, batch_size=500)
            ImportedLicense.objects.bulk_update(
                writer.changed_stamps, ["fields_digest", "acts_digest", "last_import"], batch_size=500
            )
            record.created_count, record.amended_count = result.created, result.amended
            record.unchanged_count = result.unchanged
            record.save(update_fields=["created_count", "amended_count", "unchanged_count"])
            result.record = record
    return result


# Export in the template's format -------------------------------------------------------------------


def template_rows(licenses) -> list[dict]:
    """`licenses` as rows of the template (values in the template's language): what an import of them
    would recreate, acts and their days included."""
    licenses = list(
        licenses.select_related("grantor", "implementing_body", "operator").prefetch_related("data_domains")
    )
    events = {}
    for event in (
        LicenseEvent.objects.filter(license__in=licenses)
        .exclude(action=EventAction.CORRECT)
        .with_effective_day()
        .order_by("id")
    ):
        events.setdefault(event.license_id, {}).setdefault(event.action, event)
    rows = []
    for license in licenses:
        acts = events.get(license.pk, {})
        end = next(
            (acts[action] for action in ("withdraw", "revoke", "terminate", "expire") if action in acts), None
        )
        operator = license.operator
        rows.append(
            {
                "reference": license.identifier,
                "title": license.title,
                "grantor_division": license.grantor.division_code,
                "grantor": license.grantor.name,
                "implementing_body": license.implementing_body.name if license.implementing_body else "",
                "operator": operator.name if operator else "",
                "operator_uscc": operator.uscc if operator else "",
                "domains": "；".join(str(d.get_code_display()) for d in license.data_domains.all()),
                "mode": license.get_authorization_mode_display() if license.authorization_mode else "",
                "selection": license.get_selection_method_display() if license.selection_method else "",
                "scope": license.scope,
                "term_start": _day(license.term_start),
                "term_end": _day(license.term_end)
                or (str(import_template.NOT_PUBLISHED) if license.term_start else ""),
                "term_approximate": str(import_template.YES) if license.term_approximate else "",
                "term_exception_reason": license.term_exception_reason,
                "consideration": "" if license.consideration is None else str(license.consideration),
                "consideration_note": license.consideration_note,
                "legal_basis": license.legal_basis,
                "sources": license.source_urls,
                "remarks": license.remarks,
                "drafted_on": _day(acts["create"].effective_on) if "create" in acts else "",
                "listed_on": _act_day(acts, "list"),
                "granted_on": _act_day(acts, "grant"),
                "activated_on": _act_day(acts, "activate"),
                "suspended_on": _act_day(acts, "suspend"),
                "suspension_reason": acts["suspend"].reason if "suspend" in acts else "",
                "ended_on": _day(end.effective_on) if end else "",
                "end_kind": str(LicenseStatus(end.to_status).label) if end else "",
                "end_reason": end.reason if end else "",
            }
        )
    return rows


def _act_day(acts: dict, action: str) -> str:
    return _day(acts[action].effective_on) if action in acts else ""


def _day(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""
