"""The public site: server-rendered pages anyone may read, without logging in (README "Public site")."""

from .calls import call_detail, call_list
from .downloads import data_dictionary, download, download_page, snapshot_file
from .findings import findings_page
from .licenses import home, license_detail, license_list
from .parties import authority_detail, operator_detail
from .verify import verify

__all__ = [
    "authority_detail",
    "call_detail",
    "call_list",
    "data_dictionary",
    "download",
    "download_page",
    "findings_page",
    "home",
    "license_detail",
    "license_list",
    "operator_detail",
    "snapshot_file",
    "verify",
]
