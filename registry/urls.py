from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request):
    # Browsers and crawlers ask for /favicon.ico whatever the pages link; the icon is the site's SVG.
    return HttpResponsePermanentRedirect(static("licensing/favicon.svg"))


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/", include("licensing.api.urls")),
    # The public site: home, licenses, operators, authorities, verify, feeds, /healthz.
    path("", include("licensing.urls")),
]

# JSON errors under /api/, the site's pages elsewhere.
handler400 = "licensing.api.errors.bad_request"
handler404 = "licensing.api.errors.not_found"
handler500 = "licensing.api.errors.server_error"
