"""What the public views share: the licenses anyone may see, as the lists show them, and pagination."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .. import access, cache

PAGE_SIZE = 20


def listed_licenses(queryset: QuerySet | None = None) -> QuerySet:
    """Public licenses with what a list row shows: grantor, operator and data domains (no N+1)."""
    return (
        access.public_licenses(queryset)
        .select_related("grantor", "operator")
        .prefetch_related("data_domains")
    )


def paginate(request, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """The requested page; a page number that is not one gives the first page, one past the end the last."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def cached_context(request, parts: tuple, build):
    """A page's context data, from the generation-keyed cache (licensing.cache) for anonymous visitors;
    built afresh for signed-in users, whose pages may differ. The HTML itself is not cached: it carries
    the visitor's CSRF token (the language switch is a form)."""
    if request.user.is_authenticated:
        return build()
    return cache.cached(("page", *parts, request.LANGUAGE_CODE), build)
