"""An operator's page (its licenses, and whether any is in force today) and an authority's page (the
licenses it granted)."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from .. import access, disclosures, status_counts, verify
from ..forms import PUBLIC_STATUSES
from ..models import Authority
from ..models.licenses import granted_by
from ..search import operator_by_key
from .common import listed_licenses, paginate


@require_safe
def operator_detail(request, key):
    """`key` is the operator's USCC (in any spacing, case or width) or, for one without, its id. The
    canonical address is by USCC where there is one: other spellings redirect there."""
    operator = operator_by_key(key)
    if operator is None:
        raise Http404
    canonical = operator.uscc or str(operator.pk)
    if key != canonical:
        return redirect("licensing:operator", key=canonical, permanent=True)
    return render(
        request,
        "licensing/operator_detail.html",
        {"operator": operator, "verdict": verify.verdict_for(operator)},
    )


@require_safe
def authority_detail(request, pk):
    authority = get_object_or_404(Authority, pk=pk)
    # The licenses it granted, as lead grantor or as a co-grantor.
    granted = access.public_licenses().filter(granted_by(Q(pk=authority.pk)))
    return render(
        request,
        "licensing/authority_detail.html",
        {
            "authority": authority,
            "counts": [(s, n) for s, n in status_counts.status_counts(granted) if s in PUBLIC_STATUSES and n],
            "page": paginate(request, listed_licenses(granted)),
            # Overdue annual disclosures of the licenses it granted or implements (by either party).
            "overdue": disclosures.overdue_duties(disclosures.authority_licenses(authority)),
        },
    )
