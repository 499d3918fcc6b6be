from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Licensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import notifications, signals

        signals.license_events_recorded.connect(
            notifications.on_events_recorded, dispatch_uid="licensing-notifications"
        )
