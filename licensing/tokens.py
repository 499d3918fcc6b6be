"""API tokens: made with a name and an expiry, shown once, stored as a SHA-256 digest, revoked by deleting.

Our own rather than django-rest-knox: knox's token has no name and no record of its last use, and its
views sign in with a password over the API; with those added we would have rewritten most of it. What it
does that matters is here: the token is 256 random bits, only its digest is stored, the digest is
compared in constant time, and a token expires.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils import timezone

from .models import ApiToken

# Tokens look like "pdol_<43 characters>"; the first PREFIX_LENGTH characters find the row.
SCHEME = "pdol_"
PREFIX_LENGTH = 12
# The last use is written at most once in this interval per token, not on every request.
LAST_USE_INTERVAL = datetime.timedelta(minutes=5)
MAX_DAYS = 3650


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days` (API_TOKEN_DAYS by default). Returns the row and the token
    itself, which is not stored and cannot be shown again."""
    raw = SCHEME + secrets.token_urlsafe(32)
    days = settings.API_TOKEN_DAYS if days is None else days
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        digest=digest(raw),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return token, raw


def find(raw: str) -> ApiToken | None:
    """The token `raw` stands for, expired or not, or None."""
    if not raw.startswith(SCHEME) or len(raw) > 100:
        return None
    wanted = digest(raw)
    for token in ApiToken.objects.select_related("user").filter(prefix=raw[:PREFIX_LENGTH]):
        if hmac.compare_digest(token.digest, wanted):
            return token
    return None


def record_use(token: ApiToken, now: datetime.datetime | None = None) -> None:
    """Note that `token` was used now, unless that was noted less than LAST_USE_INTERVAL ago."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USE_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
