"""The API's endpoints: thin views over licensing.access, lifecycle, verify, search and feed."""

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access, compliance, feed, findings, lifecycle, products, verify
from ..identifiers import normalize_uscc
from ..inputs import whole_number
from ..models import Authority, Finding, License, LicenseEvent, Operator, Product
from . import serializers as s
from .caching import CachedPublicReads, is_anonymous
from .filters import (
    AuthorityFilter,
    FindingFilter,
    LicenseFilter,
    OperatorFilter,
    reject_empty,
    reject_unknown,
)
from .pagination import Pages
from .representations import (
    license_representation,
    license_values,
    public_license_values,
    with_domains,
    with_flags,
)

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description=_("Bad input: the errors name the fields.")),
    401: OpenApiResponse(s.ErrorSerializer, description=_("No credentials.")),
    403: OpenApiResponse(s.ErrorSerializer, description=_("Not allowed for this user.")),
    404: OpenApiResponse(s.ErrorSerializer, description=_("Not found, or not visible to this user.")),
    429: OpenApiResponse(s.ErrorSerializer, description=_("Too many requests; see Retry-After.")),
}
READ_ERRORS = {code: ERRORS[code] for code in (400, 404, 429)}
WRITE_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(s.ConflictSerializer, description=_("Stale version: the current one is given.")),
}


class PublicReads:
    """Reads are open to anyone (the schema then marks them so); writes keep the default permission."""

    def get_permissions(self):
        if self.request is not None and self.request.method in permissions.SAFE_METHODS:
            return [permissions.AllowAny()]
        return super().get_permissions()


def _license_queryset():
    successor = License.objects.live_successors_of(OuterRef("pk")).values("number")[:1]
    return (
        License.objects.select_related("grantor", "implementing_body", "operator", "predecessor")
        .prefetch_related("data_domains", compliance.products_prefetch())
        .annotate(successor_number=Subquery(successor))
    )


