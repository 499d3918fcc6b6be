"""Anonymous searches of the public pages are throttled per client address (HTML_SEARCH_RATE): each new
query string misses the page cache and runs a search, so a script sending many would load the database.
Browsing (no query, or only `page` and `sort`) and signed-in users are not counted. Over the rate: a 429 page
with Retry-After. Objections to registrations, filed anonymously, are counted per address too
(OBJECTION_RATE), and so are sign-ups for email alerts (ALERT_RATE; licensing.alerts limits the
confirmations each email address gets besides)."""

import functools
import math

from django.conf import settings
from django.shortcuts import render

from ..api.throttling import AnonymousReadThrottle, HtmlSearchThrottle

NOT_COUNTED = {"page", "sort"}


class ObjectionThrottle(AnonymousReadThrottle):
    """Objections filed anonymously, per address, at OBJECTION_RATE (each carries a file of up to 10 MB)."""

    scope = "objection"

    def get_rate(self):
        return settings.OBJECTION_RATE


class AlertThrottle(AnonymousReadThrottle):
    """Sign-ups for email alerts, per client address, at ALERT_RATE."""

    scope = "alert"

    def get_rate(self):
        return settings.ALERT_RATE


def _searches(request) -> bool:
    return any(value for name, value in request.GET.items() if name not in NOT_COUNTED)


def over_the_rate(request, throttle):
    """The 429 page with Retry-After where an anonymous request is over `throttle`'s rate, else None."""
    if request.user.is_authenticated or throttle.allow_request(request, None):
        return None
    wait = math.ceil(throttle.wait() or 1)
    response = render(request, "429.html", {"retry_after": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def throttled_search(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if _searches(request) and (refused := over_the_rate(request, HtmlSearchThrottle())):
            return refused
        return view(request, *args, **kwargs)

    return wrapper
