from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import DataDomain


class DomainManager(models.Manager):
    def for_codes(self, codes) -> list["Domain"]:
        """The Domain rows for `codes` (DataDomain values), creating any row that is missing.

        Creating on demand keeps a new DataDomain choice usable without a data migration, and the rows
        present after a test runner empties the tables.
        """
        codes = sorted({str(code) for code in codes})
        unknown = [code for code in codes if code not in DataDomain.values]
        if unknown:
            raise ValueError(f"unknown data domain(s): {', '.join(unknown)}")
        self.bulk_create([self.model(code=code) for code in codes], ignore_conflicts=True)
        return list(self.filter(code__in=codes))


class Domain(models.Model):
    """One data domain a license may cover; the rows mirror choices.DataDomain (seeded by a migration).

    A table rather than a list in a column, so that "licenses covering health" is an indexed join on
    every database, and forms get a multiple choice for free.
    """

    code = models.CharField(_("code"), max_length=32, primary_key=True, choices=DataDomain)

    objects = DomainManager()

    class Meta:
        verbose_name = _("data domain")
        verbose_name_plural = _("data domains")
        ordering = ["code"]

    def __str__(self):
        return str(self.get_code_display())
