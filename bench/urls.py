from django.urls import include, path

from .floor import floor

urlpatterns = [
    path("bench/floor/<str:number>/", floor),
    path("", include("registry.urls")),
]
