"""The public site: server-rendered pages anyone may read, without logging in (README "Public site")."""

from . import alerts
from .calls import call_detail, call_list
from .downloads import data_dictionary, download, download_page, snapshot_file
from .findings import findings_page
from .licenses import home, license_detail, license_list
from .parties import authority_detail, operator_detail
from .registrations import lookup as registration_lookup
from .registrations import notice_list as registration_notices
from .registrations import objection, registration_detail
from .verify import verify

__all__ = [
    "alerts",
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
    "objection",
    "operator_detail",
    "registration_detail",
    "registration_lookup",
    "registration_notices",
    "snapshot_file",
    "verify",
]
