"""The API's error bodies, as the schema describes them (licensing/api/errors.py makes them)."""

from rest_framework import serializers

from ...choices import LicenseAction


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ConflictSerializer(ErrorSerializer):
    current_version = serializers.IntegerField()


class ActionRefusedSerializer(ErrorSerializer):
    # Only where the action itself was refused; a body that is not valid says what is wrong instead.
    allowed_actions = serializers.ListField(
        child=serializers.ChoiceField(choices=LicenseAction.choices), required=False
    )
