from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import OperatorKind, RecordOrigin
from ..fields import NameField, NamesField, USCCField
from ..identifiers import normalize_name
from .append_only import AppendOnlyModel, AppendOnlyQuerySet


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def validate_email_lines(text: str) -> None:
    for line in split_lines(text):
        try:
            validate_email(line)
        except ValidationError:
            raise ValidationError(
                _("%(value)s is not an email address."), code="invalid_email", params={"value": line}
            ) from None


class Operator(models.Model):
    """A legal person authorized (or seeking authorization) to operate public data (运营机构)."""

    name = NameField(_("name"), max_length=200)
    name_en = NameField(_("English name"), max_length=200, blank=True)
    aliases = NamesField(_("aliases"), blank=True, help_text=_("Other names it is known by, one per line."))
    uscc = USCCField(_("USCC"), blank=True)
    uscc_note = models.CharField(
        _("why no USCC"),
        max_length=300,
        blank=True,
        help_text=_("Required when the USCC is blank, e.g. not published. Never invent a code."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OperatorKind, default=OperatorKind.UNKNOWN)
    # Private: never shown on public pages, in the API or in feeds.
    contact_emails = models.TextField(
        _("contact emails"),
        blank=True,
        validators=[validate_email_lines],
        help_text=_("Where expiry reminders go, one address per line. Never published."),
    )
    website = models.URLField(_("website"), blank=True)
    # Every name and alias as identifiers.normalize_name keys, one per line between newlines
    # ("\nkey1\nkey2\n"), so an exact name match is one indexed LIKE. Kept up to date by save().
    name_keys = models.TextField(editable=False, default="")
    origin = models.CharField(_("origin"), max_length=16, choices=RecordOrigin, default=RecordOrigin.RECORDED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="operator_unique_uscc"),
            models.CheckConstraint(
                condition=~Q(uscc="") | ~Q(uscc_note=""),
                name="operator_uscc_or_note",
                violation_error_message=_("Give the USCC, or say why there is none."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_keys = self.compute_name_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_keys"}
        super().save(*args, **kwargs)

    def compute_name_keys(self) -> str:
        keys = sorted({normalize_name(n) for n in (self.name, self.name_en, *self.alias_list)} - {""})
        return "\n" + "\n".join(keys) + "\n" if keys else ""

    @property
    def alias_list(self) -> list[str]:
        return split_lines(self.aliases)

    @property
    def contact_email_list(self) -> list[str]:
        return split_lines(self.contact_emails)

    def clean(self):
        if not self.uscc and not self.uscc_note.strip():
            raise ValidationError({"uscc_note": _("Give the USCC, or say why there is none.")})


class OperatorEventImmutableError(Exception):
    """Operator events are the record of who changed an operator's identity and contacts."""

    def __init__(self):
        super().__init__(_("Operator events are append-only: they cannot be changed or deleted."))


class OperatorEventQuerySet(AppendOnlyQuerySet):
    immutable_error = OperatorEventImmutableError


class OperatorEvent(AppendOnlyModel):
    """One change of an operator's identity or contacts (name, USCC, contact emails, ...): who made it,
    when, and the fields before and after. Written by licensing.operators.edit_operator only.

    Append-only: the model refuses updates and deletes; on PostgreSQL a trigger refuses them too
    (migration 0007).
    """

    immutable_error = OperatorEventImmutableError

    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="events", verbose_name=_("operator")
    )
    # PROTECT: an actor is deactivated, never deleted, so the history keeps who did what.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operator_events",
        verbose_name=_("actor"),
    )
    actor_repr = models.CharField(_("actor as recorded"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True, help_text=_("Field: [before, after]."))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = OperatorEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("operator event")
        verbose_name_plural = _("operator events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["operator", "created_at"], name="operator_event_created")]

    def __str__(self):
        return f"{self.operator_id}: {', '.join(self.changes)}"
