"""Selection calls: as shown (with their licenses), and what recording one, adding a license, cancelling
and awarding take."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...choices import AuthorizationMode, DataDomain, LicenseStatus, RecordOrigin, SelectionMethod
from ...dates import local_today
from ...models import Call
from .authorities import AuthoritySerializer
from .base import StrictFieldsMixin
from .licenses import LicenseFieldsSerializer, co_grantor_rows
from .operators import OperatorSerializer


class CallLicenseSerializer(serializers.Serializer):
    """A license of a call, as the call lists it: its operator and its state."""

    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=LicenseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    operator = OperatorSerializer(allow_null=True)


class CallSerializer(serializers.ModelSerializer):
    """A selection call or notice: who seeks how many operators for what, and its outcome. Its licenses
    (the public ones) are one per proposed or selected operator. The views prefetch what it shows."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    grantor = AuthoritySerializer(read_only=True)
    co_grantors = AuthoritySerializer(many=True, read_only=True)
    data_domains = serializers.SerializerMethodField()
    source_urls = serializers.ListField(
        child=serializers.URLField(), source="source_url_list", read_only=True
    )
    licenses = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "noticed_on",
            "status",
            "status_label",
            "awarded_on",
            "cancelled_on",
            "reason",
            "grantor",
            "co_grantors",
            "data_domains",
            "authorization_mode",
            "operators_sought",
            "selection_method",
            "source_urls",
            "remarks",
            "licenses",
            "origin",
            "version",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=DataDomain.choices)))
    def get_data_domains(self, call) -> list[str]:
        return sorted(domain.code for domain in call.data_domains.all())

    @extend_schema_field(CallLicenseSerializer(many=True))
    def get_licenses(self, call) -> list[dict]:
        return CallLicenseSerializer(call.public_licenses, many=True).data


class CallCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """A new open call; the lead grantor must lie in your jurisdiction, co-grantors may lie anywhere."""

    title = serializers.CharField(max_length=300)
    noticed_on = serializers.DateField(help_text=_("The day the call was published; not in the future."))
    grantor_id = serializers.IntegerField()
    co_grantor_ids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    data_domains = serializers.ListField(
        child=serializers.ChoiceField(choices=DataDomain.choices), required=False, default=list
    )
    authorization_mode = serializers.ChoiceField(
        choices=AuthorizationMode.choices, required=False, allow_blank=True
    )
    operators_sought = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=32767)
    selection_method = serializers.ChoiceField(
        choices=SelectionMethod.choices, required=False, allow_blank=True
    )
    source_urls = serializers.ListField(child=serializers.URLField(), required=False, default=list)
    remarks = serializers.CharField(required=False, allow_blank=True)
    origin = serializers.ChoiceField(choices=RecordOrigin.choices, required=False)

    def validate_noticed_on(self, value):
        if value > local_today():
            raise serializers.ValidationError(_("The notice date cannot be in the future."))
        return value

    def to_fields(self) -> dict:
        """The validated data as calls.create_call takes it."""
        fields = dict(self.validated_data)
        user = self.context["request"].user
        fields["grantor"] = LicenseFieldsSerializer._authority(fields.pop("grantor_id"), "grantor_id", user)
        fields["co_grantors"] = co_grantor_rows(fields.pop("co_grantor_ids"), "co_grantor_ids")
        if fields["grantor"] in fields["co_grantors"]:
            raise serializers.ValidationError(
                {"co_grantor_ids": [_("The lead grantor is not also one of its co-grantors.")]}
            )
        fields["source_urls"] = "\n".join(fields["source_urls"])
        return fields


def _effective_day(**kwargs):
    return serializers.DateField(
        required=False,
        help_text=_("The day it took effect: today if left out; not in the future, not before the notice."),
        **kwargs,
    )


class CallLicenseCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """An operator's license in the call: created with the call's grantors, domains, mode, method and
    sources, and listed on the call's notice day."""

    operator_uscc = serializers.CharField(
        required=False, help_text=_("The operator's USCC, any form; register it first.")
    )
    operator_id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The operator's id: the way to name one without a published USCC."),
    )
    scope = serializers.CharField(help_text=_("The data and uses the license covers."))
    title = serializers.CharField(
        max_length=300, required=False, help_text=_("The call's title if left out.")
    )
    term_start = serializers.DateField(required=False, allow_null=True)
    term_end = serializers.DateField(required=False, allow_null=True)
    remarks = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, help_text=_("The call's version you last saw."))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "operator_uscc" not in attrs and "operator_id" not in attrs:
            message = _("Name the operator: its USCC, or its id where it has no published code.")
            raise serializers.ValidationError({"operator_uscc": [message]})
        # The same rule as a license write: given both, they must name the same operator.
        attrs["operator"] = LicenseFieldsSerializer._operator(attrs)
        return attrs

    def to_fields(self) -> dict:
        fields = dict(self.validated_data)
        fields.pop("version")
        return fields


class CallCancelSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(help_text=_("Published with the call and on each license withdrawn."))
    occurred_on = _effective_day()
    version = serializers.IntegerField(min_value=1, help_text=_("The call's version you last saw."))

    def validate_occurred_on(self, value):
        if value > local_today():
            raise serializers.ValidationError(_("The day cannot be in the future."))
        return value


class CallAwardSerializer(CallCancelSerializer):
    reason = None
