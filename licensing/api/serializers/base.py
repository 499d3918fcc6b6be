"""What every write serializer of the API shares: unknown and non-text fields refused by name, and the
effective day of an act."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictFieldsMixin:
    """A write refuses fields it does not know, naming them, instead of silently dropping them: a client
    that misspells `occurred_on` must not have its record written with today's day."""

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, Mapping) else []
        errors = {field: [_("Unknown field: this write does not take it.")] for field in unknown}
        errors |= self.not_text(data)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict):
                errors = {**error.detail, **errors}
                raise serializers.ValidationError(errors) from None
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def not_text(self, data) -> dict:
        """Errors for text fields given something else: DRF would store 0 as "0", where the schema (and
        the client's intent) says a string."""
        if not isinstance(data, Mapping):
            return {}
        errors = {}
        for name, field in self.fields.items():
            value = data.get(name)
            if isinstance(field, serializers.ListField) and isinstance(value, list):
                field, value = field.child, next((v for v in value if not isinstance(v, str)), "")
            if isinstance(field, serializers.CharField) and value is not None and not isinstance(value, str):
                errors[name] = [_("Give text (a JSON string).")]
        return errors


def occurred_on_field():
    return serializers.DateField(
        required=False,
        help_text=_(
            "The day the act took effect, as the sources say (default: today, Asia/Shanghai). Not in "
            "the future, and not before the license's previous public event."
        ),
    )
