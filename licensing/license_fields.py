"""The fields of a license as the registry shows and takes them, declared once.

Everything else that lists them derives from LICENSE_FIELDS: the API's serializer (its fields, in this
order), the lean read (licensing/api/representations.py: the columns it reads and how it shows them) and
the lifecycle service (EDITABLE: what create_license and edit let a caller set). A new column that is
shown as stored, and perhaps editable, is one line here besides the model; a test fails if a field of
the model is neither declared here nor listed as kept out of the representation.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class LicenseField:
    name: str
    # A column of the license's own row, read and shown as stored (a date as ISO text, a decimal to its
    # places); otherwise the field is related rows or is computed, and the lean read says how it is shown.
    column: bool
    # Callers may set it (lifecycle.create_license, edit); the rest belong to the services.
    editable: bool = False


def _column(name, *, editable=False):
    return LicenseField(name, column=True, editable=editable)


def _other(name, *, editable=False):
    return LicenseField(name, column=False, editable=editable)


# In the order the API shows them.
LICENSE_FIELDS = (
    _column("number"),
    _column("reference"),
    _column("title", editable=True),
    _column("status"),
    _other("status_label"),
    _column("status_changed_at"),
    _other("grantor", editable=True),
    _other("co_grantors", editable=True),
    _other("implementing_body", editable=True),
    _other("operator", editable=True),
    _other("data_domains", editable=True),
    _other("covers_all_domains"),
    _column("authorization_mode", editable=True),
    _column("scope", editable=True),
    _column("selection_method", editable=True),
    _column("term_start", editable=True),
    _column("term_end", editable=True),
    _other("term_end_published"),
    _column("term_approximate", editable=True),
    _column("term_exception_reason", editable=True),
    _column("signed_on", editable=True),
    _column("filed_on", editable=True),
    _column("consideration", editable=True),
    _column("consideration_note", editable=True),
    _column("legal_basis", editable=True),
    _column("source_urls", editable=True),
    _column("remarks", editable=True),
    _other("predecessor"),
    _other("successor"),
    _other("call"),
    _other("flags"),
    _column("origin", editable=True),
    _column("version"),
    _column("created_at"),
    _column("updated_at"),
)

SHOWN = tuple(field.name for field in LICENSE_FIELDS)
COLUMNS = tuple(field.name for field in LICENSE_FIELDS if field.column)
EDITABLE = tuple(field.name for field in LICENSE_FIELDS if field.editable)

# Fields of the model that no representation shows: the key, and what only the services keep.
NOT_SHOWN = frozenset({"id"})
