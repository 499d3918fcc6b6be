"""An operator's page (its licenses, and whether any is in force today) and an authority's page (the
licenses it granted)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from .. import access, reports, verify
from ..forms import PUBLIC_STATUSES
from ..identifiers import is_valid_uscc, normalize_uscc
from ..inputs import whole_number
from ..models import Authority, Operator
from .common import listed_licenses, paginate


@require_safe
def operator_detail(request, key):
    """`key` is the operator's USCC (in any spacing, case or width) or, for one without, its id. The
    canonical address is by USCC where there is one: other spellings redirect there."""
    code = normalize_uscc(key)
    if is_valid_uscc(code):
        operator = get_object_or_404(Operator, uscc=code)
    elif (pk := whole_number(key)) is not None:
        operator = get_object_or_404(Operator, pk=pk)
    else:
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
    granted = access.public_licenses().filter(grantor=authority)
    return render(
        request,
        "licensing/authority_detail.html",
        {
            "authority": authority,
            "counts": [(s, n) for s, n in reports.status_counts(granted) if s in PUBLIC_STATUSES and n],
            "page": paginate(request, listed_licenses(granted)),
        },
    )
