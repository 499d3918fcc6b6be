"""Authorities: as shown, and what creating or changing one takes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ... import identifiers
from ...choices import DivisionLevel
from ...models import Authority
from .base import StrictFieldsMixin


class AuthoritySerializer(serializers.ModelSerializer):
    level = serializers.ChoiceField(choices=DivisionLevel.choices, read_only=True)

    class Meta:
        model = Authority
        fields = ["id", "name", "name_en", "division_code", "level", "kind", "uscc"]


class AuthorityWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """Creating or changing an authority (superusers and national-level regulators). The division code is
    normalised and checked (GB/T 2260; the level follows from it and is not written); the USCC is optional,
    normalised and checked (GB 32100). A name is unique within its division, a USCC across authorities."""

    # Longer than stored: spaces and full-width forms are normalised away first.
    division_code = serializers.CharField(
        max_length=64, help_text=_("GB/T 2260 code of the authority's area; 100000 for national bodies.")
    )
    uscc = serializers.CharField(required=False, allow_blank=True, max_length=64)

    class Meta:
        model = Authority
        fields = ["name", "name_en", "division_code", "kind", "uscc"]
        # The uniqueness rules are checked in validate(), each as an error naming its field.
        validators = []

    def validate_division_code(self, value):
        try:
            return identifiers.clean_division_code(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate_uscc(self, value):
        if not value.strip():
            return ""
        try:
            code = identifiers.clean_uscc(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        if self._others().filter(uscc=code).exists():
            raise serializers.ValidationError(_("An authority with this USCC is already registered."))
        return code

    def validate(self, attrs):
        division = attrs.get("division_code", getattr(self.instance, "division_code", ""))
        name = attrs.get("name", getattr(self.instance, "name", ""))
        if ("name" in attrs or "division_code" in attrs) and self._others().filter(
            division_code=division, name=name
        ).exists():
            raise serializers.ValidationError(
                {"name": [_("An authority with this name is already registered in this division.")]}
            )
        return attrs

    def _others(self):
        others = Authority.objects.all()
        return others.exclude(pk=self.instance.pk) if self.instance is not None else others

    def save(self, **kwargs):
        # A concurrent write can still take the name or the code between the check and the insert: the
        # database's unique constraints then refuse it, and the client gets the same 400.
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError:
            code = self.validated_data.get("uscc")
            field = "uscc" if code and self._others().filter(uscc=code).exists() else "name"
            raise serializers.ValidationError(
                {field: [_("Another authority was registered with this meanwhile.")]}
            ) from None
