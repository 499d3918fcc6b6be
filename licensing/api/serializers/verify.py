"""The verdict of "is this entity licensed?": its query and its answer."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ... import verify
from ...choices import DataDomain, LicenseStatus
from .authorities import AuthoritySerializer
from .flags import FlagSerializer
from .operators import OperatorSerializer


class VerdictLicenseSerializer(serializers.Serializer):
    number = serializers.CharField(source="license.number")
    title = serializers.CharField(source="license.title")
    status_on_day = serializers.ChoiceField(source="status", choices=LicenseStatus.choices)
    current_status = serializers.ChoiceField(source="license.status", choices=LicenseStatus.choices)
    in_force = serializers.BooleanField()
    term_start = serializers.DateField(source="license.term_start", allow_null=True)
    term_end = serializers.DateField(source="license.term_end", allow_null=True)
    term_end_published = serializers.BooleanField(
        source="license.term_end_published", help_text=_("False where term_end is null: not published.")
    )
    ended_on = serializers.DateField(allow_null=True)
    ended_by = serializers.CharField()
    grantor = AuthoritySerializer(source="license.grantor")
    co_grantors = AuthoritySerializer(source="license.shown_co_grantors", many=True)
    data_domains = serializers.SerializerMethodField()
    covers_all_domains = serializers.BooleanField(
        source="license.covers_all_domains",
        help_text=_("True for a whole authorization (整体授权): it covers every data domain."),
    )

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=DataDomain.choices)))
    def get_data_domains(self, item) -> list[str]:
        return sorted(domain.code for domain in item.license.data_domains.all())


class VerdictSerializer(serializers.Serializer):
    headline = serializers.CharField()
    headline_label = serializers.CharField()
    on = serializers.DateField()
    until = serializers.DateField(
        allow_null=True,
        help_text=_("The last day covered by a license in force on the day; null: see until_reason."),
    )
    until_reason = serializers.ChoiceField(
        choices=verify.UntilReason.choices,
        allow_null=True,
        help_text=_(
            "Why until is null: not_in_force (no license in force on the day) or term_end_not_published "
            "(a license in force has a term whose end is not published; the headline stays licensed). "
            "Null when until is a day."
        ),
    )
    query = serializers.SerializerMethodField()
    operators = OperatorSerializer(many=True)
    licenses = VerdictLicenseSerializer(many=True)
    flags = FlagSerializer(many=True)
    flags_on = serializers.DateField(help_text=_("The day the flags are computed for: today."))

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_query(self, verdict) -> dict:
        return {"uscc": verdict.uscc, "name": verdict.name, "domain": verdict.domain}


class VerifyQuerySerializer(serializers.Serializer):
    uscc = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)
    domain = serializers.ChoiceField(choices=DataDomain.choices, required=False, allow_blank=True)
    on = serializers.DateField(required=False)
