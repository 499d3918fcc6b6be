"""Permissions in the admin come from licensing.access (roles and jurisdictions), not from per-model
permission rows, so the admin, the API and the pages cannot disagree about who may do what."""

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext as _

from .. import access
from ..access import Role


class RoleAdmin(admin.ModelAdmin):
    """Visible to staff with a role; read-only unless a subclass allows more."""

    def _role(self, request) -> Role:
        return access.role_of(request.user) if request.user.is_staff else Role.PUBLIC

    def has_module_permission(self, request):
        return self._role(request) != Role.PUBLIC

    def has_view_permission(self, request, obj=None):
        return self._role(request) != Role.PUBLIC

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index for a missing object; an object outside one's jurisdiction must
        # look exactly like one that does not exist, and both answer 404.
        raise Http404(_("Not found in your jurisdiction."))
