from django import template

from .. import access, compliance, disclosures, history, status_counts
from ..choices import EventAction
from ..dates import local_today
from .registry_compliance import product_field_label
from .registry_public import field_label

register = template.Library()

DASHBOARD_DAYS = 90
DASHBOARD_ROWS = 50


@register.inclusion_tag("admin/licensing/dashboard.html", takes_context=True)
def license_dashboard(context):
    """Counts by status in the user's jurisdiction, how many licenses raise a compliance flag today, the
    licenses expiring in the next 90 days, the data to complete (licenses granted and not ended whose term
    end is not published), and the annual disclosures overdue."""
    licenses = access.managed_licenses(context["request"].user)
    expiring = list(status_counts.expiring_within(licenses, DASHBOARD_DAYS)[: DASHBOARD_ROWS + 1])
    today = local_today()
    to_complete = list(status_counts.term_end_unpublished(licenses)[: DASHBOARD_ROWS + 1])
    return {
        "counts": status_counts.status_counts(licenses),
        "flagged": compliance.flagged_licenses(licenses).count(),
        "to_complete": to_complete[:DASHBOARD_ROWS],
        "more_to_complete": len(to_complete) > DASHBOARD_ROWS,
        "expiring": [(license, (license.term_end - today).days) for license in expiring[:DASHBOARD_ROWS]],
        "more_expiring": len(expiring) > DASHBOARD_ROWS,
        "days": DASHBOARD_DAYS,
        "overdue_disclosures": disclosures.overdue_duties(licenses, today, limit=DASHBOARD_ROWS),
    }


@register.filter
def admin_actor(event) -> str:
    return history.recorded_actor(event)


@register.filter
def changed_field_labels(event) -> list[str]:
    """The labels of the fields an event's diff names, in the reader's language: a product's fields for
    a product or price change (its "product" entry names the product, not a field), else the license's.
    A renewal's links between licenses (successor, predecessor) are told apart, not listed as fields."""
    if event.action == EventAction.PRODUCT:
        return [str(product_field_label(name)) for name in event.changes if name != "product"]
    return [str(field_label(name)) for name in event.changes if name not in ("successor", "predecessor")]
