"""Representations of the API, and what writes accept. Reads name things plainly (`grantor`, `operator`
as nested objects); writes name fields as the model does (`grantor_id`, `operator_uscc`). Operators'
contact emails are write-only: never shown."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from .. import access, compliance
from ..choices import (
    AuthorizationMode,
    ChargingUnit,
    DataDomain,
    DivisionLevel,
    FlagCode,
    LicenseAction,
    LicenseStatus,
    OperatorKind,
    ProductClass,
    RecordOrigin,
    SelectionMethod,
)
from ..dates import local_today
from ..identifiers import normalize_uscc
from ..models import Authority, Finding, License, LicenseEvent, Operator, Product
from ..models.operators import validate_email_lines
from ..models.products import MAX_REVIEW_CYCLE_MONTHS


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
    flags = serializers.SerializerMethodField()

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
            "flags",
            "origin",
            "version",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=DataDomain.choices)))
    def get_data_domains(self, license) -> list[str]:
        return sorted(domain.code for domain in license.data_domains.all())

    @flags_field()
    def get_flags(self, license) -> list[dict]:
        # The views prefetch the products (compliance.with_products): no query per license.
        return FlagSerializer(compliance.license_flags(license), many=True).data

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


class LicenseFieldsSerializer(StrictFieldsMixin, serializers.Serializer):
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
    consideration = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, allow_null=True
    )
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


class TransitionSerializer(StrictFieldsMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=LicenseAction.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)


class RenewSerializer(StrictFieldsMixin, serializers.Serializer):
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


# Products and findings -----------------------------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    """A product or service of a license, with its cap and price in yuan per charging unit."""

    license = serializers.SlugRelatedField(slug_field="number", read_only=True)
    product_class_label = serializers.CharField(source="get_product_class_display", read_only=True)
    flags = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "license",
            "name",
            "description",
            "product_class",
            "product_class_label",
            "charging_unit",
            "price_cap",
            "cap_set_on",
            "cap_document",
            "actual_price",
            "price_above_cap_reason",
            "trial_price",
            "prices_posted_on",
            "review_cycle_months",
            "offered_until",
            "flags",
            "origin",
            "created_at",
            "updated_at",
        ]

    @flags_field()
    def get_flags(self, product) -> list[dict]:
        flags = compliance.product_flags(product, product.license, local_today())
        return FlagSerializer(flags, many=True).data


def _price(**kwargs):
    return serializers.DecimalField(
        max_digits=16, decimal_places=4, min_value=0, required=False, allow_null=True, **kwargs
    )


class ProductWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """Adding a product, or changing one (PATCH: any of the fields), with the license's version."""

    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    product_class = serializers.ChoiceField(choices=ProductClass.choices)
    charging_unit = serializers.ChoiceField(choices=ChargingUnit.choices, required=False, allow_blank=True)
    price_cap = _price(help_text=_("Yuan per charging unit."))
    cap_set_on = serializers.DateField(required=False, allow_null=True)
    cap_document = serializers.CharField(required=False, allow_blank=True, max_length=300)
    actual_price = _price(help_text=_("Yuan per charging unit; 0 for a free product."))
    price_above_cap_reason = serializers.CharField(required=False, allow_blank=True)
    trial_price = serializers.BooleanField(required=False)
    prices_posted_on = serializers.DateField(required=False, allow_null=True)
    review_cycle_months = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_REVIEW_CYCLE_MONTHS
    )
    offered_until = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1, help_text=_("The license's version you last saw."))
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def fields_to_set(self) -> dict:
        data = dict(self.validated_data)
        data.pop("version")
        data.pop("reason", None)
        return data


class ProductUpdateSerializer(ProductWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


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


class EventPageSerializer(serializers.Serializer):
    results = LicenseEventSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()
