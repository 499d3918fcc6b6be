"""The findings page: audit and enforcement findings, their totals by department and by issuer drawn as
bar charts, and each finding with its entity and its compliance flags."""

from django.views.decorators.http import require_safe

from .. import charts, compliance, findings
from ..models import Finding
from ..search import clean_query
from .common import cached_page, paginate
from .throttling import throttled_search


@require_safe
@throttled_search
def findings_page(request):
    # The table can be narrowed to one department or issuer (the bars link there); the charts and the
    # totals always show every finding.
    def build():
        department = clean_query(request.GET.get("department"))
        issuer = clean_query(request.GET.get("issuer"))
        rows = Finding.objects.select_related("operator", "authority").order_by(
            "-published_on", "department", "entity_name", "id"
        )
        if department:
            rows = rows.filter(department=department)
        if issuer:
            rows = rows.filter(issuer=issuer)
        page = paginate(request, rows)
        totals = findings.totals()
        return {
            "page": page,
            "flags": compliance.finding_flags(page.object_list),
            "totals": totals,
            "department": department,
            "issuer": issuer,
            "by_department": charts.bar_chart(
                [(total.label, total.amount) for total in totals.by_department]
            ),
            "by_issuer": charts.bar_chart([(total.label, total.amount) for total in totals.by_issuer]),
        }

    return cached_page(request, "licensing/findings.html", build)
