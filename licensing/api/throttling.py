"""Throttles, counted in the shared cache (Redis when configured, so the count holds across processes):
anonymous clients by address (API_ANON_RATE), signed-in clients (tokens, sessions) by user (API_USER_RATE),
and anonymous HTML searches by address (HTML_SEARCH_RATE, licensing.views.throttling). Addresses are the
client's as the trusted proxies report it (registry.proxies). Throttles fail open: with the cache
unreachable, requests are served unthrottled and the failure is logged, never turned into an error."""

import logging

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from registry.proxies import client_ip

logger = logging.getLogger(__name__)


class AnonymousReadThrottle(AnonRateThrottle):
    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as error:
            logger.warning("throttle cache unavailable, request not throttled: %s", error)
            return True


class AuthenticatedThrottle(AnonymousReadThrottle):
    """Signed-in clients, per user, at API_USER_RATE: a leaked or runaway token cannot flood the API."""

    scope = "user"

    def get_rate(self):
        return settings.API_USER_RATE

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class HtmlSearchThrottle(AnonymousReadThrottle):
    """Anonymous searches of the public pages, per address, at HTML_SEARCH_RATE."""

    scope = "html_search"

    def get_rate(self):
        return settings.HTML_SEARCH_RATE
