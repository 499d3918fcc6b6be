"""Annual disclosures in the API: public reads of what has been recorded; regulators record them for the
licenses of their jurisdiction (licensing.disclosures checks the year, the day and duplicates)."""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from .. import access, disclosures
from ..choices import LicenseParty, RecordOrigin
from ..models import Disclosure, License
from ..models.licenses import lookup_q
from .base import PublicReadViewSet
from .filters import StrictFilterSet, WholeNumberFilter
from .idempotency import RESPONSES as REPEAT_ERRORS
from .idempotency import idempotent
from .serializers import StrictFieldsMixin
from .views import ERRORS, READ_ERRORS


class DisclosureSerializer(serializers.ModelSerializer):
    license = serializers.CharField(source="license.number", read_only=True)
    party_label = serializers.CharField(source="get_party_display", read_only=True)

    class Meta:
        model = Disclosure
        fields = ["id", "license", "year", "party", "party_label", "disclosed_on", "url", "summary", "origin"]


class DisclosureWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """Recording one party's disclosure of one year of a license's operation."""

    license = serializers.CharField(max_length=32, help_text=_("The license's number."))
    year = serializers.IntegerField(
        min_value=1, max_value=9999, help_text=_("The year of operation disclosed (from 2025).")
    )
    party = serializers.ChoiceField(choices=LicenseParty.choices)
    disclosed_on = serializers.DateField(help_text=_("The day the party published its disclosure."))
    url = serializers.URLField(max_length=500, help_text=_("Where the disclosure is published."))
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    origin = serializers.ChoiceField(choices=RecordOrigin.choices, required=False)


class DisclosureFilter(StrictFilterSet):
    license = django_filters.CharFilter(field_name="license__number", help_text=_("The license's number."))
    year = WholeNumberFilter(field_name="year", minimum=1, maximum=9999)
    party = django_filters.ChoiceFilter(choices=LicenseParty.choices)

    class Meta:
        model = Disclosure
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary=_("Annual disclosures"),
        description=_(
            "Disclosures recorded, latest year first. Which are owed and overdue: the licenses' "
            "`disclosure_overdue` filter."
        ),
        responses={200: DisclosureSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary=_("One annual disclosure"), responses={200: DisclosureSerializer, **READ_ERRORS}
    ),
)
class DisclosureViewSet(PublicReadViewSet):
    """Annual disclosures: public reads (of public licenses); the license's jurisdiction records them."""

    serializer_class = DisclosureSerializer
    filterset_class = DisclosureFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        public = access.public_licenses().values("pk")
        return (
            Disclosure.objects.filter(license__in=public)
            .select_related("license")
            .order_by("-year", "license__number", "party", "id")
        )

    @extend_schema(
        summary=_("Record an annual disclosure"),
        description=_(
            "Regulators of the license's jurisdiction. Refused with 400: a year in which the license was "
            "not in force, a year not ended, a day in the future, a disclosure already recorded."
        ),
        request=DisclosureWriteSerializer,
        responses={201: DisclosureSerializer, **ERRORS, **REPEAT_ERRORS},
    )
    @idempotent
    def create(self, request):
        serializer = DisclosureWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        number = fields.pop("license")
        visible = access.visible_licenses(request.user, License.objects.select_related("grantor"))
        license = visible.filter(lookup_q(number)).first()
        if license is None:
            raise exceptions.ValidationError(
                {"license": [_("No license with this number is visible to you.")]}
            )
        if not access.can_record_disclosures(request.user, license):
            raise exceptions.PermissionDenied(_("This license lies outside your jurisdiction."))
        disclosure = disclosures.record_disclosure(license, actor=request.user, **fields)
        disclosure = get_object_or_404(self.get_queryset(), pk=disclosure.pk)
        return Response(DisclosureSerializer(disclosure).data, status=status.HTTP_201_CREATED)
