"""django-axes (login protection) under a name the admin's index shows in the reader's language: axes'
own configuration calls itself "Axes", which no catalogue translates. Kept out of licensing/apps.py, where a
second AppConfig would stop Django choosing LicensingConfig for the licensing app."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _


class LoginProtectionConfig(AxesConfig):
    verbose_name = _("Login protection")
