"""The client's address, as the trusted proxies in front report it: one rule for login lockouts
(django-axes' AXES_CLIENT_IP_CALLABLE), the API's throttles and the HTML search throttle.

With DJANGO_TRUSTED_PROXY_COUNT = 0 (the default) the address is REMOTE_ADDR and X-Forwarded-For is
ignored, since anyone can send it. With N proxies, each appending the address it received the request
from, the client is the N-th address from the right of X-Forwarded-For (as DRF's NUM_PROXIES reads it);
addresses further left were written by the client and are not believed.
"""

import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        addresses = forwarded.split(",")
        found = _address(addresses[-min(count, len(addresses))])
        if found:
            return found
    return remote
