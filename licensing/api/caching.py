"""How the API's public reads are cached and validated: bodies for anonymous clients from licensing.cache,
answered before DRF's machinery runs when the cache has them, and ETags on detail responses."""

import hashlib

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import parse_etags, quote_etag
from rest_framework.renderers import JSONRenderer

from .. import cache


def etag_of(content: bytes) -> str:
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


def matches(request, etag: str) -> bool:
    """Whether the client's If-None-Match names `etag` (weak or strong). Not get_conditional_response:
    it would also answer If-Match (412) and `If-None-Match: *` (304), where these reads answer 200."""
    sent = parse_etags(request.headers.get("If-None-Match", ""))
    return etag in sent or f"W/{etag}" in sent


def not_modified(request, etag: str, source=None) -> HttpResponseNotModified | None:
    """A 304 for `etag` where the client's If-None-Match names it (with the headers of `source`, the full
    response, that a 304 repeats), else None."""
    if not matches(request, etag):
        return None
    response = HttpResponseNotModified()
    response["ETag"] = etag
    for header in ("Vary", "Content-Language"):
        if source is not None and header in source:
            response[header] = source[header]
    return response


def is_anonymous(request) -> bool:
    """No credentials of any kind: no API token (or any Authorization header) and no signed-in session."""
    return "authorization" not in request.headers and not request.user.is_authenticated


def _accepts_json(request) -> bool:
    """Whether content negotiation would pick JSON (the API's one renderer) rather than answer 406."""
    accept = request.headers.get("Accept", "")
    return not accept or "json" in accept or "*/*" in accept or "application/*" in accept


class CachedPublicReads:
    """Anonymous reads are served from the cache (licensing.cache): the rendered body, keyed by path,
    query and language, invalidated once a change to what it shows commits. Signed-in users see drafts
    by their rights, so their reads are built each time.

    A cached body is found before DRF's dispatch (request wrapping, authentication, content negotiation,
    rendering), which costs more than the read itself; the throttle still runs. A miss, and anything not
    anonymous, takes the full path, which gives the same response (tests hold the two equal). Responses
    of the etag_actions carry an ETag, on either path."""

    cached_actions = ("list", "retrieve")
    etag_actions = ("retrieve",)

    def _read_action(self):
        # A viewset's route maps GET to an action; a plain APIView's GET is its own.
        return getattr(self, "action_map", {}).get("get", "get")

    def cache_parts(self, request) -> tuple:
        # Host and scheme too: the pagination links in a body are absolute.
        host = (request.scheme, request.get_host())
        return ("api", *host, request.path, sorted(request.GET.lists()), request.LANGUAGE_CODE)

    def cached_license(self) -> str | None:
        """The number of the license whose own representation this read gives, if it is one (then only
        a change to that license, or to what it shows from elsewhere, invalidates it: licensing.cache)."""
        return None

    def dispatch(self, request, *args, **kwargs):
        action = self._read_action()
        if (
            request.method == "GET"
            and action in self.cached_actions
            and _accepts_json(request)
            and is_anonymous(request)
        ):
            # Kept for a miss: the full path fills this slot rather than reading the cache again.
            self.cache_slot = cache.slot(self.cache_parts(request), license=self.cached_license())
            body = self.cache_slot.body
            if body is not None and all(t.allow_request(request, self) for t in self.get_throttles()):
                return self._cached_response(request, body, etag=action in self.etag_actions)
        return super().dispatch(request, *args, **kwargs)

    def _cached_response(self, request, body, etag):
        tag = etag_of(body) if etag else None
        if tag and (unchanged := not_modified(request, tag)):
            return unchanged
        response = HttpResponse(body, content_type="application/json")
        response["Allow"] = ", ".join(self.allowed_methods)
        if tag:
            response["ETag"] = tag
        return response

    def cached_read(self, request, build):
        if not is_anonymous(request):
            return build()

        def body():
            response = build()
            return JSONRenderer().render(response.data, renderer_context=self.get_renderer_context())

        found = getattr(self, "cache_slot", None) or cache.slot(
            self.cache_parts(request), license=self.cached_license()
        )
        return HttpResponse(cache.filled(found, body), content_type="application/json")

    def finalize_response(self, request, response, *args, **kwargs):
        # Detail responses carry an ETag computed from the representation itself, so it changes whenever
        # anything in it does (the license, its grantor or operator, the language), and If-None-Match
        # gets a 304. The Vary header (Accept-Language) comes from the locale middleware.
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and getattr(self, "action", None) in self.etag_actions
        ):
            if hasattr(response, "render"):
                response.render()
            etag = etag_of(response.content)
            response["ETag"] = etag
            return not_modified(request, etag, source=response) or response
        return response
