"""Registrations in the API: public reads of what a query code stands for and its state
(/api/v1/registrations/?code=), and of every registration past the start of its public notice
(regulators also read their jurisdiction's before it). Steps of the procedure are taken in the admin."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers

from .. import registrations
from ..choices import RegistrationKind, RegistrationStatus
from ..models import Registration
from ..registration_codes import EXAMPLE, parse
from .base import PublicReadViewSet
from .filters import StrictFilterSet
from .views import READ_ERRORS


class RegistrationFilter(StrictFilterSet):
    code = django_filters.CharFilter(
        method="filter_code",
        help_text=_("A query code, such as %(example)s (spaces and case ignored).") % {"example": EXAMPLE},
    )
    status = django_filters.MultipleChoiceFilter(
        choices=RegistrationStatus.choices, help_text=_("Repeatable.")
    )
    kind = django_filters.ChoiceFilter(choices=RegistrationKind.choices)
    license = django_filters.CharFilter(field_name="license__number", help_text=_("A license's number."))

    class Meta:
        model = Registration
        fields = []

    def filter_code(self, queryset, name, value):
        code, error = parse(value)
        if error:
            raise exceptions.ValidationError({"code": [str(error)]})
        return queryset.filter(code=code)


class RegistrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration: what was registered by whom under which license, where its procedure stands, and
    its query code and validity once issued. `notice_ends_estimated` is true where the notice's last day
    was counted without the official calendar of its year (not yet published: weekends only)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    license = serializers.CharField(source="license.number", read_only=True)
    registrant = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "code",
            "name",
            "summary",
            "kind",
            "application_type",
            "registrant_role",
            "registrant",
            "license",
            "status",
            "status_label",
            "applied_on",
            "accepted_on",
            "notice_starts_on",
            "notice_ends_on",
            "notice_ends_estimated",
            "issued_on",
            "expires_on",
            "ended_on",
            "origin",
        ]
        read_only_fields = fields

    @extend_schema_field(RegistrantSerializer(allow_null=True))
    def get_registrant(self, obj):
        party = obj.registrant
        return None if party is None else {"id": party.pk, "name": party.name}


@extend_schema_view(
    list=extend_schema(
        summary=_("Registrations"),
        description=_(
            "Registrations of data resources, products and services, newest application first. "
            "`?code=` answers what a query code stands for and its state."
        ),
        responses={200: RegistrationSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary=_("One registration"), responses={200: RegistrationSerializer, **READ_ERRORS}
    ),
)
class RegistrationViewSet(PublicReadViewSet):
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return registrations.shown(registrations.visible(self.request.user)).order_by("-applied_on", "-id")
