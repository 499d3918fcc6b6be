"""/api/v1/tokens/: a signed-in user lists, makes and revokes their own API tokens (licensing.tokens)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from .. import tokens
from ..models import ApiToken
from .filters import reject_unknown
from .serializers import ErrorSerializer, StrictFieldsMixin

ERRORS = {
    code: OpenApiResponse(ErrorSerializer, description=description)
    for code, description in (
        (400, _("Bad input: the errors name the fields.")),
        (401, _("No credentials.")),
        (403, _("Not allowed for this user.")),
        (404, _("Not found, or not visible to this user.")),
        (429, _("Too many requests; see Retry-After.")),
    )
}


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text=_("The token itself. Shown this once: it is not stored."))

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class ApiTokenCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text=_("What the token is for, e.g. a script."))
    days = serializers.IntegerField(
        min_value=1,
        max_value=tokens.MAX_DAYS,
        required=False,
        help_text=_("Days until it expires (API_TOKEN_DAYS when not given)."),
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("Your API tokens"),
        description=_("The tokens of the signed-in user, newest first; never the tokens themselves."),
        responses={200: ApiTokenSerializer(many=True), **ERRORS},
    ),
    create=extend_schema(
        summary=_("Make an API token"),
        description=_(
            "The answer holds the token once; only its digest is stored. A token made with a token "
            "expires no later than the one that made it."
        ),
        request=ApiTokenCreateSerializer,
        responses={201: NewApiTokenSerializer, **ERRORS},
    ),
    destroy=extend_schema(summary=_("Revoke an API token"), responses={204: None, **ERRORS}),
)
class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ApiTokenSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at", "-id")

    def list(self, request, *args, **kwargs):
        reject_unknown(request.query_params, ())
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, raw = tokens.create_token(request.user, data["name"], data.get("days"))
        if isinstance(request.auth, ApiToken) and token.expires_at > request.auth.expires_at:
            # A token cannot prolong itself: a stolen one must still run out.
            token.expires_at = request.auth.expires_at
            token.save(update_fields=["expires_at"])
        token.token = raw
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        self.get_object().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
