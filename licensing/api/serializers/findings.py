"""Audit and enforcement findings: as shown, and what recording one takes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ... import compliance
from ...choices import DataDomain, RecordOrigin
from ...models import Finding
from .authorities import AuthoritySerializer
from .base import StrictFieldsMixin
from .flags import FlagSerializer, flags_field
from .operators import OperatorSerializer


class FindingSerializer(serializers.ModelSerializer):
    operator = OperatorSerializer(read_only=True, allow_null=True)
    authority = AuthoritySerializer(read_only=True, allow_null=True)
    systems = serializers.ListField(child=serializers.CharField(), source="system_list", read_only=True)
    source_urls = serializers.ListField(
        child=serializers.URLField(), source="source_url_list", read_only=True
    )
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "issuer",
            "issuer_en",
            "published_on",
            "period_start",
            "period_end",
            "dates_approximate",
            "entity_name",
            "entity_name_en",
            "entity_uscc",
            "department",
            "department_en",
            "operator",
            "authority",
            "data_domain",
            "amount",
            "systems",
            "description",
            "source",
            "source_urls",
            "flags",
            "origin",
            "created_at",
            "updated_at",
        ]

    @flags_field()
    def get_flags(self, finding) -> list[dict]:
        flags = self.context.get("flags") or {}
        if finding.pk not in flags:
            flags = compliance.finding_flags([finding])
        return FlagSerializer(flags[finding.pk], many=True).data


class FindingWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """Recording a finding. The entity is linked to the registered operator or authority it names."""

    issuer = serializers.CharField(max_length=200)
    issuer_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    published_on = serializers.DateField()
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    dates_approximate = serializers.BooleanField(required=False)
    entity_name = serializers.CharField(max_length=300)
    entity_name_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    entity_uscc = serializers.CharField(max_length=64, required=False, allow_blank=True)
    department = serializers.CharField(max_length=200, required=False, allow_blank=True)
    department_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    data_domain = serializers.ChoiceField(choices=DataDomain.choices, required=False, allow_blank=True)
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    systems = serializers.ListField(child=serializers.CharField(max_length=300), required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(help_text=_("The report or decision that records the finding."))
    source_urls = serializers.ListField(child=serializers.URLField(), required=False)
    origin = serializers.ChoiceField(choices=RecordOrigin.choices, required=False)

    def fields_to_set(self) -> dict:
        data = dict(self.validated_data)
        for name in ("systems", "source_urls"):
            if name in data:
                data[name] = "\n".join(item.strip() for item in data[name] if item.strip())
        return data
