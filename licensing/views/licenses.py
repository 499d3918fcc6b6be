"""The home page, the license list and a license's page."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .. import access, compliance, disclosures, emails, history, qr, status_counts
from ..choices import LicenseStatus
from ..dates import local_today
from ..forms import EXPIRY_WINDOWS, PUBLIC_STATUSES, LicenseFilters
from ..models import License
from ..models.licenses import load_co_grantors
from ..search import clean_query, search_licenses
from .common import NotFound, cached_page, listed_licenses, paginate
from .throttling import throttled_search

HOME_EXPIRY_DAYS = 90
HOME_ROWS = 10
HOME_OTHER_ROWS = 5
SUGGESTIONS = 5


@require_safe
def home(request):
    def build():
        licenses = access.public_licenses()
        expiring = list(status_counts.expiring_within(licenses, HOME_EXPIRY_DAYS)[: HOME_ROWS + 1])
        today = local_today()
        return {
            "counts": [
                (status, n)
                for status, n in status_counts.status_counts(licenses)
                if status in PUBLIC_STATUSES
            ],
            "expiring": [(license, license.days_left(today)) for license in expiring[:HOME_ROWS]],
            "more_expiring": len(expiring) > HOME_ROWS,
            "expiry_days": HOME_EXPIRY_DAYS,
            "changes": history.latest_changes(HOME_ROWS),
            "other_changes": history.other_changes(HOME_OTHER_ROWS),
        }

    return cached_page(request, "licensing/home.html", build)


@require_safe
@throttled_search
def license_list(request):
    def build():
        filters = LicenseFilters(request.GET)
        return {
            "filters": filters,
            "page": paginate(request, filters.apply(listed_licenses())),
            "statuses": PUBLIC_STATUSES,
            "expiry_windows": EXPIRY_WINDOWS,
        }

    return cached_page(request, "licensing/license_list.html", build)


@require_safe
def license_detail(request, number):
    number = clean_query(number)
    try:
        return cached_page(
            request, "licensing/license_detail.html", lambda: _license_context(number), license=number
        )
    except NotFound:
        # A draft answers exactly as a number that does not exist: its existence is not public either.
        return license_not_found(request, number)


def _license_context(number):
    license = (
        access.public_licenses(License.objects.filter(number=number))
        .select_related("grantor", "implementing_body", "operator", "call")
        .prefetch_related("data_domains", compliance.products_prefetch())
        .flag_co_grantors()
        .first()
    )
    if license is None:
        raise NotFound
    load_co_grantors([license])
    events = history.timeline(license)
    chain = history.renewal_chain(license)
    position = next(i for i, member in enumerate(chain) if member.pk == license.pk)
    today = local_today()
    in_term = license.status in LicenseStatus.in_force()
    not_started = (
        license.status == LicenseStatus.GRANTED and license.term_start and license.term_start > today
    )
    duties = disclosures.license_duties(license, today)
    # Their license (and so their registrant, the license's body or operator) comes with the related manager.
    shown_registrations = list(license.registrations.public().order_by("kind", "-applied_on", "-pk"))
    address = emails.public_url(license)
    return {
        "license": license,
        "address": address,
        "qr_code": qr.qr_svg(
            address, _("QR code of this record's permanent address: %(address)s") % {"address": address}
        ),
        "today": today,
        "events": events,
        "since": history.status_event(license, events),
        "days_left": license.days_left(today) if in_term else None,
        "starts_in": (license.term_start - today).days if not_started else None,
        "chain": chain,
        "successor": chain[position + 1] if position + 1 < len(chain) else None,
        "products": list(license.products.all()),
        "flags": compliance.license_flags(license, today) + disclosures.duty_flags(duties),
        "duties": duties,
        "registrations": shown_registrations,
    }


def license_not_found(request, number):
    """A helpful 404: what was asked, what a number looks like, licenses that match it, and a search box."""
    suggestions = []
    if number:
        suggestions = list(search_licenses(listed_licenses(), number)[:SUGGESTIONS])
    return render(
        request,
        "licensing/license_not_found.html",
        {"number": number, "suggestions": suggestions},
        status=404,
    )
