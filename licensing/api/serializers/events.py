"""A license's events: as recorded (with what corrections made of them), the feed's pages, and what a
correction takes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ... import history
from ...models import LicenseEvent
from .base import StrictFieldsMixin


class LicenseEventSerializer(serializers.ModelSerializer):
    """An event as recorded, with what corrections made of it. Views pass events annotated by
    LicenseEventQuerySet.with_effective_day, each with its license and grantor
    and its actor_authority selected. `context["request"]`'s user decides how the actor is named
    (history.actor_shown): a login name only for those who see the license's history in full, else the
    authority acted for."""

    license = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    license_reference = serializers.CharField(source="license.reference", read_only=True)
    actor = serializers.SerializerMethodField()
    occurred_on = serializers.DateField(
        read_only=True,
        help_text=_(
            "The day the event took effect, as recorded with it. On a `correct` event: the day it gives "
            "the event it corrects."
        ),
    )
    effective_on = serializers.DateField(
        read_only=True, help_text=_("The day the event took effect, as last corrected.")
    )
    created_at = serializers.DateTimeField(read_only=True, help_text=_("When the registry recorded it."))
    corrects = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("On a `correct` event: the id of the event it corrects.")
    )
    corrected_by = serializers.IntegerField(
        source="corrected_by_id",
        read_only=True,
        allow_null=True,
        help_text=_("The id of the event's latest correction, if it was corrected."),
    )

    class Meta:
        model = LicenseEvent
        fields = [
            "id",
            "license",
            "action",
            "from_status",
            "to_status",
            "reason",
            "changes",
            "occurred_on",
            "effective_on",
            "created_at",
            "actor",
            "corrects",
            "corrected_by",
            "license_reference",
        ]

    @extend_schema_field(
        serializers.CharField(
            help_text=_(
                'Who acted: the authority they acted for ("registry (automatic)" for the registry\'s '
                "own acts); the login name only for regulators in the license's jurisdiction, auditors "
                "and superusers."
            )
        )
    )
    def get_actor(self, event) -> str:
        request = self.context.get("request")
        return history.actor_shown(event, request.user if request is not None else None)


class CorrectionSerializer(StrictFieldsMixin, serializers.Serializer):
    """A correction of an earlier event: its effective day, its reason, or both."""

    occurred_on = serializers.DateField(
        required=False, help_text=_("The day the event really took effect (default: unchanged).")
    )
    corrected_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("The event's reason as it should read (default: unchanged)."),
    )
    reason = serializers.CharField(help_text=_("Why the correction is made; published with it."))
    version = serializers.IntegerField(min_value=1, help_text=_("The license's version you last saw."))


class EventPageSerializer(serializers.Serializer):
    results = LicenseEventSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()
