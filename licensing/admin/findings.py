"""The findings register in the admin: everyone with a role reads it; superusers and national-level
regulators record findings (licensing.access). Saving links the finding to the operator or authority it
names (licensing.findings); the flags column says where the entity has no license for that data."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from .. import access, compliance, findings
from ..inputs import whole_number
from ..models import Finding
from .base import RoleAdmin
from .products import flag_tags


class YearFilter(admin.SimpleListFilter):
    title = _("year published")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request)
            .annotate(year=ExtractYear("published_on"))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if (year := whole_number(self.value(), minimum=1, maximum=9999)) is not None:
            return queryset.filter(published_on__year=year)
        return queryset


class FlaggedChangeList(ChangeList):
    """Computes the flags of the page's findings at once (a constant number of queries)."""

    def get_results(self, request):
        super().get_results(request)
        flags = compliance.finding_flags(self.result_list)
        for finding in self.result_list:
            finding.compliance_flags = flags[finding.pk]


@admin.register(Finding)
class FindingAdmin(RoleAdmin):
    list_display = [
        "entity_name",
        "department",
        "issuer",
        "published_on",
        "amount_display",
        "data_domain",
        "flags_column",
    ]
    list_filter = ["issuer", "department", YearFilter, "data_domain", "origin"]
    list_select_related = ["operator", "authority"]
    search_fields = ["entity_name", "entity_name_en", "entity_uscc", "department", "issuer", "description"]
    ordering = ["-published_on", "department", "id"]
    autocomplete_fields = ["operator", "authority"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["issuer", "issuer_en", "published_on", "source", "source_urls"]}),
        (
            _("Entity found"),
            {
                "fields": [
                    "entity_name",
                    "entity_name_en",
                    "entity_uscc",
                    "department",
                    "department_en",
                    "operator",
                    "authority",
                ],
                "description": _(
                    "Leave the operator and the authority empty to link them by the USCC or the names."
                ),
            },
        ),
        (
            _("What was found"),
            {
                "fields": [
                    "data_domain",
                    "period_start",
                    "period_end",
                    "dates_approximate",
                    "amount",
                    "systems",
                    "description",
                    "origin",
                ]
            },
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["licensing/compliance.css"]}

    def has_add_permission(self, request):
        return request.user.is_staff and access.can_record_findings(request.user)

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff and access.can_record_findings(request.user)

    def get_changelist(self, request, **kwargs):
        return FlaggedChangeList

    @admin.display(description=_("amount (CNY)"), ordering="amount")
    def amount_display(self, obj):
        return compliance.format_yuan(obj.amount) or "–"

    @admin.display(description=_("flags"))
    def flags_column(self, obj):
        flags = getattr(obj, "compliance_flags", None)
        if flags is None:
            flags = compliance.finding_flags([obj])[obj.pk]
        return flag_tags(flags)

    def save_model(self, request, obj, form, change):
        # The form has validated the finding (Finding.clean: a source, amounts, dates); the links follow.
        findings.relink(obj, form.changed_data if change else None)
        obj.save()
