from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Licensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        # notifications, the reminders (expiry, registration, disclosure), the alerts and webhooks register
        # their outbox kinds on import: every process has them.
        from . import (  # noqa: F401
            alerts,
            cache,
            calls,
            disclosure_reminders,
            forms,
            notifications,
            registration_reminders,
            reminders,
            signals,
            webhooks,
        )
        from .api.webhooks import event_body
        from .models import (
            Authority,
            Call,
            Disclosure,
            Domain,
            Finding,
            Objection,
            Operator,
            Product,
            Registration,
            RegistrationEvent,
        )

        # A saved search finds its licenses as the public license list does (the list's filters).
        alerts.search_licenses = forms.saved_search_licenses
        signals.license_events_recorded.connect(
            notifications.on_events_recorded, dispatch_uid="licensing-notifications"
        )
        # A call whose licenses have all been decided is awarded with the grant that decides the last.
        signals.license_events_recorded.connect(calls.on_events_recorded, dispatch_uid="licensing-calls")
        # Webhook deliveries are written with the events; their body is the events API's representation.
        signals.license_events_recorded.connect(
            webhooks.on_events_recorded, dispatch_uid="licensing-webhooks"
        )
        webhooks.show_events_with(event_body)
        # Cached public representations are invalidated by any committed change they may show.
        signals.license_changed.connect(cache.bump_license, dispatch_uid="licensing-cache-licenses")
        # Products change through licensing.products (a license change, announced above); findings by
        # themselves, and both show in flags; calls (through licensing.calls) show on their licenses' pages,
        # disclosures on theirs and in flags. Registrations change through licensing.registrations, which
        # records an event with every change.
        cached_elsewhere = (Authority, Operator, Domain, Product, Finding, Call, Disclosure)
        for model in (*cached_elsewhere, Registration, RegistrationEvent, Objection):
            post_save.connect(
                cache.bump_on_commit, sender=model, dispatch_uid=f"licensing-cache-{model.__name__}"
            )
            post_delete.connect(
                cache.bump_on_commit, sender=model, dispatch_uid=f"licensing-cache-delete-{model.__name__}"
            )
