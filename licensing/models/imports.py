from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .licenses import License


class LicenseImport(models.Model):
    """One real run of an import of licenses from a file (licensing.imports): who, when, which file and
    what it wrote. Dry runs leave no trace; an import whose rows were not all good writes nothing, so
    every import recorded here was written whole."""

    # PROTECT: users are deactivated, never deleted, so the record keeps who imported what.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="license_imports",
        verbose_name=_("imported by"),
    )
    actor_repr = models.CharField(_("imported by (as recorded)"), max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("licenses created"), default=0)
    amended_count = models.PositiveIntegerField(_("licenses amended"), default=0)
    unchanged_count = models.PositiveIntegerField(_("rows unchanged"), default=0)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("license import")
        verbose_name_plural = _("license imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.file_name}"


class ImportedLicense(models.Model):
    """The stamp of a license that came from an import: the import it came from, the last that touched
    it, and its row's key, by which a later import of the same row finds it again."""

    license = models.OneToOneField(
        License, on_delete=models.PROTECT, related_name="imported", verbose_name=_("license")
    )
    # The regulator's own reference number, or the grantor, operator and term start (licensing.imports).
    key = models.CharField(_("row key"), max_length=400, unique=True)
    reference = models.CharField(_("the regulator's reference"), max_length=100, blank=True)
    # The row as last imported (digests of its fields and of its acts): an unchanged row is recognised
    # without a write, and a changed one amends only what changed.
    fields_digest = models.CharField(max_length=64)
    acts_digest = models.CharField(max_length=64)
    first_import = models.ForeignKey(
        LicenseImport,
        on_delete=models.PROTECT,
        related_name="licenses_created",
        verbose_name=_("imported by"),
    )
    last_import = models.ForeignKey(
        LicenseImport,
        on_delete=models.PROTECT,
        related_name="licenses_touched",
        verbose_name=_("last changed by import"),
    )

    class Meta:
        verbose_name = _("imported license")
        verbose_name_plural = _("imported licenses")

    def __str__(self):
        return self.key
