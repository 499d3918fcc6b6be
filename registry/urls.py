from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("licensing.api.urls")),
    # The public site: home, licenses, operators, authorities, verify, feeds, /healthz.
    path("", include("licensing.urls")),
]

# JSON errors under /api/, the site's pages elsewhere.
handler400 = "licensing.api.errors.bad_request"
handler404 = "licensing.api.errors.not_found"
handler500 = "licensing.api.errors.server_error"
