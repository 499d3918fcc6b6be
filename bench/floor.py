"""The floor: the least a Django view can do to answer "this license" — one single-row lookup, as JSON.

Measured in the same run, on the same server and settings as the product's endpoints; their throughput
is reported as a ratio to this one. Not part of the product.
"""

from django.http import Http404, JsonResponse

from licensing.models import License


def floor(request, number):
    row = (
        License.objects.filter(number=number)
        .values(
            "number",
            "title",
            "status",
            "term_start",
            "term_end",
            "version",
            "grantor__name",
            "operator__uscc",
        )
        .first()
    )
    if row is None:
        raise Http404
    return JsonResponse(row)
