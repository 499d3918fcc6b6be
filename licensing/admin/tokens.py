"""API tokens in the admin: each staff user with a role sees and revokes their own; superusers see and
revoke everyone's. Tokens are made with `manage.py create_api_token` or at /api/v1/tokens/, where the
token is shown once; the admin shows only what is stored (never the token)."""

from django.contrib import admin

from ..models import ApiToken
from .base import RoleAdmin

FIELDS = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdmin):
    list_display = FIELDS
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    ordering = ["-created_at", "-id"]
    fields = readonly_fields = FIELDS

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def has_delete_permission(self, request, obj=None):
        # The queryset already holds only the tokens this user may see, and so revoke.
        return self.has_view_permission(request, obj)
