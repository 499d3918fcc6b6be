"""Representations of the API, and what writes accept. Reads name things plainly (`grantor`, `operator`
as nested objects); writes name fields as the model does (`grantor_id`, `operator_uscc`). Operators'
contact emails are write-only: never shown."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from .. import access
from ..choices import (
    AuthorizationMode,
    DataDomain,
    DivisionLevel,
    LicenseAction,
    LicenseStatus,
    OperatorKind,
    SelectionMethod,
)
from ..identifiers import normalize_uscc
from ..models import Authority, License, LicenseEvent, Operator
from ..models.operators import validate_email_lines


class AuthoritySerializer(serializers.ModelSerializer):
    level = serializers.ChoiceField(choices=DivisionLevel.choices, read_only=True)

    class Meta:
        model = Authority
        fields = ["id", "name", "name_en", "division_code", "level", "kind", "uscc"]


class OperatorSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), source="alias_list", read_only=True)

    class Meta:
        model = Operator
        fields = ["id", "name", "name_en", "aliases", "uscc", "uscc_note", "kind", "website"]


class OperatorWriteSerializer(serializers.ModelSerializer):
    """Registering an operator. The USCC is normalised and checked (GB 32100); contact emails are kept
    for reminders and never shown again."""

    aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)
    contact_emails = serializers.ListField(
        child=serializers.EmailField(), required=False, default=list, write_only=True
    )
    kind = serializers.ChoiceField(choices=OperatorKind.choices, required=False, default=OperatorKind.PRIVATE)
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


class LicenseSerializer(serializers.ModelSerializer):
    """A license as the API shows it."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    grantor = AuthoritySerializer(read_only=True)
    implementing_body = AuthoritySerializer(read_only=True, allow_null=True)
    operator = OperatorSerializer(read_only=True, allow_null=True)
    data_domains = serializers.SerializerMethodField()
    source_urls = serializers.ListField(
        child=serializers.URLField(), source="source_url_list", read_only=True
    )
    predecessor = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    successor = serializers.SerializerMethodField()

    class Meta:
        model = License
        fields = [
            "number",
            "title",
            "status",
            "status_label",
            "status_changed_at",
            "grantor",
            "implementing_body",
            "operator",
            "data_domains",
            "authorization_mode",
            "scope",
            "selection_method",
            "term_start",
            "term_end",
            "term_approximate",
            "term_exception_reason",
            "signed_on",
            "filed_on",
            "consideration",
            "consideration_note",
            "legal_basis",
            "source_urls",
            "remarks",
            "predecessor",
            "successor",
            "origin",
            "version",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=DataDomain.choices)))
    def get_data_domains(self, license) -> list[str]:
        return sorted(domain.code for domain in license.data_domains.all())

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_successor(self, license) -> str | None:
        # Annotated by the views' queryset (one query for a whole page).
        return getattr(license, "successor_number", None)


class LicenseEventSerializer(serializers.ModelSerializer):
    license = serializers.SlugRelatedField(slug_field="number", read_only=True)
    actor = serializers.CharField(source="actor_repr", read_only=True)

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
            "created_at",
            "actor",
        ]


