from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Licensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        # notifications and reminders register their outbox kinds on import: every process has them.
        from . import cache, calls, notifications, reminders, signals  # noqa: F401
        from .models import Authority, Call, Domain, Finding, Operator, Product

        signals.license_events_recorded.connect(
            notifications.on_events_recorded, dispatch_uid="licensing-notifications"
        )
        # A call whose licenses have all been decided is awarded with the grant that decides the last.
        signals.license_events_recorded.connect(calls.on_events_recorded, dispatch_uid="licensing-calls")
        # Cached public representations are invalidated by any committed change they may show.
        signals.license_changed.connect(cache.bump_license, dispatch_uid="licensing-cache-licenses")
        # Products change through licensing.products (a license change, announced above); findings by
        # themselves, and both show in flags; calls (through licensing.calls) show on their licenses' pages.
        for model in (Authority, Operator, Domain, Product, Finding, Call):
            post_save.connect(
                cache.bump_on_commit, sender=model, dispatch_uid=f"licensing-cache-{model.__name__}"
            )
            post_delete.connect(
                cache.bump_on_commit, sender=model, dispatch_uid=f"licensing-cache-delete-{model.__name__}"
            )
