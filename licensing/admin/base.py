"""Permissions in the admin come from licensing.access (roles and jurisdictions), not from per-model
permission rows, so the admin, the API and the pages cannot disagree about who may do what."""

import datetime

from django.contrib import admin
from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.translation import gettext as _

from .. import access
from ..access import Role
from ..inputs import whole_number


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

    def get_changelist_instance(self, request):
        check_date_hierarchy(request, self.date_hierarchy)
        return super().get_changelist_instance(request)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index for a missing object; an object outside one's jurisdiction must
        # look exactly like one that does not exist, and both answer 404.
        raise Http404(_("Not found in your jurisdiction."))


def check_date_hierarchy(request, field: str | None) -> None:
    """The date hierarchy's `{field}__year`, `__month` and `__day` name a day, month or year the calendar
    has, and one after it (the change list narrows to [that one, the next)); otherwise a 400 naming the
    parameter. Django's change list turns a year like 99999999999 into an OverflowError (a 500)."""
    if not field:
        return
    parts = [("year", 1, datetime.MAXYEAR - 1), ("month", 1, 12), ("day", 1, 31)]
    values = {}
    for part, minimum, maximum in parts:
        parameter = f"{field}__{part}"
        if parameter in request.GET:
            values[part] = whole_number(request.GET[parameter], minimum=minimum, maximum=maximum)
            if values[part] is None:
                raise BadRequest(
                    _("“%(parameter)s” is not a whole number from %(minimum)s to %(maximum)s.")
                    % {"parameter": parameter, "minimum": minimum, "maximum": maximum}
                )
    if "year" in values:
        try:
            datetime.date(values["year"], values.get("month", 1), values.get("day", 1))
        except ValueError:
            raise BadRequest(
                _("“%(parameter)s” is not a day of that month.") % {"parameter": f"{field}__day"}
            ) from None
