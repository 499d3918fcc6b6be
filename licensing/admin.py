"""A basic admin so the data can be seen. Licenses are read-only here: their changes go through the
lifecycle service, which the regulators' admin (its own piece of work) will call."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Authority, License, LicenseEvent, Operator, Regulator

admin.site.site_header = _("Public-Data Operating License Registry")
admin.site.site_title = _("License Registry")
admin.site.index_title = _("Registry administration")


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "division_code", "level_display", "kind", "origin"]
    list_filter = ["kind", "origin"]
    search_fields = ["name", "name_en", "division_code", "uscc"]

    @admin.display(description=_("level"))
    def level_display(self, obj):
        return obj.level.label


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "uscc", "kind", "origin"]
    list_filter = ["kind", "origin"]
    search_fields = ["name", "name_en", "aliases", "uscc"]


@admin.register(Regulator)
class RegulatorAdmin(admin.ModelAdmin):
    list_display = ["user", "authority", "contact_email"]
    list_select_related = ["user", "authority"]
    autocomplete_fields = ["authority"]


class LicenseEventInline(admin.TabularInline):
    model = LicenseEvent
    fields = [
        "occurred_on",
        "action",
        "from_status",
        "to_status",
        "reason",
        "actor_repr",
        "changes",
        "created_at",
    ]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "grantor", "operator", "status", "term_end", "origin"]
    list_filter = ["status", "data_domains", "authorization_mode", "origin"]
    list_select_related = ["grantor", "operator"]
    search_fields = ["number", "title", "operator__name", "operator__uscc"]
    date_hierarchy = "term_end"
    inlines = [LicenseEventInline]

    # View only: every change of a license goes through licensing.lifecycle.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LicenseEvent)
class LicenseEventAdmin(admin.ModelAdmin):
    list_display = [
        "license",
        "action",
        "from_status",
        "to_status",
        "occurred_on",
        "actor_repr",
        "created_at",
    ]
    list_filter = ["action"]
    list_select_related = ["license"]
    search_fields = ["license__number", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
