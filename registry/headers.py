"""Permissions-Policy on every response: the registry uses no camera, microphone, location, payment or
other powerful feature, so no page (nor anything injected into one) may ask for them. The
Content-Security-Policy is Django's own (SECURE_CSP in settings)."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.value = ", ".join(f"{feature}={allow}" for feature, allow in settings.PERMISSIONS_POLICY.items())

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response
