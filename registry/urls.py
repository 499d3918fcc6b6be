from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The public site: home, licenses, operators, authorities, verify, feeds, /healthz.
    path("", include("licensing.urls")),
]
