"""Admin of licenses and their events. Licenses are view-only here for now: their changes go through the
lifecycle service, which the regulators' admin will call."""

from django.contrib import admin

from ..models import License, LicenseEvent
from .reminders import ExpiryReminderInline


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
    inlines = [LicenseEventInline, ExpiryReminderInline]

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
