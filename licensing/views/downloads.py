"""The register as files: the download page, the data dictionary, each file (streamed, with validators
for conditional GETs, gzipped where the client takes it) and the daily snapshots."""

import datetime

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from ..api import downloads, snapshots
from ..forms import LicenseFilters
from ..models import License
from .throttling import throttled_search


@require_safe
def download_page(request):
    return render(
        request,
        "licensing/downloads.html",
        {
            "datasets": downloads.DATASETS.values(),
            "formats": downloads.FORMATS,
            "snapshots": [(snapshot, snapshot.manifest()) for snapshot in snapshots.listing()],
            "snapshot_days": settings.LICENSING_SNAPSHOT_DAYS,
        },
    )


@require_safe
def data_dictionary(request):
    return render(request, "licensing/data_dictionary.html", {"datasets": downloads.DATASETS.values()})


def _bad_request(problems: dict[str, list[str]]) -> JsonResponse:
    """A 400 naming each parameter that cannot be used, in the API's error shape (licensing.api.errors)."""
    return JsonResponse(
        {
            "detail": _("Some parameters cannot be used; nothing was downloaded."),
            "code": "invalid",
            "errors": {name: [str(message) for message in messages] for name, messages in problems.items()},
        },
        status=400,
    )


def _problems(request, known) -> dict[str, list[str]]:
    unknown = sorted(set(request.GET) - set(known))
    message = _("Unknown parameter; known: %(known)s.") % {"known": ", ".join(known) or "-"}
    return {name: [message] for name in unknown}


@require_safe
@throttled_search
@gzip_page
def download(request, dataset, format):
    """One file of the register: every public record, or for licenses those the list's filters (its
    query parameters) select. A filter that cannot be used is a 400, not ignored as the list page does:
    a file that silently holds more than asked for would mislead whoever uses it. Filtered downloads
    count as searches of the list (throttled_search)."""
    dataset = downloads.DATASETS[dataset]
    licenses = None
    if dataset is downloads.LICENSES:
        problems = _problems(request, LicenseFilters.FIELDS)
        if not problems:
            filters = LicenseFilters(request.GET)
            problems = filters.problems
            licenses = filters.apply(License.objects.all())
    else:
        problems = _problems(request, ())
    if problems:
        return _bad_request(problems)
    found = downloads.validators(dataset.name, format, sorted(request.GET.lists()), request.LANGUAGE_CODE)
    records = dataset.records(licenses) if licenses is not None else dataset.records()
    response = StreamingHttpResponse(
        downloads.in_language(
            request.LANGUAGE_CODE, downloads.blocks(downloads.lines(dataset, format, records))
        ),
        content_type=downloads.FORMATS[format],
    )
    response["Content-Disposition"] = f'attachment; filename="{dataset.filename(format)}"'
    response["ETag"] = found.etag
    response["Last-Modified"] = http_date(found.last_modified.timestamp())
    # Kept by anyone, asked again each time: the validators make the asking cheap.
    response["Cache-Control"] = "public, no-cache"
    return get_conditional_response(
        request, etag=found.etag, last_modified=int(found.last_modified.timestamp()), response=response
    )


@require_safe
def snapshot_file(request, day):
    try:
        snapshot = snapshots.find(datetime.date.fromisoformat(day))
    except ValueError:
        snapshot = None
    if snapshot is None:
        raise Http404(_("No snapshot of this day is kept."))
    return FileResponse(snapshot.path.open("rb"), as_attachment=True, filename=snapshot.filename)
