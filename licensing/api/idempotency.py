"""Idempotency-Key on the API's creating writes: a client that sent a write and got no answer (or a 500
after the write committed) sends it again with the same key and gets the first answer, not a second license.

The first answer is stored with the write, in its transaction, per (user, key), with a fingerprint of the
request (method, path, body); a repeat with another request under the same key is refused with 422. Keys
are kept for KEY_LIFETIME, and cleared lazily when the same user sends the same key again. Two identical
requests at once: the second one's insert of the key waits for the first one's transaction, then finds
the key and replays its answer (on PostgreSQL; SQLite runs writes one at a time).
"""

import datetime
import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from ..models import IdempotencyKey
from .serializers import ErrorSerializer

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255

PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Optional, 1 to 255 visible ASCII characters, unique per write (a UUID). A repeat within 24 hours "
        "gets the first answer (status and body, with Idempotent-Replayed: true) and writes nothing; the "
        "same key with a different request is refused with 422."
    ),
)
# The answer a repeat can get besides the first one's (the views list it with their other responses).
RESPONSES = {
    422: OpenApiResponse(
        ErrorSerializer, description=_("The Idempotency-Key was used before for a different request.")
    )
}


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= c <= "~" for c in key):
        raise exceptions.ValidationError(
            {HEADER: [_("Give 1 to 255 visible ASCII characters, such as a UUID.")]}
        )
    return key


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=JSONEncoder, ensure_ascii=False)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyKey, wanted: str) -> Response:
    if record.fingerprint != wanted:
        raise KeyReused(
            _("This Idempotency-Key was used for a different request; use a new key for a new write.")
        )
    return Response(record.body, status=record.status_code, headers={REPLAYED_HEADER: "true"})


def idempotent(view_method):
    """Decorate a write of a viewset (innermost, under @action) to honour Idempotency-Key."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = _key(request)
        if key is None or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        wanted = fingerprint(request)
        with transaction.atomic():
            IdempotencyKey.objects.filter(
                user=request.user, key=key, created_at__lt=timezone.now() - KEY_LIFETIME
            ).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=request.user, key=key, fingerprint=wanted, status_code=0, body={}
                    )
            except IntegrityError:
                # Sent before (or just now, by a request that has committed since this insert waited).
                return _replay(IdempotencyKey.objects.get(user=request.user, key=key), wanted)
            response = view_method(self, request, *args, **kwargs)
            if status.is_success(response.status_code):
                record.status_code = response.status_code
                record.body = json.loads(json.dumps(response.data, cls=JSONEncoder))
                record.save(update_fields=["status_code", "body"])
            else:
                record.delete()
        return response

    return extend_schema(parameters=[PARAMETER])(wrapper)
