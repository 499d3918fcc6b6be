"""What the public views share: the licenses anyone may see, as the lists show them, pagination, and the
cache of whole pages for anonymous visitors."""

import functools
import hashlib

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string

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


class NotFound(Exception):
    """Raised by a page's context builder: the page does not exist (and nothing is cached)."""


@functools.cache
def _csrf_placeholder() -> str:
    # Stands for the visitor's CSRF token in a cached page. Derived from the secret key, so that text in
    # a license cannot spell it; hex, so that the template's escaping leaves it as it is.
    return hashlib.sha256(f"cached-page-csrf:{settings.SECRET_KEY}".encode()).hexdigest()


def cached_page(request, template_name: str, build, license: str | None = None) -> HttpResponse:
    """`template_name` rendered with the context `build()` returns (it raises NotFound for a page that
    does not exist).

    For anonymous visitors the whole page comes from the generation-keyed cache (licensing.cache), keyed
    by the full path and the language, which is all an anonymous page depends on besides the data. The
    one part that is the visitor's own, the CSRF token of the language switch, is cached as a placeholder
    and filled in for each response. Signed-in users' pages are built each time: they may differ.
    `license`: the number of the license whose own page this is (licensing.cache says why)."""
    if request.user.is_authenticated:
        return render(request, template_name, build())
    placeholder = _csrf_placeholder()

    def html() -> bytes:
        context = {**build(), "csrf_token": placeholder}
        return render_to_string(template_name, context, request).encode()

    # The placeholder is part of the key: pages cached under another secret key carry another one.
    parts = ("page", request.get_full_path(), request.LANGUAGE_CODE, placeholder)
    body = cache.cached(parts, html, license=license)
    return HttpResponse(body.replace(placeholder.encode(), get_token(request).encode()))