@extend_schema_view(
    list=extend_schema(summary=_("Licenses"), responses={200: s.LicenseSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary=_("One license"), responses={200: s.LicenseSerializer, **READ_ERRORS}),
)
class LicenseViewSet(
    PublicReads,
    CachedPublicReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Licenses: public reads (drafts only for regulators in scope, auditors, superusers); writes."""

    serializer_class = s.LicenseSerializer
    lookup_field = "number"
    lookup_value_regex = r"[0-9]{6}-[0-9]{4}-[0-9]{4,}"
    filterset_class = LicenseFilter

    def get_queryset(self):
        return access.visible_licenses(self.request.user, _license_queryset())

    def cached_license(self):
        return self.kwargs.get("number") if self._read_action() == "retrieve" else None

    # Reads take the lean path (representations.py): one query of values, no model instances.

    def list(self, request, *args, **kwargs):
        def build():
            visible = access.visible_licenses(request.user, License.objects.all())
            rows = with_flags(
                with_domains(self.paginate_queryset(license_values(self.filter_queryset(visible))))
            )
            return self.get_paginated_response([license_representation(row) for row in rows])

        return self.cached_read(request, build)

    def retrieve(self, request, number=None):
        def build():
            if is_anonymous(request):
                rows = public_license_values(number)
            else:
                visible = access.visible_licenses(request.user, License.objects.filter(number=number))
                rows = license_values(visible)[:1]
            rows = with_flags(with_domains(rows))
            if not rows:
                raise exceptions.NotFound(_("No license with this number, or not visible to you."))
            return Response(license_representation(rows[0]))

        return self.cached_read(request, build)

    def _changeable(self) -> License:
        """The license named in the URL, if this user may change it: 404 where they cannot even see it,
        403 where they can see it but it lies outside their jurisdiction."""
        license = self.get_object()
        if not access.can_change_license(self.request.user, license):
            raise exceptions.PermissionDenied(_("This license lies outside your jurisdiction."))
        return license

    def _shown(self, license, code=status.HTTP_200_OK):
        license = _license_queryset().get(pk=license.pk)
        return Response(s.LicenseSerializer(license, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary=_("Create a draft license"),
        request=s.LicenseCreateSerializer,
        responses={201: s.LicenseSerializer, **ERRORS},
    )
    def create(self, request):
        serializer = s.LicenseCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        license = lifecycle.create_license(actor=request.user, **serializer.to_changes())
        return self._shown(license, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change fields of a license"),
        description=_(
            "Give the version you last saw; a granted, active or suspended license changes only by an "
            "amendment with a reason."
        ),
        request=s.LicenseUpdateSerializer,
        responses={200: s.LicenseSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, number=None):
        license = self._changeable()
        serializer = s.LicenseUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        lifecycle.edit(
            license,
            serializer.to_changes(),
            actor=request.user,
            expected_version=serializer.validated_data["version"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return self._shown(license)

    @extend_schema(
        summary=_("Apply a lifecycle action"),
        request=s.TransitionSerializer,
        responses={
            200: s.LicenseSerializer,
            **WRITE_ERRORS,
            400: OpenApiResponse(
                s.ActionRefusedSerializer, description=_("Refused; names the allowed actions.")
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, number=None):
        license = self._changeable()
        serializer = s.TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lifecycle.transition(
            license,
            data["action"],
            actor=request.user,
            reason=data["reason"],
            expected_version=data["version"],
        )
        return self._shown(license)

    @extend_schema(
        summary=_("Renew an active license"),
        request=s.RenewSerializer,
        responses={201: s.LicenseSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def renew(self, request, number=None):
        license = self._changeable()
        serializer = s.RenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        successor = lifecycle.renew(
            license,
            term_start=data.get("term_start"),
            term_end=data["term_end"],
            term_exception_reason=data["term_exception_reason"],
            reason=data["reason"],
            actor=request.user,
            expected_version=data["version"],
        )
        return self._shown(successor, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("The history of a license"),
        parameters=[
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description=_("Page number.")),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": Pages.max_page_size},
                description=_("Rows per page, 1 to 200."),
            ),
        ],
        responses={200: s.LicenseEventSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def events(self, request, number=None):
        reject_unknown(request.query_params, {"page", "page_size"})
        license = self.get_object()
        events = (
            LicenseEvent.objects.filter(license=license)
            .select_related("license")
            .order_by("created_at", "id")
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response(s.LicenseEventSerializer(page, many=True).data)

    # Products and services of a license, with their caps and prices.

    def _no_parameters(self, request):
        reject_unknown(request.query_params, ())

    @extend_schema(
        methods=["GET"],
        summary=_("The products and services of a license"),
        responses={200: s.ProductSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Add a product or service to a license"),
        description=_(
            "Give the license's version you last saw; the change is recorded as an event on the license "
            "and the version goes up. An actual price above the cap needs `price_above_cap_reason`."
        ),
        request=s.ProductWriteSerializer,
        responses={201: s.ProductSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def products(self, request, number=None):
        if request.method == "GET":
            self._no_parameters(request)
            license = self.get_object()
            rows = license.products.order_by("name", "id")
            return Response(s.ProductSerializer(rows, many=True).data)
        license = self._changeable()
        serializer = s.ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = products.create_product(
            license,
            actor=request.user,
            expected_version=serializer.validated_data["version"],
            reason=serializer.validated_data["reason"],
            **serializer.fields_to_set(),
        )
        return Response(s.ProductSerializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary=_("One product or service of a license"),
        parameters=[OpenApiParameter("product_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: s.ProductSerializer, **READ_ERRORS},
    )
    @extend_schema(
        methods=["PATCH"],
        summary=_("Change a product's fields, cap or price"),
        description=_("Give the license's version you last saw; the change is recorded on the license."),
        parameters=[OpenApiParameter("product_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=s.ProductUpdateSerializer,
        responses={200: s.ProductSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["get", "patch"],
        url_path=r"products/(?P<product_id>[0-9]+)",
        filter_backends=[],
        pagination_class=None,
    )
    def product(self, request, number=None, product_id=None):
        if request.method == "GET":
            self._no_parameters(request)
            license = self.get_object()
        else:
            license = self._changeable()
        product = get_object_or_404(Product.objects.filter(license=license), pk=product_id)
        product.license = license
        if request.method == "GET":
            return Response(s.ProductSerializer(product).data)
        serializer = s.ProductUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        products.update_product(
            product,
            serializer.fields_to_set(),
            actor=request.user,
            expected_version=serializer.validated_data["version"],
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(s.ProductSerializer(product).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Operators"), responses={200: s.OperatorWithFlagsSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        summary=_("One operator, by USCC"),
        parameters=[
            OpenApiParameter("uscc", OpenApiTypes.STR, OpenApiParameter.PATH, description=_("Any form."))
        ],
        responses={200: s.OperatorWithFlagsSerializer, **READ_ERRORS},
    ),
)
class OperatorViewSet(
    PublicReads,
    CachedPublicReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.OperatorWithFlagsSerializer
    queryset = Operator.objects.order_by("name", "id")
    lookup_field = "uscc"
    lookup_value_regex = r"[^/]+"
    filterset_class = OperatorFilter

    def get_object(self):
        code = normalize_uscc(self.kwargs["uscc"])
        return get_object_or_404(Operator.objects.exclude(uscc=""), uscc=code)

    def list(self, request, *args, **kwargs):
        def build():
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            # The flags of the whole page at once: a constant number of queries however many operators.
            context = {**self.get_serializer_context(), "flags": compliance.operator_flags(page)}
            return self.get_paginated_response(
                s.OperatorWithFlagsSerializer(page, many=True, context=context).data
            )

        return self.cached_read(request, build)

    @extend_schema(
        summary=_("Register an operator"),
        request=s.OperatorWriteSerializer,
        responses={201: s.OperatorWithFlagsSerializer, **ERRORS},
    )
    def create(self, request):
        if not access.can_register_operators(request.user):
            raise exceptions.PermissionDenied
        serializer = s.OperatorWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        operator = serializer.save()
        return Response(s.OperatorWithFlagsSerializer(operator).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary=_("Authorities"), responses={200: s.AuthoritySerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(summary=_("One authority"), responses={200: s.AuthoritySerializer, **READ_ERRORS}),
)
class AuthorityViewSet(PublicReads, CachedPublicReads, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.AuthoritySerializer
    queryset = Authority.objects.order_by("division_code", "name")
    filterset_class = AuthorityFilter
    lookup_value_regex = r"[0-9]+"


@extend_schema_view(
    list=extend_schema(
        summary=_("Findings"),
        description=_("Audit and enforcement findings, newest first, each with its compliance flags."),
        responses={200: s.FindingSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary=_("One finding"), responses={200: s.FindingSerializer, **READ_ERRORS}),
)
class FindingViewSet(
    PublicReads,
    CachedPublicReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Findings: public reads; superusers and national-level regulators record them."""

    serializer_class = s.FindingSerializer
    queryset = Finding.objects.select_related("operator", "authority").order_by("-published_on", "id")
    filterset_class = FindingFilter
    lookup_value_regex = r"[0-9]+"

    def list(self, request, *args, **kwargs):
        def build():
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            context = {**self.get_serializer_context(), "flags": compliance.finding_flags(page)}
            return self.get_paginated_response(s.FindingSerializer(page, many=True, context=context).data)

        return self.cached_read(request, build)

    @extend_schema(
        summary=_("Record a finding"),
        description=_("Superusers and national-level regulators only. A finding needs its source."),
        request=s.FindingWriteSerializer,
        responses={201: s.FindingSerializer, **ERRORS},
    )
    def create(self, request):
        if not access.can_record_findings(request.user):
            raise exceptions.PermissionDenied(_("Findings are recorded by national-level regulators."))
        serializer = s.FindingWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        finding = findings.record_finding(**serializer.fields_to_set())
        return Response(s.FindingSerializer(finding).data, status=status.HTTP_201_CREATED)


class VerifyView(PublicReads, CachedPublicReads, APIView):
    cached_actions = ("get",)

    @extend_schema(
        summary=_("Is this entity licensed?"),
        description=_(
            "The verdict for one entity (by USCC or by name), optionally for one data domain and on one "
            "day: every license of the entity with its state that day, and one headline."
        ),
        parameters=[s.VerifyQuerySerializer],
        responses={200: s.VerdictSerializer, **READ_ERRORS},
    )
    def get(self, request):
        fields = s.VerifyQuerySerializer().fields
        reject_unknown(request.query_params, set(fields))
        # Text may be given empty (the USCC or the name, whichever is not used); the others not.
        reject_empty(
            request.query_params,
            {name for name, field in fields.items() if not getattr(field, "allow_blank", False)},
        )
        query = s.VerifyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self.cached_read(
            request, lambda: Response(s.VerdictSerializer(verify.verdict(**query.validated_data)).data)
        )


class EventFeedView(PublicReads, APIView):
    @extend_schema(
        summary=_("Every lifecycle event, in order, for incremental sync"),
        description=_(
            "Start without `since`; then pass the `next_cursor` of each page. Following the cursor, a "
            "client sees every event exactly once, also while events are being written."
        ),
        parameters=[
            OpenApiParameter("since", OpenApiTypes.STR, description=_("A cursor this feed gave out.")),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": feed.MAX_PAGE},
                description=_("Events per page, 1 to 500 (100)."),
            ),
        ],
        responses={200: s.EventPageSerializer, **READ_ERRORS},
    )
    def get(self, request):
        reject_unknown(request.query_params, {"since", "limit"})
        try:
            since = (
                feed.Cursor.decode(request.query_params["since"])
                if "since" in request.query_params
                else feed.START
            )
        except feed.CursorError as error:
            raise exceptions.ValidationError({"since": [str(error)]}) from None
        limit = whole_number(request.query_params.get("limit", "100"), minimum=1, maximum=feed.MAX_PAGE)
        if limit is None:
            raise exceptions.ValidationError({"limit": [_("A whole number from 1 to 500.")]})
        page = feed.read(request.user, since, limit)
        return Response(
            {
                "results": s.LicenseEventSerializer(page.events, many=True).data,
                "next_cursor": page.next_cursor.encode(),
                "has_more": page.has_more,
            }
        )
