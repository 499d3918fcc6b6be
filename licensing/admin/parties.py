"""Admin of the parties to a license: authorities and their regulators (managed by superusers), and
operators (registered by any regulator, edited where a license of theirs lies in one's jurisdiction)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import access, operators
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
    # Never the contact emails: a search on them would tell any regulator whose they are.
    search_fields = ["name", "name_en", "aliases", "uscc"]
    change_form_template = "admin/licensing/operator/change_form.html"

    def _sees_contacts(self, request, obj) -> bool:
        """Contact emails are shown (and their field offered) only to whom may change the operator, and
        on the form that registers one."""
        if not request.user.is_staff:
            return False
        if obj is None:
            return access.can_register_operators(request.user)
        return access.can_change_operator(request.user, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self._sees_contacts(request, obj):
            return fields
        return [field for field in fields if field != "contact_emails"]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # An edit goes through the service, which records it (licensing.operators); `obj` already carries
        # the new values, so the service is given the row as it was and the fields the form changed.
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        operators.edit_operator(Operator.objects.get(pk=obj.pk), changes, actor=request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["operator_history"] = self._history(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _history(self, request, obj) -> list[dict]:
        """The operator's recorded changes, newest first, each field with its values before and after
        (the contact emails' only for whom may see them)."""
        contacts = self._sees_contacts(request, obj)
        history = []
        for event in obj.events.order_by("-created_at", "-id"):
            rows = []
            for field, (before, after) in event.changes.items():
                label = Operator._meta.get_field(field).verbose_name
                if field == "contact_emails" and not contacts:
                    before = after = _("(not shown)")
                rows.append({"field": label, "before": before, "after": after})
            history.append({"event": event, "rows": rows})
        return history

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
