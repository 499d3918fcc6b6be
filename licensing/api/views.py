"""The API's endpoints: thin views over licensing.access, lifecycle, verify, search and event_cursor."""

import re

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access, calls, compliance, event_cursor, findings, lifecycle, products, search, verify
from ..choices import EventAction, LicenseStatus
from ..inputs import whole_number
from ..models import Authority, Call, Finding, License, LicenseEvent, Operator, Product
from ..models.licenses import NUMBER_PATTERN, REFERENCE_PATTERN, lookup_q
from . import serializers as s
from .base import PublicReads, PublicReadViewSet
from .caching import CachedPublicReads, is_anonymous
from .filters import (
    AuthorityFilter,
    CallFilter,
    FindingFilter,
    LicenseFilter,
    OperatorFilter,
    license_filter_help,
    reject_empty,
    reject_unknown,
)
from .idempotency import RESPONSES as REPEAT_ERRORS
from .idempotency import idempotent
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


def _license_queryset():
    successor = License.objects.live_successors_of(OuterRef("pk")).values("number")[:1]
    return (
        License.objects.select_related("grantor", "implementing_body", "operator", "predecessor")
        .prefetch_related("data_domains", "co_grantors", compliance.products_prefetch())
        .annotate(successor_number=Subquery(successor))
    )


