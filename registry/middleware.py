"""Request ids: one per request, on the response, in every log line and on every LicenseEvent written."""

import logging
import re
import uuid
from contextvars import ContextVar

from django.conf import settings

_request_id: ContextVar[str] = ContextVar("request_id", default="")

# An id from a trusted proxy (TRUST_REQUEST_ID_HEADER) is kept when it is short and plain, so it cannot
# forge log lines; any other is replaced.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._-]{1,64}")
HEADER = "X-Request-ID"


def current_request_id() -> str:
    """The id of the request being served, or "" outside a request (sweep, commands, shell)."""
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "") if settings.TRUST_REQUEST_ID_HEADER else ""
        request_id = incoming if _ACCEPTABLE.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id() or "-"
        return True
