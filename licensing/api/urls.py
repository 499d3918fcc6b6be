from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import disclosures, registrations, tokens, views, webhooks

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("licenses", views.LicenseViewSet, basename="license")
router.register("operators", views.OperatorViewSet, basename="operator")
router.register("authorities", views.AuthorityViewSet, basename="authority")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("calls", views.CallViewSet, basename="call")
router.register("registrations", registrations.RegistrationViewSet, basename="registration")
router.register("disclosures", disclosures.DisclosureViewSet, basename="disclosure")
router.register("tokens", tokens.ApiTokenViewSet, basename="token")
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/verify/", views.VerifyView.as_view(), name="verify"),
    path("v1/events/", views.EventFeedView.as_view(), name="events"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
