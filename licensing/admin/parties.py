"""Admin of the parties to a license: authorities, their regulators, and operators."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Authority, Operator, Regulator


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
