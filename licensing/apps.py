from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Licensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import cache, notifications, signals
        from .models import Authority, Domain, Finding, Operator, Product

        signals.license_events_recorded.connect(
            notifications.on_events_recorded, dispatch_uid="licensing-notifications"
        )
        # Cached public representations are invalidated by any committed change they may show.
        signals.license_changed.connect(cache.bump_license, dispatch_uid="licensing-cache-licenses")
        # Products change through licensing.products (a license change, announced above); findings by
        # themselves, and both show in flags.
        for model in (Authority, Operator, Domain, Product, Finding):
            post_save.connect(
                cache.bump_on_commit, sender=model, dispatch_uid=f"licensing-cache-{model.__name__}"
            )
            post_delete.connect(
                cache.bump_on_commit, sender=model, dispatch_uid=f"licensing-cache-delete-{model.__name__}"
            )
