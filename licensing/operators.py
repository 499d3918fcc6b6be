"""The one way an operator's identity and contacts change: edit_operator, which writes the change and its
OperatorEvent (who, when, the fields before and after) in one transaction.

Who may call it for whom is licensing.access's to say (can_change_operator): the admin asks there first.
Registering a new operator is not an edit and writes no event.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from registry.middleware import current_request_id

from .models import Operator, OperatorEvent
from .writes import actor_repr

# The fields an edit may change: the operator's identity, contacts and the record's origin.
EDITABLE_FIELDS = (
    "name",
    "name_en",
    "aliases",
    "uscc",
    "uscc_note",
    "kind",
    "website",
    "contact_emails",
    "origin",
)


def edit_operator(operator: Operator, changes: dict, *, actor, reason: str = "") -> OperatorEvent | None:
    """Apply `changes` ({field: new value}) to `operator` and record them as an OperatorEvent; return the
    event, or None where nothing changed (nothing is written then).

    Raises ValidationError (by field) for an unknown field or an invalid value, a USCC already taken
    included; nothing is written then. The caller's instance is updated to what was saved.
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({field: [_("This field cannot be set here.")] for field in unknown})
    with transaction.atomic():
        locked = Operator.objects.select_for_update().get(pk=operator.pk)
        diff = {}
        for field, value in changes.items():
            before = getattr(locked, field)
            setattr(locked, field, value)
            if before != getattr(locked, field):
                diff[field] = [before, getattr(locked, field)]
        if not diff:
            return None
        locked.full_clean()
        locked.save(update_fields=[*diff, "updated_at"])
        event = OperatorEvent(
            operator=locked,
            actor=actor,
            # Named as license events name their actors, so both histories read alike.
            actor_repr=actor_repr(actor),
            changes=diff,
            reason=(reason or "").strip(),
            request_id=current_request_id(),
        )
        event.save(force_insert=True)
    for field in (*diff, "name_keys", "updated_at"):
        setattr(operator, field, getattr(locked, field))
    return event
