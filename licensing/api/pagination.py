from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from ..inputs import whole_number


class Pages(PageNumberPagination):
    """Numbered pages of at most 200 rows. A page number or size that is not a number in range is a 400
    naming the parameter; a page past the last is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and whole_number(raw, minimum=1, maximum=self.max_page_size) is None:
            raise exceptions.ValidationError(
                {"page_size": [_("A whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and whole_number(raw, minimum=1) is None:
            raise exceptions.ValidationError({"page": [_("A whole number from 1.")]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = str(_("Page number, from 1; past the last page is a 404."))
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
