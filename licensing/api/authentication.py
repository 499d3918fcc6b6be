"""Authorization: Token pdol_... with the registry's hashed, expiring tokens (licensing.tokens)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .. import tokens


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Token, with no spaces."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = tokens.find(raw)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This token has expired; make a new one."))
        tokens.record_use(token, now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "licensing.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _(
                '"Token " followed by a token from /api/v1/tokens/ or `manage.py create_api_token`.'
            ),
        }
