from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import identifiers
from ..choices import AuthorityKind, DivisionLevel, RecordOrigin
from ..fields import DivisionCodeField, NameField, USCCField


class Authority(models.Model):
    """A grantor government or department, or an implementing body (实施机构)."""

    name = NameField(_("name"), max_length=200)
    name_en = NameField(_("English name"), max_length=200, blank=True)
    division_code = DivisionCodeField(
        _("division code"),
        help_text=_("GB/T 2260 code of the authority's area; 100000 for national bodies."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=AuthorityKind, default=AuthorityKind.DEPARTMENT)
    uscc = USCCField(_("USCC"), blank=True, help_text=_("Government bodies' codes start with 11."))
    origin = models.CharField(_("origin"), max_length=16, choices=RecordOrigin, default=RecordOrigin.RECORDED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["division_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division_code", "name"], name="authority_unique_name_in_division"
            ),
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="authority_unique_uscc"),
        ]

    def __str__(self):
        return f"{self.name} ({self.division_code})"

    @property
    def level(self) -> DivisionLevel:
        return identifiers.division_level(self.division_code)

    def covers(self, division_code: str) -> bool:
        """Whether `division_code` lies in this authority's jurisdiction (by division-code prefix)."""
        return identifiers.division_covers(self.division_code, division_code)


class Regulator(models.Model):
    """A user who acts for one authority: the profile that scopes what they may change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="regulator", verbose_name=_("user")
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="regulators", verbose_name=_("authority")
    )
    contact_email = models.EmailField(
        _("contact email"), help_text=_("Where reminders for this authority go.")
    )

    class Meta:
        verbose_name = _("regulator")
        verbose_name_plural = _("regulators")

    def __str__(self):
        return f"{self.user.get_username()} – {self.authority.name}"
