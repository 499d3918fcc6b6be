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


def anonymous_read(view):
    """Marks `view` as a public read: made anonymously, its GET and HEAD need no session, signed-in user,
    messages or lockout, and AnonymousReadMiddleware serves them without that middleware."""
    view.serves_anonymous_reads = True
    return view


class AnonymousReadMiddleware:
    """Serves an anonymous read of a public page or API resource without the middleware it cannot use.

    A GET or HEAD with no Authorization header and no cookie but the CSRF and language ones, for a view
    marked anonymous_read (the API's PublicReads, the public pages), can have no session, no signed-in
    user, no messages and no login to lock out. For such a request the session, authentication, messages
    and axes middleware below this one would only spend time, so it calls the view itself, with an
    anonymous user, between the two halves of the middleware whose work does reach the answer (common,
    CSRF: a page's language switch carries a token; frame options), in the whole stack's order, and adds
    the Vary: Cookie the session middleware would have added. Any other request goes down the whole
    stack. Tests hold the answers of both paths equal, headers included (tests/test_anonymous_reads.py).

    It sits below the input guard and the locale middleware, whose work every request needs, and above
    the session middleware."""

    METHODS = ("GET", "HEAD")

    def __init__(self, get_response):
        from django.middleware.clickjacking import XFrameOptionsMiddleware
        from django.middleware.common import CommonMiddleware
        from django.middleware.csrf import CsrfViewMiddleware

        self.get_response = get_response
        self.common = CommonMiddleware(get_response)
        self.csrf = CsrfViewMiddleware(get_response)
        self.frame_options = XFrameOptionsMiddleware(get_response)
        # A visitor carrying only these is nobody: a CSRF token and a language choice.
        self.anonymous_cookies = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}

    def __call__(self, request):
        match = self.lean_match(request)
        if match is None:
            return self.get_response(request)
        return self.serve(request, match)

    def lean_match(self, request):
        """The resolved URL where the request can take the lean path, else None."""
        if (
            request.method not in self.METHODS
            or "authorization" in request.headers
            or not self.anonymous_cookies.issuperset(request.COOKIES)
        ):
            return None
        # Imported here: this module is loaded with the logging configuration, before the apps.
        from django.urls import Resolver404, get_resolver

        try:
            match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
        except Resolver404:
            return None
        return match if getattr(match.func, "serves_anonymous_reads", False) else None

    def serve(self, request, match):
        from django.contrib.auth.models import AnonymousUser
        from django.utils.cache import patch_vary_headers

        request.user = AnonymousUser()
        request.resolver_match = match
        response = self.common.process_request(request) or self.csrf.process_request(request)
        if response is None:
            response = self.csrf.process_view(request, match.func, match.args, match.kwargs)
        if response is None:
            response = match.func(request, *match.args, **match.kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        response = self.frame_options.process_response(request, response)
        response = self.csrf.process_response(request, response)
        response = self.common.process_response(request, response)
        # The whole stack reads the (absent) session to find the user, and says so.
        patch_vary_headers(response, ("Cookie",))
        return response
