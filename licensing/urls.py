"""The public site's addresses (README "Public site")."""

from django.urls import path

from . import feeds, health, views
from .api import downloads

app_name = "licensing"

urlpatterns = [
    path("", views.home, name="home"),
    path("licenses/", views.license_list, name="licenses"),
    path("licenses/<str:number>/", views.license_detail, name="license"),
    path("licenses/<str:number>/feed.atom", feeds.LicenseFeed(), name="license_feed"),
    path("operators/<str:key>/", views.operator_detail, name="operator"),
    path("authorities/<int:pk>/", views.authority_detail, name="authority"),
    path("verify/", views.verify, name="verify"),
    path("findings/", views.findings_page, name="findings"),
    path("calls/", views.call_list, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("registrations/", views.registration_notices, name="registration_notices"),
    path("registrations/lookup/", views.registration_lookup, name="registration_lookup"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("registrations/<int:pk>/objection/", views.objection, name="objection"),
    path("alerts/", views.alerts.subscribe, name="alerts"),
    path("alerts/confirm/<str:token>/", views.alerts.confirm, name="alert_confirm"),
    path("alerts/unsubscribe/<str:token>/", views.alerts.unsubscribe, name="alert_unsubscribe"),
    path("alerts/manage/<str:token>/", views.alerts.manage, name="alert_manage"),
    path("feeds/changes.atom", feeds.ChangesFeed(), name="changes_feed"),
    path("healthz", health.healthz, name="healthz"),
    path("downloads/", views.download_page, name="downloads"),
    path("downloads/dictionary/", views.data_dictionary, name="data_dictionary"),
    # Stable addresses, one per file: /downloads/licenses.csv, /downloads/events.jsonl, ...
    *(
        path(
            f"downloads/{name}.{format}", views.download, {"dataset": name, "format": format}, name="download"
        )
        for name in downloads.DATASETS
        for format in downloads.FORMATS
    ),
    path("downloads/snapshots/register-<str:day>.zip", views.snapshot_file, name="snapshot"),
]
