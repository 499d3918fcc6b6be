"""Representations of the API, and what writes accept. Reads name things plainly (`grantor`, `operator`
as nested objects); writes name fields as the model does (`grantor_id`, `operator_uscc`). Operators'
contact emails are write-only: never shown."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from .. import access, compliance, history, identifiers, verify
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
from ..models import Authority, Call, Finding, License, LicenseEvent, Operator, Product
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


class LicenseSerializer(serializers.ModelSerializer):
    """A license as the API shows it."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    grantor = AuthoritySerializer(read_only=True)
    co_grantors = AuthoritySerializer(
        many=True, read_only=True, help_text=_("Authorities granting jointly with the (lead) grantor.")
    )
    implementing_body = AuthoritySerializer(read_only=True, allow_null=True)
    operator = OperatorSerializer(read_only=True, allow_null=True)
    data_domains = serializers.SerializerMethodField()
    source_urls = serializers.ListField(
        child=serializers.URLField(), source="source_url_list", read_only=True
    )
    predecessor = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    successor = serializers.SerializerMethodField()
    call = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The id of the selection call the license belongs to.")
    )
    flags = serializers.SerializerMethodField()
    term_end_published = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "False where the term's end is not published (term_end is null): a license granted so is in "
            "force from its start until an end is recorded."
        ),
    )
    covers_all_domains = serializers.BooleanField(
        read_only=True,
        help_text=_("True for a whole authorization (整体授权): it covers every data domain."),
    )

    class Meta:
        model = License
        fields = [
            "number",
            "reference",
            "title",
            "status",
            "status_label",
            "status_changed_at",
            "grantor",
            "co_grantors",
            "implementing_body",
            "operator",
            "data_domains",
            "covers_all_domains",
            "authorization_mode",
            "scope",
            "selection_method",
            "term_start",
            "term_end",
            "term_end_published",
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
            "call",
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
    """An event as recorded, with what corrections made of it. Views pass events annotated by
    LicenseEventQuerySet.with_effective_day, each with its license and grantor
    and its actor_authority selected. `context["request"]`'s user decides how the actor is named
    (history.actor_shown): a login name only for those who see the license's history in full, else the
    authority acted for."""

    license = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    license_reference = serializers.CharField(source="license.reference", read_only=True)
    actor = serializers.SerializerMethodField()
    occurred_on = serializers.DateField(
        read_only=True,
        help_text=_(
            "The day the event took effect, as recorded with it. On a `correct` event: the day it gives "
            "the event it corrects."
        ),
    )
    effective_on = serializers.DateField(
        read_only=True, help_text=_("The day the event took effect, as last corrected.")
    )
    created_at = serializers.DateTimeField(read_only=True, help_text=_("When the registry recorded it."))
    corrects = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("On a `correct` event: the id of the event it corrects.")
    )
    corrected_by = serializers.IntegerField(
        source="corrected_by_id",
        read_only=True,
        allow_null=True,
        help_text=_("The id of the event's latest correction, if it was corrected."),
    )

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
            "effective_on",
            "created_at",
            "actor",
            "corrects",
            "corrected_by",
            "license_reference",
        ]

    @extend_schema_field(
        serializers.CharField(
            help_text=_(
                'Who acted: the authority they acted for ("registry (automatic)" for the registry\'s '
                "own acts); the login name only for regulators in the license's jurisdiction, auditors "
                "and superusers."
            )
        )
    )
    def get_actor(self, event) -> str:
        request = self.context.get("request")
        return history.actor_shown(event, request.user if request is not None else None)


def occurred_on_field():
    return serializers.DateField(
        required=False,
        help_text=_(
            "The day the act took effect, as the sources say (default: today, Asia/Shanghai). Not in "
            "the future, and not before the license's previous public event."
        ),
    )


