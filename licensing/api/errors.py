"""Every API error has one shape: {"detail": "...", "code": "...", "errors": {"field": ["message"]}}.

Domain errors of the lifecycle service become 400 (with the allowed actions where an action was
refused) or 409 (a stale version, with the current one).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from ..exceptions import ActionNotAllowed, LicensingError, StaleVersion
from ..verify import QueryError


class ServiceError(exceptions.APIException):
    """A licensing domain error, carried through DRF to the handler below."""

    def __init__(self, error: LicensingError):
        self.error = error
        self.status_code = status.HTTP_409_CONFLICT if isinstance(error, StaleVersion) else 400
        super().__init__(detail=str(error.message), code=error.code)


def _body(detail, code, errors=None, **extra):
    return {"detail": str(detail), "code": code, "errors": errors or {}, **extra}


def _flatten(detail) -> dict:
    """DRF's nested validation detail as {"field": ["message", ...]} (nested fields joined by dots)."""
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    errors = {}
    for field, value in detail.items():
        if isinstance(value, dict):
            for sub, messages in _flatten(value).items():
                errors[f"{field}.{sub}"] = messages
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                for sub, messages in _flatten(item).items():
                    errors[f"{field}.{index}.{sub}"] = messages
        else:
            errors[field] = [str(item) for item in (value if isinstance(value, list) else [value])]
    return errors


def exception_handler(exc, context):
    if isinstance(exc, LicensingError):
        exc = ServiceError(exc)
    if isinstance(exc, QueryError):
        exc = exceptions.ValidationError(exc.errors)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if str(exc) else None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ServiceError):
        extra = {}
        if isinstance(exc.error, ActionNotAllowed):
            extra["allowed_actions"] = [str(action) for action in exc.error.allowed]
        if isinstance(exc.error, StaleVersion):
            extra["current_version"] = exc.error.current
        errors = {field: [str(m) for m in messages] for field, messages in exc.error.errors.items()}
        response.data = _body(exc.error.message, exc.error.code, errors, **extra)
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = next(iter(errors.items()), ("", [_("Invalid input.")]))
        detail = f"{first[0]}: {first[1][0]}" if first[0] and first[0] != "non_field_errors" else first[1][0]
        response.data = _body(detail, "invalid", errors)
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        response.data = _body(exc.detail, codes if isinstance(codes, str) else "error")
    return response


def bad_request(request, exception=None):
    """The 400 handler (a BadRequest raised outside the API's views): the reason, as JSON under /api/,
    on the site's page elsewhere."""
    message = (
        str(exception) if exception is not None and str(exception) else _("The request could not be used.")
    )
    return bad_request_response(request, message)


def bad_request_response(request, message: str, errors: dict | None = None):
    """A 400 saying `message` (and, under /api/, `errors` by parameter)."""
    if request.path.startswith("/api/"):
        return JsonResponse(_body(message, "invalid", errors), status=400)
    return render(request, "400.html", {"message": message}, status=400)


def not_found(request, exception=None):
    """The 404 handler: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(_body(_("No such address in the API."), "not_found"), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            _body(_("The server failed; the error has been logged."), "server_error"), status=500
        )
    return defaults.server_error(request)
