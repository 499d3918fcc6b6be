"""The selection calls' pages: the list of calls and a call's page (its parties, its outcome and the
license of each operator it proposed or selected)."""

from django.http import Http404
from django.views.decorators.http import require_safe

from ..calls import shown_calls
from .common import NotFound, cached_page, paginate


@require_safe
def call_list(request):
    return cached_page(
        request, "licensing/call_list.html", lambda: {"page": paginate(request, shown_calls())}
    )


@require_safe
def call_detail(request, pk):
    def build():
        call = shown_calls().filter(pk=pk).first()
        if call is None:
            raise NotFound
        return {"call": call}

    try:
        return cached_page(request, "licensing/call_detail.html", build)
    except NotFound:
        raise Http404 from None
