"""Compliance flags as the API shows them: computed when a representation is made, never stored."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...choices import FlagCode


class FlagSerializer(serializers.Serializer):
    """A compliance flag: computed from the data when the representation is made, never stored."""

    code = serializers.ChoiceField(choices=FlagCode.choices)
    label = serializers.CharField()
    explanation = serializers.CharField()
    license = serializers.CharField(source="license_number", allow_null=True)
    product = serializers.IntegerField(source="product_id", allow_null=True)
    finding = serializers.IntegerField(source="finding_id", allow_null=True)

    def to_representation(self, flag):
        data = super().to_representation(flag)
        data["license"] = data["license"] or None
        return data


def flags_field():
    return extend_schema_field(FlagSerializer(many=True))
