"""Bulk exports of licenses, streamed row by row so that 100,000 rows never sit in memory at once.

Callers pass a queryset already narrowed by licensing.access (and by whatever filters the user chose).
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import TextField, Value
from django.db.models.aggregates import StringAgg
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

COLUMNS = [
    ("number", _("number")),
    ("title", _("title")),
    ("status", _("status")),
    ("grantor__name", _("grantor")),
    ("grantor__division_code", _("division code")),
    ("operator__name", _("operator")),
    ("operator__uscc", _("USCC")),
    ("domains", _("data domains")),
    ("authorization_mode", _("authorization mode")),
    ("term_start", _("term start")),
    ("term_end", _("term end")),
    ("consideration", _("consideration (CNY)")),
    ("version", _("version")),
    # Drafts have no number yet: their reference names them.
    ("reference", _("reference")),
]
CHUNK_SIZE = 2000

# A cell a spreadsheet program would read as a formula (or, after a tab or carriage return, as the start
# of one). OWASP's CSV-injection guidance: prefix such a cell with a single quote, which the program
# shows as text (https://owasp.org/www-community/attacks/CSV_Injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value):
        return value


def license_rows(queryset) -> Iterator[tuple]:
    """One tuple per license, in COLUMNS order: one query, read in chunks (a server-side cursor on
    PostgreSQL), with the data domains joined by the database."""
    rows = (
        queryset.order_by("number")
        .annotate(
            domains=Coalesce(StringAgg("data_domains__code", Value(";")), Value(""), output_field=TextField())
        )
        .values_list(*[name for name, _label in COLUMNS])
    )
    return rows.iterator(chunk_size=CHUNK_SIZE)


def spreadsheet_safe(value):
    """`value` as a CSV cell no spreadsheet runs: text starting like a formula gets a leading quote.
    Numbers and dates are not text and stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """CSV text, line by line, starting with a byte-order mark so spreadsheet programs read the Chinese
    text as UTF-8, then the translated header. Every cell goes through spreadsheet_safe."""
    writer = csv.writer(Echo())
    yield "\ufeff" + writer.writerow([spreadsheet_safe(str(label)) for _name, label in COLUMNS])
    domains = [name for name, _label in COLUMNS].index("domains")
    for row in rows:
        row = ["" if value is None else value for value in row]
        # Sorted here: SQLite cannot order inside an aggregate.
        row[domains] = ";".join(sorted(filter(None, row[domains].split(";"))))
        yield writer.writerow([spreadsheet_safe(value) for value in row])
