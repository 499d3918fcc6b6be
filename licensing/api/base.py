"""The one base of the API's resources: public reads (cached for anonymous clients: caching.py), writes by
the default permission. A resource's viewset says what it lists and how it shows a page; the base does the
rest."""

from rest_framework import mixins, permissions, viewsets

from .caching import CachedPublicReads
from .filters import reject_unknown


class PublicReads:
    """Reads are open to anyone (the schema then marks them so); writes keep the default permission."""

    def get_permissions(self):
        # A method the resource does not have is a 405 for everyone (DRF checks permissions before it
        # looks for the handler, which would make it a 401 for anonymous clients).
        if self.request is not None and (
            self.request.method in permissions.SAFE_METHODS or not self._handles(self.request.method)
        ):
            return [permissions.AllowAny()]
        return super().get_permissions()

    def _handles(self, method: str) -> bool:
        name = method.lower()
        # A viewset's methods are its action map (the schema's views have no bound handlers).
        handled = name in (getattr(self, "action_map", None) or {}) or hasattr(self, name)
        return name in self.http_method_names and handled


class PublicReadViewSet(
    PublicReads,
    CachedPublicReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    # List and detail reads of a resource, open to anyone and cached for anonymous clients. A list is a
    # page of `listed()` shown by `shown_page()`: by default the serializer's representations, given the
    # page's compliance flags (`page_flags`) where the resource has any. (A comment, not a docstring: the
    # schema describes a viewset without a docstring of its own by its bases', PublicReads' above.)

    def list(self, request, *args, **kwargs):
        def build():
            page = self.paginate_queryset(self.listed())
            return self.get_paginated_response(self.shown_page(page))

        return self.cached_read(request, build)

    def retrieve(self, request, *args, **kwargs):
        reject_unknown(request.query_params, ())  # a detail read takes no parameters
        return self.cached_read(
            request, lambda: super(PublicReadViewSet, self).retrieve(request, *args, **kwargs)
        )

    def listed(self):
        """What the list pages through, filtered by the query."""
        return self.filter_queryset(self.get_queryset())

    def page_flags(self, page) -> dict | None:
        """The compliance flags of a whole page at once, by primary key (the serializer reads them from
        context["flags"]): a constant number of queries however long the page. None: no flags here."""
        return None

    def shown_page(self, page) -> list:
        context = self.get_serializer_context()
        flags = self.page_flags(page)
        if flags is not None:
            context["flags"] = flags
        return self.get_serializer(page, many=True, context=context).data
