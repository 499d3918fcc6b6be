"""API tokens, stored as their SHA-256 digest only, and the stored answers to Idempotency-Key requests.

A token is shown once, when it is made (licensing.tokens); the registry keeps its first characters to find
it and the digest to check it, so a copy of the database gives nobody a usable token.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. a script."))
    # The token's first characters: enough to find it, useless without the rest.
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True, editable=False)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class IdempotencyKey(models.Model):
    """The first answer to a write sent with an Idempotency-Key header, replayed to its repeats."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the request's body (as parsed, keys sorted).
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]

    def __str__(self):
        return self.key
