"""The regulators' admin, one module per concept."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (  # noqa: F401  (registers the model admins)
    alerts,
    calls,
    disclosures,
    findings,
    imports,
    licenses,
    parties,
    registrations,
    reminders,
    tokens,
    webhooks,
)

admin.site.site_header = _("Public-Data Operating License Registry")
admin.site.site_title = _("License Registry")
admin.site.index_title = _("Registry administration")
# The license list needs the width more than a second navigation column.
admin.site.enable_nav_sidebar = False
