from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..choices import EventAction, LicenseStatus
from .append_only import AppendOnlyModel, AppendOnlyQuerySet
from .authorities import Authority
from .licenses import License


class CurrentTransactionId(models.Func):
    """The writing transaction's id on PostgreSQL (NULL elsewhere), as a column default.

    The change feed (licensing.event_cursor) orders events by it, and serves only events of transactions that
    have ended, so that a client reading the feed while events are written never misses one that
    commits late. SQLite needs none of this: it runs one writer at a time, so ids follow commit order.
    """

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return "(pg_current_xact_id()::text::bigint)", []


class EventImmutableError(Exception):
    """License events are the history of record: written once, never changed or removed."""

    def __init__(self):
        super().__init__(_("License events are append-only: they cannot be changed or deleted."))


class LicenseEventQuerySet(AppendOnlyQuerySet):
    immutable_error = EventImmutableError

    def with_effective_day(self):
        """Each event with `effective_on`, the day it took effect as last corrected (its own `occurred_on`
        where it was never corrected), and `corrected_by_id`, its latest correction (None if none).

        The one place an event's effective day is resolved: pages, feeds, the API, verdicts and the
        lifecycle's ordering rules all read it from here. Two correlated subqueries: no query more.
        """
        latest = LicenseEvent.objects.filter(corrects=OuterRef("pk")).order_by("-id")
        return self.annotate(
            effective_on=Coalesce(
                Subquery(latest.values("occurred_on")[:1]), F("occurred_on"), output_field=models.DateField()
            ),
            corrected_by_id=Subquery(latest.values("pk")[:1]),
        )


class LicenseEvent(AppendOnlyModel):
    """One thing that happened to a license: a status change, an edit or amendment, a renewal.

    Append-only. The model refuses updates and deletes; on PostgreSQL a trigger refuses them too
    (migration 0002), so not even raw SQL rewrites history.
    """

    immutable_error = EventImmutableError

    license = models.ForeignKey(
        License, on_delete=models.PROTECT, related_name="events", verbose_name=_("license")
    )
    action = models.CharField(_("action"), max_length=16, choices=EventAction)
    from_status = models.CharField(_("from status"), max_length=16, choices=LicenseStatus, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, choices=LicenseStatus, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # PROTECT: an actor is deactivated, never deleted, so the history keeps who did what.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="license_events",
        verbose_name=_("actor"),
        help_text=_("Empty for the registry's own actions (the sweep)."),
    )
    actor_repr = models.CharField(_("actor as recorded"), max_length=200)
    # The authority the actor acted for, fixed when the event is written: what the public is shown instead
    # of the login name (licensing.history.public_actor). Empty for the sweep, for superusers without a
    # regulator profile, and for events recorded before it was kept.
    actor_authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor's authority"),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True, help_text=_("Field: [before, after]."))
    occurred_on = models.DateField(
        _("occurred on"), help_text=_("The real-world date, which may precede the record.")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Set on `correct` events only: the event whose effective day or reason this one corrects. The
    # correction's own occurred_on is the effective day it gives that event.
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    txid = models.BigIntegerField(null=True, editable=False, db_default=CurrentTransactionId())

    objects = LicenseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("license event")
        verbose_name_plural = _("license events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["license", "created_at"], name="event_license_created"),
            models.Index(fields=["txid", "id"], name="event_feed_order"),
        ]

    def __str__(self):
        return f"{self.license_id}: {self.action} ({self.occurred_on})"
