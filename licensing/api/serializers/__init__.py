"""The API's serializers, a module per resource: representations (what reads show) and what writes
accept. Views import them from here."""

from .authorities import AuthoritySerializer, AuthorityWriteSerializer
from .base import StrictFieldsMixin, occurred_on_field
from .calls import (
    CallAwardSerializer,
    CallCancelSerializer,
    CallCreateSerializer,
    CallLicenseCreateSerializer,
    CallLicenseSerializer,
    CallSerializer,
)
from .errors import ActionRefusedSerializer, ConflictSerializer, ErrorSerializer
from .events import CorrectionSerializer, EventPageSerializer, LicenseEventSerializer
from .findings import FindingSerializer, FindingWriteSerializer
from .flags import FlagSerializer, flags_field
from .licenses import (
    LicenseCreateSerializer,
    LicenseFieldsSerializer,
    LicenseSerializer,
    LicenseUpdateSerializer,
    RenewSerializer,
    TransitionSerializer,
    co_grantor_rows,
)
from .operators import OperatorSerializer, OperatorWithFlagsSerializer, OperatorWriteSerializer
from .products import ProductSerializer, ProductUpdateSerializer, ProductWriteSerializer
from .verify import VerdictLicenseSerializer, VerdictSerializer, VerifyQuerySerializer

__all__ = [
    "ActionRefusedSerializer",
    "AuthoritySerializer",
    "AuthorityWriteSerializer",
    "CallAwardSerializer",
    "CallCancelSerializer",
    "CallCreateSerializer",
    "CallLicenseCreateSerializer",
    "CallLicenseSerializer",
    "CallSerializer",
    "ConflictSerializer",
    "CorrectionSerializer",
    "ErrorSerializer",
    "EventPageSerializer",
    "FindingSerializer",
    "FindingWriteSerializer",
    "FlagSerializer",
    "LicenseCreateSerializer",
    "LicenseEventSerializer",
    "LicenseFieldsSerializer",
    "LicenseSerializer",
    "LicenseUpdateSerializer",
    "OperatorSerializer",
    "OperatorWithFlagsSerializer",
    "OperatorWriteSerializer",
    "ProductSerializer",
    "ProductUpdateSerializer",
    "ProductWriteSerializer",
    "RenewSerializer",
    "StrictFieldsMixin",
    "TransitionSerializer",
    "VerdictLicenseSerializer",
    "VerdictSerializer",
    "VerifyQuerySerializer",
    "co_grantor_rows",
    "flags_field",
    "occurred_on_field",
]
