"""The public site: server-rendered pages anyone may read, without logging in (DESIGN.md "Public pages")."""

from .findings import findings_page
from .licenses import home, license_detail, license_list
from .parties import authority_detail, operator_detail
from .verify import verify

__all__ = [
    "authority_detail",
    "findings_page",
    "home",
    "license_detail",
    "license_list",
    "operator_detail",
    "verify",
]
