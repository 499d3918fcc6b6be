"""Change-list filters that respect the jurisdiction rule (they only offer what the user may see)."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import access, compliance, status_counts
from ..choices import DataDomain
from ..dates import local_today
from ..inputs import whole_number
from ..models.licenses import granted_by


class ExpiresWithinFilter(admin.SimpleListFilter):
    title = _("expires within")
    parameter_name = "expires_within"
    WINDOWS = (7, 30, 90)

    def lookups(self, request, model_admin):
        return [(str(days), _("%(days)s days") % {"days": days}) for days in self.WINDOWS]

    def queryset(self, request, queryset):
        if self.value() not in {str(days) for days in self.WINDOWS}:
            return queryset
        return queryset.expiring_within(int(self.value()), local_today())


class DataDomainFilter(admin.SimpleListFilter):
    """Licenses covering a data domain: those that list it and every whole authorization (整体授权)."""

    title = _("data domain")
    parameter_name = "domain"

    def lookups(self, request, model_admin):
        return DataDomain.choices

    def queryset(self, request, queryset):
        if self.value() in DataDomain.values:
            return queryset.covering_domain(self.value())
        return queryset


class TermEndFilter(admin.SimpleListFilter):
    """Licenses granted and not ended whose term end is not published: the data to complete
    (status_counts.term_end_unpublished, as the dashboard lists them)."""

    title = _("term end")
    parameter_name = "term_end_published"

    def lookups(self, request, model_admin):
        return [("no", _("Not published"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return status_counts.term_end_unpublished(queryset)
        return queryset


class GrantorFilter(admin.SimpleListFilter):
    """Grantors the user may see (a related-field filter would list every authority in the registry)."""

    title = _("grantor")
    parameter_name = "grantor"

    def lookups(self, request, model_admin):
        authorities = access.visible_authorities(request.user).filter(
            Q(granted_licenses__isnull=False) | Q(co_granted_licenses__isnull=False)
        )
        return [(str(authority.pk), str(authority)) for authority in authorities.distinct()]

    def queryset(self, request, queryset):
        # The lead grantor or a co-grantor.
        if (pk := whole_number(self.value())) is not None:
            return queryset.filter(granted_by(Q(pk=pk)))
        return queryset


class HasFlagsFilter(admin.SimpleListFilter):
    """Licenses whose products raise a compliance flag today (licensing.compliance), or none."""

    title = _("compliance flags")
    parameter_name = "has_flags"

    def lookups(self, request, model_admin):
        return [("yes", _("Has flags")), ("no", _("No flags"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return compliance.flagged_licenses(queryset, flagged=self.value() == "yes")
        return queryset


class ListedDomainFilter(admin.SimpleListFilter):
    """Records that list a data domain, in the vocabulary's order, and those that list none, named so
    (Django's related-field filter lists the domains by code and the empty choice as a bare "-")."""

    title = _("data domain")
    parameter_name = "domain"
    NONE = "none"

    def lookups(self, request, model_admin):
        return [*DataDomain.choices, (self.NONE, _("None listed"))]

    def queryset(self, request, queryset):
        if self.value() == self.NONE:
            return queryset.filter(data_domains__isnull=True)
        if self.value() in DataDomain.values:
            return queryset.filter(data_domains__code=self.value()).distinct()
        return queryset
