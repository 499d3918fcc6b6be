"""Anonymous clients are throttled through the shared cache (Redis when configured, so the count holds
across processes). The throttle fails open: with the cache unreachable, requests are served unthrottled
and the failure is logged, never turned into an error for the client."""

import logging

from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)


class AnonymousReadThrottle(AnonRateThrottle):
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception as error:
            logger.warning("throttle cache unavailable, request not throttled: %s", error)
            return True
