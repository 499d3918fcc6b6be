"""The verify page: is this entity licensed, for what, until when (licensing.verify's verdict)."""

from django.views.decorators.http import require_safe

from ..choices import DataDomain
from ..forms import VerifyForm
from .common import cached_page
from .throttling import throttled_search


@require_safe
@throttled_search
def verify(request):
    # GET, so that a verdict has an address to share. The bare address is a form to fill in; the form
    # sent empty is an error.
    def build():
        asked = any(field in request.GET for field in VerifyForm.base_fields)
        form = VerifyForm(request.GET if asked else None)
        verdict = form.verdict if asked and form.is_valid() else None
        domain = DataDomain(verdict.domain).label if verdict and verdict.domain else ""
        return {"form": form, "verdict": verdict, "domain": domain}

    return cached_page(request, "licensing/verify.html", build)