class LicenseFieldsSerializer(serializers.Serializer):
    """The fields a regulator sets on a license, named as the model names them."""

    title = serializers.CharField(max_length=300)
    grantor_id = serializers.IntegerField()
    implementing_body_id = serializers.IntegerField(required=False, allow_null=True)
    operator_uscc = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    data_domains = serializers.ListField(
        child=serializers.ChoiceField(choices=DataDomain.choices), required=False
    )
    authorization_mode = serializers.ChoiceField(
        choices=AuthorizationMode.choices, required=False, allow_blank=True
    )
    scope = serializers.CharField(required=False, allow_blank=True)
    selection_method = serializers.ChoiceField(
        choices=SelectionMethod.choices, required=False, allow_blank=True
    )
    term_start = serializers.DateField(required=False, allow_null=True)
    term_end = serializers.DateField(required=False, allow_null=True)
    term_approximate = serializers.BooleanField(required=False)
    term_exception_reason = serializers.CharField(required=False, allow_blank=True)
    signed_on = serializers.DateField(required=False, allow_null=True)
    filed_on = serializers.DateField(required=False, allow_null=True)
    consideration = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    consideration_note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    legal_basis = serializers.CharField(required=False, allow_blank=True)
    source_urls = serializers.ListField(child=serializers.URLField(), required=False)
    remarks = serializers.CharField(required=False, allow_blank=True)

    def to_changes(self) -> dict:
        """The validated data as lifecycle.create_license / edit take it."""
        changes = dict(self.validated_data)
        changes.pop("version", None)
        changes.pop("reason", None)
        user = self.context["request"].user
        if "grantor_id" in changes:
            changes["grantor"] = self._authority(changes.pop("grantor_id"), "grantor_id", user)
        if "implementing_body_id" in changes:
            pk = changes.pop("implementing_body_id")
            changes["implementing_body"] = self._authority(pk, "implementing_body_id", user) if pk else None
        if "operator_uscc" in changes:
            code = normalize_uscc(changes.pop("operator_uscc") or "")
            operator = Operator.objects.filter(uscc=code).first() if code else None
            if code and operator is None:
                raise serializers.ValidationError(
                    {"operator_uscc": [_("No operator with this USCC is registered: register it first.")]}
                )
            changes["operator"] = operator
        if "source_urls" in changes:
            changes["source_urls"] = "\n".join(changes["source_urls"])
        return changes

    @staticmethod
    def _authority(pk, field, user):
        authority = access.grantable_authorities(user).filter(pk=pk).first()
        if authority is None:
            if Authority.objects.filter(pk=pk).exists():
                raise exceptions.PermissionDenied(_("This authority is outside your jurisdiction."))
            raise serializers.ValidationError({field: [_("No authority with this id.")]})
        return authority


class LicenseCreateSerializer(LicenseFieldsSerializer):
    pass


class LicenseUpdateSerializer(LicenseFieldsSerializer):
    """PATCH: any of the fields, with the version the client last saw, and a reason for an amendment."""

    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=LicenseAction.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)


class RenewSerializer(serializers.Serializer):
    term_start = serializers.DateField(required=False, allow_null=True)
    term_end = serializers.DateField()
    term_exception_reason = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)


class VerdictLicenseSerializer(serializers.Serializer):
    number = serializers.CharField(source="license.number")
    title = serializers.CharField(source="license.title")
    status_on_day = serializers.ChoiceField(source="status", choices=LicenseStatus.choices)
    current_status = serializers.ChoiceField(source="license.status", choices=LicenseStatus.choices)
    in_force = serializers.BooleanField()
    term_start = serializers.DateField(source="license.term_start", allow_null=True)
    term_end = serializers.DateField(source="license.term_end", allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    ended_by = serializers.CharField()
    grantor = AuthoritySerializer(source="license.grantor")
    data_domains = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=DataDomain.choices)))
    def get_data_domains(self, item) -> list[str]:
        return sorted(domain.code for domain in item.license.data_domains.all())


class VerdictSerializer(serializers.Serializer):
    headline = serializers.CharField()
    headline_label = serializers.CharField()
    on = serializers.DateField()
    until = serializers.DateField(allow_null=True)
    query = serializers.SerializerMethodField()
    operators = OperatorSerializer(many=True)
    licenses = VerdictLicenseSerializer(many=True)

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_query(self, verdict) -> dict:
        return {"uscc": verdict.uscc, "name": verdict.name, "domain": verdict.domain}


class VerifyQuerySerializer(serializers.Serializer):
    uscc = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True)
    domain = serializers.ChoiceField(choices=DataDomain.choices, required=False, allow_blank=True)
    on = serializers.DateField(required=False)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ConflictSerializer(ErrorSerializer):
    current_version = serializers.IntegerField()


class ActionRefusedSerializer(ErrorSerializer):
    allowed_actions = serializers.ListField(child=serializers.ChoiceField(choices=LicenseAction.choices))


class EventPageSerializer(serializers.Serializer):
    results = LicenseEventSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()
