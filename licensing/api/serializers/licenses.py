"""Licenses: as shown (its fields declared in licensing/license_fields.py), and what creating, changing,
moving and renewing one takes. Reads name things plainly (`grantor`, `operator` as nested objects);
writes name fields as the model does (`grantor_id`, `operator_uscc`)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from ... import access, compliance, license_fields
from ...choices import AuthorizationMode, DataDomain, LicenseAction, SelectionMethod
from ...identifiers import normalize_uscc
from ...models import Authority, License, Operator
from .authorities import AuthoritySerializer
from .base import StrictFieldsMixin, occurred_on_field
from .flags import FlagSerializer, flags_field
from .operators import OperatorSerializer


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
        fields = list(license_fields.SHOWN)

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