@extend_schema_view(
    list=extend_schema(summary=_("Licenses"), responses={200: s.LicenseSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary=_("One license"), responses={200: s.LicenseSerializer, **READ_ERRORS}),
)
class LicenseViewSet(PublicReadViewSet):
    """Licenses: public reads (drafts only for regulators in scope, auditors, superusers); writes."""

    serializer_class = s.LicenseSerializer
    lookup_field = "number"
    # A public number, or the reference every license has (drafts have only that): see get_object.
    lookup_value_regex = f"{NUMBER_PATTERN}|{REFERENCE_PATTERN}"
    filterset_class = LicenseFilter

    def get_queryset(self):
        return access.visible_licenses(self.request.user, _license_queryset())

    def get_object(self):
        """The license the URL names by number or by reference (lookup_q), if this user may see it."""
        queryset = self.filter_queryset(self.get_queryset())
        license = get_object_or_404(queryset, lookup_q(self.kwargs["number"]))
        self.check_object_permissions(self.request, license)
        return license

    def cached_license(self):
        return self.kwargs.get("number") if self._read_action() == "retrieve" else None

    # Reads take the lean path (representations.py): one query of values, no model instances.

    def listed(self):
        visible = access.visible_licenses(self.request.user, License.objects.all())
        return license_values(self.filter_queryset(visible))

    def shown_page(self, page):
        return [license_representation(row) for row in with_flags(with_domains(page))]

    def retrieve(self, request, number=None):
        reject_unknown(request.query_params, ())  # as every detail read (PublicReadViewSet.retrieve)

        def build():
            if is_anonymous(request) and re.fullmatch(NUMBER_PATTERN, number):
                rows = public_license_values(number)
            else:
                named = License.objects.filter(lookup_q(number))
                rows = license_values(access.visible_licenses(request.user, named))[:1]
            rows = with_flags(with_domains(rows))
            if not rows:
                raise exceptions.NotFound(
                    _("No license with this number or reference, or not visible to you.")
                )
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
        responses={201: s.LicenseSerializer, **ERRORS, **REPEAT_ERRORS},
    )
    @idempotent
    def create(self, request):
        serializer = s.LicenseCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        license = lifecycle.create_license(
            actor=request.user,
            occurred_on=serializer.validated_data.get("occurred_on"),
            **serializer.to_changes(),
        )
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
            occurred_on=serializer.validated_data.get("occurred_on"),
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
            occurred_on=data.get("occurred_on"),
        )
        return self._shown(license)

    @extend_schema(
        summary=_("Renew an active license"),
        request=s.RenewSerializer,
        responses={201: s.LicenseSerializer, **WRITE_ERRORS, **REPEAT_ERRORS},
    )
    @idempotent
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
            occurred_on=data.get("occurred_on"),
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
            .with_effective_day()
            .select_related("license__grantor", "actor_authority")
            .order_by("created_at", "id")
        )
        if not access.sees_event_details(request.user, license):
            # The draft stage (its creation and the edits made while drafting) is not public record.
            events = events.exclude(to_status=LicenseStatus.DRAFT)
        page = self.paginate_queryset(events)
        context = self.get_serializer_context()
        return self.get_paginated_response(s.LicenseEventSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary=_("Correct an event's effective day or reason"),
        description=_(
            "Records a `correct` event that names the event corrected (`corrects`); the event itself stays "
            "as recorded, and pages, feeds, the events API (`effective_on`) and verdicts follow the "
            "correction. The corrected day keeps the history in order (not before the event recorded "
            "before it, not after the one after it, not in the future; an activation not before the term "
            "starts, an expiry on the day after its last day). Give the license's version you last saw: "
            "it goes up by one. Draft-stage events and corrections themselves cannot be corrected."
        ),
        parameters=[OpenApiParameter("event_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=s.CorrectionSerializer,
        responses={201: s.LicenseEventSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"events/(?P<event_id>[0-9]+)/corrections",
        filter_backends=[],
        pagination_class=None,
    )
    def corrections(self, request, number=None, event_id=None):
        license = self._changeable()
        event = get_object_or_404(LicenseEvent.objects.filter(license=license), pk=event_id)
        event.license = license
        serializer = s.CorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        correction = lifecycle.correct_event(
            event,
            actor=request.user,
            reason=data["reason"],
            expected_version=data["version"],
            occurred_on=data.get("occurred_on"),
            corrected_reason=data.get("corrected_reason"),
        )
        context = self.get_serializer_context()
        return Response(
            s.LicenseEventSerializer(correction, context=context).data, status=status.HTTP_201_CREATED
        )

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
            occurred_on=serializer.validated_data.get("occurred_on"),
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
            occurred_on=serializer.validated_data.get("occurred_on"),
        )
        return Response(s.ProductSerializer(product).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Operators"), responses={200: s.OperatorWithFlagsSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        summary=_("One operator, by USCC or id"),
        parameters=[
            OpenApiParameter(
                "key",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description=_(
                    "The operator's USCC in any form, or its id (the only key of an operator whose code "
                    "is not published)."
                ),
            )
        ],
        responses={200: s.OperatorWithFlagsSerializer, **READ_ERRORS},
    ),
)
class OperatorViewSet(PublicReadViewSet):
    serializer_class = s.OperatorWithFlagsSerializer
    queryset = Operator.objects.order_by("name", "id")
    lookup_url_kwarg = "key"
    lookup_value_regex = r"[^/]+"
    filterset_class = OperatorFilter

    def get_object(self):
        operator = search.operator_by_key(self.kwargs["key"])
        if operator is None:
            raise exceptions.NotFound(_("No operator with this USCC or id."))
        return operator

    def page_flags(self, page):
        return compliance.operator_flags(page)

    @extend_schema(
        summary=_("Register an operator"),
        request=s.OperatorWriteSerializer,
        responses={201: s.OperatorWithFlagsSerializer, **ERRORS, **REPEAT_ERRORS},
    )
    @idempotent
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
class AuthorityViewSet(PublicReadViewSet):
    """Authorities: public reads; superusers and national-level regulators create and change them. Cached
    reads are invalidated by the save (LicensingConfig connects Authority's post_save to licensing.cache)."""

    serializer_class = s.AuthoritySerializer
    queryset = Authority.objects.order_by("division_code", "name")
    filterset_class = AuthorityFilter
    lookup_value_regex = r"[0-9]+"

    def _check_may_manage(self):
        if not access.can_edit_authorities(self.request.user):
            raise exceptions.PermissionDenied(
                _("Authorities are created and changed by national-level regulators.")
            )

    @extend_schema(
        summary=_("Register an authority"),
        description=_(
            "Superusers and national-level regulators (authority division 100000) only. The division code "
            "is checked (GB/T 2260) and gives the level; a name is unique within its division and a USCC "
            "across authorities."
        ),
        request=s.AuthorityWriteSerializer,
        responses={201: s.AuthoritySerializer, **ERRORS},
    )
    def create(self, request):
        self._check_may_manage()
        serializer = s.AuthorityWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        authority = serializer.save()
        return Response(s.AuthoritySerializer(authority).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change an authority"),
        description=_(
            "Superusers and national-level regulators only; any of the fields, checked as on creation."
        ),
        request=s.AuthorityWriteSerializer(partial=True),
        responses={200: s.AuthoritySerializer, **ERRORS},
    )
    def partial_update(self, request, pk=None):
        self._check_may_manage()
        authority = self.get_object()
        serializer = s.AuthorityWriteSerializer(authority, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        authority = serializer.save()
        return Response(s.AuthoritySerializer(authority).data)


@extend_schema_view(
    list=extend_schema(
        summary=_("Findings"),
        description=_("Audit and enforcement findings, newest first, each with its compliance flags."),
        responses={200: s.FindingSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary=_("One finding"), responses={200: s.FindingSerializer, **READ_ERRORS}),
)
class FindingViewSet(PublicReadViewSet):
    """Findings: public reads; superusers and national-level regulators record them."""

    serializer_class = s.FindingSerializer
    queryset = Finding.objects.select_related("operator", "authority").order_by("-published_on", "id")
    filterset_class = FindingFilter
    lookup_value_regex = r"[0-9]+"

    def page_flags(self, page):
        return compliance.finding_flags(page)

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


@extend_schema_view(
    list=extend_schema(
        summary=_("Selection calls"),
        description=_("Calls and notices seeking operators, newest notice first, each with its licenses."),
        responses={200: s.CallSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary=_("One selection call"), responses={200: s.CallSerializer, **READ_ERRORS}),
)
class CallViewSet(PublicReadViewSet):
    """Selection calls: public reads; the lead grantor's jurisdiction (and superusers) change them."""

    serializer_class = s.CallSerializer
    filterset_class = CallFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return calls.shown_calls()

    def _changeable(self) -> Call:
        call = self.get_object()
        if not calls.can_change_call(self.request.user, call):
            raise exceptions.PermissionDenied(_("This call lies outside your jurisdiction."))
        return call

    def _shown(self, call, code=status.HTTP_200_OK):
        return Response(s.CallSerializer(calls.shown_calls().get(pk=call.pk)).data, status=code)

    @extend_schema(
        summary=_("Record a selection call"),
        request=s.CallCreateSerializer,
        responses={201: s.CallSerializer, **ERRORS},
    )
    def create(self, request):
        if not access.can_create_licenses(request.user):
            raise exceptions.PermissionDenied
        serializer = s.CallCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        call = calls.create_call(actor=request.user, **serializer.to_fields())
        return self._shown(call, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Add an operator's license to a call"),
        description=_(
            "Creates the license with the call's grantors, domains, mode, method and sources, and lists it "
            "on the call's notice day. Give the call's version you last saw."
        ),
        request=s.CallLicenseCreateSerializer,
        responses={201: s.CallSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def licenses(self, request, pk=None):
        call = self._changeable()
        serializer = s.CallLicenseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        calls.add_license(
            call,
            actor=request.user,
            expected_version=serializer.validated_data["version"],
            **serializer.to_fields(),
        )
        return self._shown(call, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Cancel a call"),
        description=_(
            "Withdraws every license of the call still listed, with the call's reason and day, in one "
            "transaction; granted licenses stay as they are."
        ),
        request=s.CallCancelSerializer,
        responses={200: s.CallSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        return self._outcome(request, s.CallCancelSerializer, calls.cancel)

    @extend_schema(
        summary=_("Mark a call awarded"),
        description=_("At least one of its licenses must have been granted."),
        request=s.CallAwardSerializer,
        responses={200: s.CallSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def award(self, request, pk=None):
        return self._outcome(request, s.CallAwardSerializer, calls.award)

    def _outcome(self, request, serializer_class, service):
        """The call's outcome recorded by `service` (calls.cancel, calls.award) with the fields given."""
        call = self._changeable()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        service(call, actor=request.user, expected_version=data.pop("version"), **data)
        return self._shown(call)


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
                {"type": "integer", "minimum": 1, "maximum": event_cursor.MAX_PAGE},
                description=_("Events per page, 1 to 500 (100)."),
            ),
            OpenApiParameter(
                "license_number", OpenApiTypes.STR, description=_("Only this license's events.")
            ),
            *[
                OpenApiParameter(name, OpenApiTypes.STR, description=license_filter_help(name))
                for name in ("operator", "grantor", "division", "domain")
            ],
            OpenApiParameter(
                "actions",
                {"type": "array", "items": {"type": "string", "enum": EventAction.values}},
                explode=False,
                description=_("Only events of these actions, separated by commas."),
            ),
        ],
        responses={200: s.EventPageSerializer, **READ_ERRORS},
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, {"since", "limit", *event_cursor.FILTERS})
        asked = {name: params[name] for name in event_cursor.FILTERS if name in params and name != "actions"}
        if "actions" in params:
            asked["actions"] = [action for action in params["actions"].split(",") if action]
        try:
            filters = event_cursor.clean_filters(asked)
        except event_cursor.FilterError as error:
            raise exceptions.ValidationError(error.errors) from None
        try:
            since = (
                event_cursor.Cursor.decode(request.query_params["since"])
                if "since" in request.query_params
                else event_cursor.START
            )
        except event_cursor.CursorError as error:
            raise exceptions.ValidationError({"since": [str(error)]}) from None
        limit = whole_number(
            request.query_params.get("limit", "100"), minimum=1, maximum=event_cursor.MAX_PAGE
        )
        if limit is None:
            raise exceptions.ValidationError({"limit": [_("A whole number from 1 to 500.")]})
        page = event_cursor.read(request.user, since, limit, filters)
        return Response(
            {
                "results": s.LicenseEventSerializer(
                    page.events, many=True, context={"request": request}
                ).data,
                "next_cursor": page.next_cursor.encode(),
                "has_more": page.has_more,
            }
        )
