from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("licensing.api.urls")),
    # The public site has its own issue; until then the root leads to the admin.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]

# JSON errors under /api/, the site's pages elsewhere.
handler404 = "licensing.api.errors.not_found"
handler500 = "licensing.api.errors.server_error"
