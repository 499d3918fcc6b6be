"""Request ids: one per request, on the response, in every log line and on every LicenseEvent written.
And the input guard: control characters and deep JSON refused at the edge, for every view."""

import logging
import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.utils.translation import gettext as _

from licensing import inputs

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


class InputGuardMiddleware:
    """Refuses, with a 400 that names the parameter, a request whose path, query string, form or JSON body
    carries a control character the registry cannot store or publish (licensing.inputs), or a JSON body
    nested deeper than any real one. Here, once, rather than in every view, filter and form: PostgreSQL
    fails on a NUL wherever it meets one, and the Atom feeds on any C0 control character.

    Refused rather than stripped: a value changed silently would be searched, stored or compared as
    something the client did not send. Tab, line feed and carriage return stay allowed.
    """

    BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self.refused(request)
        if refused is not None:
            return self.bad_request(request, *refused)
        return self.get_response(request)

    def refused(self, request) -> tuple[str, str] | None:
        """(parameter, message) for the first thing refused, or None."""
        if character := inputs.control_character(request.path):
            return "path", self.control_message("path", character)
        for name, values in request.GET.lists():
            for text in (name, *values):
                if character := inputs.control_character(text):
                    return name, self.control_message(name, character)
        if request.method not in self.BODY_METHODS:
            return None
        content_type = request.content_type or ""
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, values in request.POST.lists():
                for text in (name, *values):
                    if character := inputs.control_character(text):
                        return name, self.control_message(name, character)
        elif content_type == "application/json" or content_type.endswith("+json"):
            try:
                inputs.check_json(request.body)
            except inputs.JSONRefused as refusal:
                if refusal.problem == "nested":
                    return refusal.where, _("The JSON body is nested deeper than %(max)s levels.") % {
                        "max": inputs.MAX_JSON_DEPTH
                    }
                return refusal.where or "body", self.control_message(refusal.where, refusal.problem)
        return None

    @staticmethod
    def control_message(name: str, character: str) -> str:
        shown = inputs.CONTROL_CHARACTERS.sub("\ufffd", name)
        return _("“%(name)s” contains a control character (%(character)s), which is not accepted.") % {
            "name": shown,
            "character": character,
        }

    @staticmethod
    def bad_request(request, parameter: str, message: str):
        # Imported here: this module is loaded with the logging configuration, before the apps.
        from licensing.api.errors import bad_request_response

        return bad_request_response(request, message, {parameter: [message]} if parameter else None)
