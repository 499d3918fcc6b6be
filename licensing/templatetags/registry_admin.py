from django import template

from .. import access, status_counts
from ..dates import local_today

register = template.Library()

DASHBOARD_DAYS = 90
DASHBOARD_ROWS = 50


@register.inclusion_tag("admin/licensing/dashboard.html", takes_context=True)
def license_dashboard(context):
    """Counts by status in the user's jurisdiction, the licenses expiring in the next 90 days, and the data
    to complete: licenses granted and not ended whose term end is not published."""
    licenses = access.managed_licenses(context["request"].user)
    expiring = list(status_counts.expiring_within(licenses, DASHBOARD_DAYS)[: DASHBOARD_ROWS + 1])
    today = local_today()
    to_complete = list(status_counts.term_end_unpublished(licenses)[: DASHBOARD_ROWS + 1])
    return {
        "counts": status_counts.status_counts(licenses),
        "to_complete": to_complete[:DASHBOARD_ROWS],
        "more_to_complete": len(to_complete) > DASHBOARD_ROWS,
        "expiring": [(license, (license.term_end - today).days) for license in expiring[:DASHBOARD_ROWS]],
        "more_expiring": len(expiring) > DASHBOARD_ROWS,
        "days": DASHBOARD_DAYS,
    }
