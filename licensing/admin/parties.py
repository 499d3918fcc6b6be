"""Admin of the parties to a license: authorities and their regulators (managed by superusers), and
operators (registered by any regulator, edited where a license of theirs lies in one's jurisdiction)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import access
from ..access import Role
from ..models import Authority, Operator, Regulator
from .base import RoleAdmin


class SuperuserManagedAdmin(RoleAdmin):
    def has_add_permission(self, request):
        return access.can_manage_authorities(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_manage_authorities(request.user)

    def has_delete_permission(self, request, obj=None):
        # Deleting one that licenses refer to is refused by the database (PROTECT).
        return access.can_manage_authorities(request.user)


@admin.register(Authority)
class AuthorityAdmin(SuperuserManagedAdmin):
    list_display = ["name", "name_en", "division_code", "level_display", "kind", "origin"]
    list_filter = ["kind", "origin"]
    search_fields = ["name", "name_en", "division_code", "uscc"]

    def get_queryset(self, request):
        return access.visible_authorities(request.user, super().get_queryset(request))

    @admin.display(description=_("level"))
    def level_display(self, obj):
        return obj.level.label


@admin.register(Regulator)
class RegulatorAdmin(SuperuserManagedAdmin):
    list_display = ["user", "authority", "contact_email"]
    list_select_related = ["user", "authority"]
    autocomplete_fields = ["authority"]

    def has_module_permission(self, request):
        return self._role(request) in (Role.SUPERUSER, Role.AUDITOR)

    def has_view_permission(self, request, obj=None):
        return self._role(request) in (Role.SUPERUSER, Role.AUDITOR)


@admin.register(Operator)
class OperatorAdmin(RoleAdmin):
    list_display = ["name", "name_en", "uscc", "kind", "origin"]
    list_filter = ["kind", "origin"]
    search_fields = ["name", "name_en", "aliases", "uscc"]

    def has_add_permission(self, request):
        return request.user.is_staff and access.can_register_operators(request.user)

    def has_change_permission(self, request, obj=None):
        if not request.user.is_staff:
            return False
        if obj is None:
            return access.can_register_operators(request.user)
        return access.can_change_operator(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return access.can_manage_authorities(request.user)
