"""Operators: as shown (with their compliance flags), and what registering one takes. Contact emails are
write-only: never shown."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ... import compliance
from ...choices import OperatorKind
from ...identifiers import normalize_uscc
from ...models import Operator
from ...models.operators import validate_email_lines
from .base import StrictFieldsMixin
from .flags import FlagSerializer, flags_field


class OperatorSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), source="alias_list", read_only=True)

    class Meta:
        model = Operator
        fields = ["id", "name", "name_en", "aliases", "uscc", "uscc_note", "kind", "website"]


class OperatorWithFlagsSerializer(OperatorSerializer):
    """An operator with its compliance flags (its licenses' products, findings against it). Views that
    show many operators compute the flags for all of them at once and pass them as context["flags"]."""

    flags = serializers.SerializerMethodField()

    class Meta(OperatorSerializer.Meta):
        fields = [*OperatorSerializer.Meta.fields, "flags"]

    @flags_field()
    def get_flags(self, operator) -> list[dict]:
        flags = self.context.get("flags") or {}
        if operator.pk not in flags:
            flags = compliance.operator_flags([operator])
        return FlagSerializer(flags[operator.pk], many=True).data


class OperatorWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """Registering an operator. The USCC is normalised and checked (GB 32100); contact emails are kept
    for reminders and never shown again."""

    aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)
    contact_emails = serializers.ListField(
        child=serializers.EmailField(), required=False, default=list, write_only=True
    )
    kind = serializers.ChoiceField(
        choices=OperatorKind.choices,
        required=False,
        default=OperatorKind.UNKNOWN,
        help_text=_("Left out: unknown (not published)."),
    )
    # Longer than 18: spaces, hyphens and full-width forms are normalised away first. Uniqueness is
    # checked on the normalised code (validate_uscc).
    uscc = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")

    class Meta:
        model = Operator
        fields = ["name", "name_en", "aliases", "uscc", "uscc_note", "kind", "website", "contact_emails"]

    def validate_uscc(self, value):
        code = normalize_uscc(value)
        if code and Operator.objects.filter(uscc=code).exists():
            raise serializers.ValidationError(_("An operator with this USCC is already registered."))
        return code

    def validate(self, attrs):
        attrs["aliases"] = "\n".join(alias.strip() for alias in attrs.get("aliases", []) if alias.strip())
        attrs["contact_emails"] = "\n".join(attrs.get("contact_emails", []))
        validate_email_lines(attrs["contact_emails"])
        operator = Operator(**attrs)
        try:
            operator.full_clean(validate_unique=False)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return attrs
