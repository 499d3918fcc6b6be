"""/api/v1/webhooks/: a signed-in user (a regulator, an API client with a token) subscribes URLs to license
events, reads each webhook's delivery log and sends it a test event (licensing.webhooks)."""

import types

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .. import webhooks
from ..choices import DataDomain, EventAction
from ..models import Webhook, WebhookDelivery, WebhookState
from .filters import license_filter_help, reject_unknown
from .pagination import Pages
from .serializers import StrictFieldsMixin
from .serializers.events import LicenseEventSerializer
from .tokens import ERRORS


def event_body(event, user) -> bytes:
    """The event as GET /api/v1/events/ shows it to `user`, as JSON: what a delivery to their webhook
    POSTs (licensing.webhooks.show_events_with, wired at start-up)."""
    data = LicenseEventSerializer(event, context={"request": types.SimpleNamespace(user=user)}).data
    return JSONRenderer().render(data)


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "state",
            *webhooks.FILTERS,
            "created_at",
            "failing_since",
            "paused_at",
        ]


class NewWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text=_("The key of the deliveries' signatures. Shown this once: keep it with the receiver.")
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """A webhook's URL and filters (the filters select events of the licenses they would list in
    /api/v1/licenses/), and, when changing one, its state."""

    url = serializers.CharField(
        max_length=500,
        help_text=_(
            "Where the events are POSTed: http or https, to a public address (not private, loopback or "
            "link-local)."
        ),
    )
    license_number = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text=_("Only this license's events.")
    )
    operator = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text=license_filter_help("operator")
    )
    grantor = serializers.CharField(
        max_length=6, required=False, allow_blank=True, help_text=license_filter_help("grantor")
    )
    division = serializers.CharField(
        max_length=6, required=False, allow_blank=True, help_text=license_filter_help("division")
    )
    domain = serializers.ChoiceField(
        choices=DataDomain.choices,
        required=False,
        allow_blank=True,
        help_text=license_filter_help("domain"),
    )
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=EventAction.choices),
        required=False,
        help_text=_("Only events of these actions (all when empty)."),
    )
    state = serializers.ChoiceField(
        choices=WebhookState.choices,
        required=False,
        help_text=_("Pause a webhook, or resume a paused one (which forgets its failures)."),
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    key = serializers.UUIDField(read_only=True, help_text=_("The Idempotency-Key header it is sent with."))

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "key",
            "state",
            "created_at",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "response_code",
            "latency_ms",
            "response_body",
            "last_error",
        ]


@extend_schema_view(
    list=extend_schema(
        summary=_("Your webhooks"),
        description=_("The webhooks of the signed-in user, newest first; never their secrets."),
        responses={200: WebhookSerializer(many=True), **ERRORS},
    ),
    create=extend_schema(
        summary=_("Subscribe a URL to license events"),
        description=_(
            "Each event the filters select, among those you may read in the events API, is POSTed to the "
            "URL as that API shows it, signed (see the README, Webhooks). The answer holds the secret once."
        ),
        request=WebhookWriteSerializer,
        responses={201: NewWebhookSerializer, **ERRORS},
    ),
    retrieve=extend_schema(summary=_("A webhook of yours"), responses={200: WebhookSerializer, **ERRORS}),
    partial_update=extend_schema(
        summary=_("Change, pause or resume a webhook"),
        request=WebhookWriteSerializer,
        responses={200: WebhookSerializer, **ERRORS},
    ),
    destroy=extend_schema(summary=_("Delete a webhook"), responses={204: None, **ERRORS}),
)
class WebhookViewSet(viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = WebhookSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Webhook.objects.filter(owner=self.request.user).order_by("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        reject_unknown(request.query_params, ())
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = WebhookWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook, secret = webhooks.subscribe(request.user, **serializer.validated_data)
        webhook.secret = secret
        return Response(NewWebhookSerializer(webhook).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        webhook = self.get_object()
        serializer = WebhookWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        webhooks.change(webhook, **serializer.validated_data)
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(
        summary=_("A webhook's deliveries"),
        description=_("Newest first: each one's state, attempts and the receiver's last answer."),
        responses={200: WebhookDeliverySerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=Pages)
    def deliveries(self, request, pk=None):
        reject_unknown(request.query_params, {"page", "page_size"})
        rows = self.get_object().deliveries.order_by("-created_at", "-id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary=_("Send a test event"),
        description=_('A delivery of {"test": true, ...}, signed and logged like any other, sent at once.'),
        request=None,
        responses={202: WebhookDeliverySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        delivery = webhooks.send_test_event(self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
