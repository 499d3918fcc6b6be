from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """Numbered pages of at most 200 rows; a page number that does not exist is a 400 naming `page`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and (not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {"page_size": [_("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"page": [_("No such page.")]}) from None