class LicenseFieldsSerializer(StrictFieldsMixin, serializers.Serializer):
    """The fields a regulator sets on a license, named as the model names them."""

    title = serializers.CharField(max_length=300)
    grantor_id = serializers.IntegerField()
    co_grantor_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("Authorities granting jointly with the grantor, by id (any jurisdiction)."),
    )
    implementing_body_id = serializers.IntegerField(required=False, allow_null=True)
    operator_uscc = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=_("The operator's USCC, any form; empty or null for none."),
    )
    operator_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_(
            "The operator's id (for an operator without a published USCC); null for none. Given with "
            "operator_uscc, both must name the same operator."
        ),
    )
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
    term_end = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_(
            "The last day in force. Null with a term_start: the end is not published (allowed from the "
            "grant on; the license is then in force until an end is recorded)."
        ),
    )
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
    occurred_on = occurred_on_field()

    def to_changes(self) -> dict:
        """The validated data as lifecycle.create_license / edit take it (the effective day aside)."""
        changes = dict(self.validated_data)
        changes.pop("version", None)
        changes.pop("reason", None)
        changes.pop("occurred_on", None)
        user = self.context["request"].user
        if "grantor_id" in changes:
            changes["grantor"] = self._authority(changes.pop("grantor_id"), "grantor_id", user)
        if "co_grantor_ids" in changes:
            changes["co_grantors"] = co_grantor_rows(changes.pop("co_grantor_ids"), "co_grantor_ids")
        if "implementing_body_id" in changes:
            pk = changes.pop("implementing_body_id")
            changes["implementing_body"] = self._authority(pk, "implementing_body_id", user) if pk else None
        if "operator_uscc" in changes or "operator_id" in changes:
            changes["operator"] = self._operator(changes)
        if "source_urls" in changes:
            changes["source_urls"] = "\n".join(changes["source_urls"])
        return changes

    @staticmethod
    def _operator(changes: dict) -> Operator | None:
        """The operator named by `operator_uscc` and/or `operator_id` (popped from `changes`)."""
        named = {}
        if "operator_uscc" in changes:
            code = normalize_uscc(changes.pop("operator_uscc") or "")
            named["operator_uscc"] = Operator.objects.filter(uscc=code).first() if code else None
            if code and named["operator_uscc"] is None:
                raise serializers.ValidationError(
                    {"operator_uscc": [_("No operator with this USCC is registered: register it first.")]}
                )
        if "operator_id" in changes:
            pk = changes.pop("operator_id")
            named["operator_id"] = Operator.objects.filter(pk=pk).first() if pk is not None else None
            if pk is not None and named["operator_id"] is None:
                raise serializers.ValidationError({"operator_id": [_("No operator with this id.")]})
        if len({getattr(operator, "pk", None) for operator in named.values()}) > 1:
            message = _("operator_uscc and operator_id name different operators: give one of them.")
            raise serializers.ValidationError({field: [message] for field in named})
        return next(iter(named.values()))

    @staticmethod
    def _authority(pk, field, user):
        authority = access.grantable_authorities(user).filter(pk=pk).first()
        if authority is None:
            if Authority.objects.filter(pk=pk).exists():
                raise exceptions.PermissionDenied(_("This authority is outside your jurisdiction."))
            raise serializers.ValidationError({field: [_("No authority with this id.")]})
        return authority


def co_grantor_rows(pks: list[int], field: str) -> list[Authority]:
    """The authorities with ids `pks` (a co-grantor may lie in any jurisdiction: it only reads), or a
    400 naming `field`."""
    found = {authority.pk: authority for authority in Authority.objects.filter(pk__in=pks)}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise serializers.ValidationError(
            {field: [_("No authority with the id %(ids)s.") % {"ids": ", ".join(map(str, missing))}]}
        )
    return [found[pk] for pk in dict.fromkeys(pks)]


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
    occurred_on = serializers.DateField(
        required=False,
        help_text=_(
            "The day the action took effect (default: today; for activate and expire, the day the term "
            "makes them due). Not in the future, not before the previous public event; an activation not "
            "before the term starts, an expiry on the day after its last day."
        ),
    )


class RenewSerializer(StrictFieldsMixin, serializers.Serializer):
    term_start = serializers.DateField(required=False, allow_null=True)
    term_end = serializers.DateField()
    term_exception_reason = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)
    occurred_on = occurred_on_field()


class CorrectionSerializer(StrictFieldsMixin, serializers.Serializer):
    """A correction of an earlier event: its effective day, its reason, or both."""

    occurred_on = serializers.DateField(
        required=False, help_text=_("The day the event really took effect (default: unchanged).")
    )
    corrected_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("The event's reason as it should read (default: unchanged)."),
    )
    reason = serializers.CharField(help_text=_("Why the correction is made; published with it."))
    version = serializers.IntegerField(min_value=1, help_text=_("The license's version you last saw."))


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
    occurred_on = occurred_on_field()

    def fields_to_set(self) -> dict:
        data = dict(self.validated_data)
        data.pop("version")
        data.pop("reason", None)
        data.pop("occurred_on", None)
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


# Selection calls ------------------------------------------------------------------------------------


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
