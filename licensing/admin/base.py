"""Permissions in the admin come from licensing.access (roles and jurisdictions), not from per-model
permission rows, so the admin, the API and the pages cannot disagree about who may do what."""

import datetime

from django.contrib import admin, messages
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _

from .. import access
from ..access import Role
from ..exceptions import LicensingError
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


class ServiceRefused(Exception):
    """A write refused by its service after the form had passed its own checks (say a race): raised
    inside the admin's transaction, so that it rolls back and nothing is written."""

    def __init__(self, error: LicensingError):
        self.error = error


def adopt(obj, created) -> None:
    """Make the admin's unsaved instance the record its service created (for the admin's redirect and
    log entry)."""
    for field in type(created)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(created, field.attname))
    obj._state.adding = False


class ServiceWriteAdmin(RoleAdmin):
    """A model admin whose writes go through the record's service, which checks them and records their
    events. Its add form creates through `create` (a subclass's hook); a refusal is shown on the form as
    messages, with nothing written."""

    def create(self, request, data: dict):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            created = self.create(request, form.cleaned_data)
        except LicensingError as error:
            raise ServiceRefused(error) from error
        adopt(obj, created)

    def save_related(self, request, form, formsets, change):
        # The service has saved the related rows (data domains, co-grantors) with the rest.
        pass

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The admin's transaction has rolled back: nothing was written.
            error = refused.error
            self.message_user(request, error.message, messages.ERROR)
            for field, errors in error.errors.items():
                said = " ".join(str(message) for message in errors if str(message) != str(error.message))
                if said:
                    self.message_user(request, f"{field}: {said}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


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


class ReadOnlyInline(admin.TabularInline):
    """A list of rows shown inside a record's page that no one adds to, changes or deletes there (a log,
    the licenses of a call); who may see it is the subclass's has_view_permission."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
