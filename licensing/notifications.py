"""The emails the registry sends: expiry reminders and lifecycle notifications, and their delivery.

Who gets them: the operator's contact addresses (To) and the contact addresses of the grantor's active
regulators (Cc), so that regulators see what was sent.

Language: operators and regulators record no language, and a reminder must be understood by whoever
reads the contact mailbox. So every email carries each of the registry's languages in one message, the
default one (LANGUAGE_CODE, zh-hans) first and the others of LANGUAGES after it (English): the subject
joins them with " / ", and the plain-text and HTML parts hold one section per language.
"""

import contextlib
import contextvars
import datetime
import logging
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import outbox
from .choices import EventAction, LicenseStatus
from .dates import local_today
from .models import ExpiryReminder, License, LifecycleNotification, Regulator

logger = logging.getLogger(__name__)

# Lifecycle events that the operator is told of. Activation and expiry follow from the term the operator
# agreed to (and the reminders announce the expiry); creation, listing and edits are internal.
NOTIFIED_ACTIONS = frozenset(
    {
        EventAction.GRANT,
        EventAction.SUSPEND,
        EventAction.REINSTATE,
        EventAction.REVOKE,
        EventAction.TERMINATE,
        EventAction.WITHDRAW,
        EventAction.RENEW,
    }
)

# What each notified event means for the operator.
CONSEQUENCES = {
    EventAction.GRANT: _("The license has been granted: you may operate the data within its scope and term."),
    EventAction.SUSPEND: _(
        "The license has been suspended: do not operate the data under it until it is reinstated."
    ),
    EventAction.REINSTATE: _("The license has been reinstated: you may operate the data again."),
    EventAction.REVOKE: _(
        "The license has been revoked: operating the data under it is no longer authorized."
    ),
    EventAction.TERMINATE: _(
        "The license has been terminated early: operating the data under it is no longer authorized."
    ),
    EventAction.WITHDRAW: _("The license has been withdrawn: it will not be granted."),
    EventAction.RENEW: _(
        "The license has been renewed: its successor continues it from the day after this term ends."
    ),
}

# The subject's words for each notified event: "License 330100-2026-0001: suspended".
HAPPENED = {
    EventAction.GRANT: pgettext_lazy("notification subject", "granted"),
    EventAction.SUSPEND: pgettext_lazy("notification subject", "suspended"),
    EventAction.REINSTATE: pgettext_lazy("notification subject", "reinstated"),
    EventAction.REVOKE: pgettext_lazy("notification subject", "revoked"),
    EventAction.TERMINATE: pgettext_lazy("notification subject", "terminated early"),
    EventAction.WITHDRAW: pgettext_lazy("notification subject", "withdrawn"),
    EventAction.RENEW: pgettext_lazy("notification subject", "renewed"),
}

ACTIVE_STATES = (LicenseStatus.ACTIVE, LicenseStatus.SUSPENDED)


def public_url(license: License) -> str:
    """The absolute address of the license's public page."""
    return f"{settings.SITE_URL}/licenses/{quote(license.number)}/"


def email_languages() -> list[str]:
    """The registry's languages, its default language first."""
    codes = [code for code, _name in settings.LANGUAGES]
    return sorted(codes, key=lambda code: code != settings.LANGUAGE_CODE)


def recipients(license: License) -> tuple[list[str], list[str]]:
    """(to, cc): the operator's contacts, and the grantor's active regulators not already in `to`."""
    to = license.operator.contact_email_list if license.operator else []
    cc: list[str] = []
    regulators = Regulator.objects.filter(authority_id=license.grantor_id, user__is_active=True)
    for address in regulators.order_by("pk").values_list("contact_email", flat=True):
        if address and address not in to and address not in cc:
            cc.append(address)
    return to, cc


def build_email(template: str, context: dict, *, to: list[str], cc: list[str]) -> EmailMultiAlternatives:
    """The email from templates/email/<template>_subject.txt, <template>.txt and <template>.html, with one
    section per language."""
    subjects, texts, sections = [], [], []
    for language in email_languages():
        with translation.override(language):
            localised = {**context, **_localised_names(context)}
            subjects.append(" ".join(render_to_string(f"email/{template}_subject.txt", localised).split()))
            texts.append(render_to_string(f"email/{template}.txt", localised).strip())
            sections.append(
                {"language": language, "html": render_to_string(f"email/{template}.html", localised)}
            )
    message = EmailMultiAlternatives(
        subject=" / ".join(subjects),
        body=("\n\n" + "-" * 60 + "\n\n").join(texts) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        cc=cc,
    )
    html = render_to_string("email/layout.html", {"sections": sections, "subject": message.subject})
    message.attach_alternative(html, "text/html")
    return message


def _localised_names(context: dict) -> dict:
    """Names of the parties in the active language: the English name in English where one is recorded."""
    english = translation.get_language() == "en"
    names = {}
    for key in ("operator", "grantor"):
        party = context.get(key)
        if party is not None:
            names[f"{key}_name"] = (party.name_en if english and party.name_en else party.name) or ""
    return names


# Expiry reminders ----------------------------------------------------------------------------------------


def reminder_not_needed(reminder: ExpiryReminder, today: datetime.date) -> str:
    """Why the reminder need not be sent any more, or "" if it still must be."""
    license = reminder.license
    if license.status not in ACTIVE_STATES:
        return gettext("The license is no longer in force (%(status)s).") % {
            "status": license.get_status_display()
        }
    if license.term_end != reminder.term_end:
        return gettext("The term end was changed to %(day)s; the new term has reminders of its own.") % {
            "day": license.term_end.isoformat() if license.term_end else "-"
        }
    if reminder.term_end < today:
        return gettext("The term has ended.")
    successor = License.objects.live_successors_of(license).values_list("number", flat=True).first()
    if successor:
        return gettext("The license was renewed by %(number)s.") % {"number": successor}
    nearer = ExpiryReminder.objects.filter(
        license=license, term_end=reminder.term_end, window_days__lt=reminder.window_days
    )
    if nearer.exists():
        return gettext("A reminder for a nearer window replaced it.")
    return ""


def reminder_email(reminder: ExpiryReminder, today: datetime.date, *, to, cc) -> EmailMultiAlternatives:
    license = reminder.license
    context = {
        "license": license,
        "operator": license.operator,
        "grantor": license.grantor,
        "term_end": license.term_end.isoformat(),
        "ends_on": (license.term_end + datetime.timedelta(days=1)).isoformat(),
        "days_left": (license.term_end - today).days,
        "url": public_url(license),
    }
    return build_email("expiry_reminder", context, to=to, cc=cc)


# Lifecycle notifications ---------------------------------------------------------------------------------


def notification_email(notification: LifecycleNotification, *, to, cc) -> EmailMultiAlternatives:
    license, event = notification.license, notification.event
    successor = None
    if event.action == EventAction.RENEW:
        successor = License.objects.live_successors_of(license).first()
    context = {
        "license": license,
        "operator": license.operator,
        "grantor": license.grantor,
        "event": event,
        "happened": HAPPENED.get(event.action, event.get_action_display()),
        "consequence": CONSEQUENCES.get(event.action, ""),
        "successor": successor,
        "url": public_url(license),
        "successor_url": public_url(successor) if successor else "",
    }
    return build_email("lifecycle_notification", context, to=to, cc=cc)


def create_lifecycle_notifications(license: License, events) -> list[LifecycleNotification]:
    """Outbox rows for the events the operator is told of, each enqueued for sending once committed.

    A renewal is told once, on the predecessor (naming the successor), not again as the successor's grant.
    A license without an operator (a withdrawn draft or listing) has nobody to tell, and one that was
    never public (a draft withdrawn: it has no number and no page) nothing to tell of.
    """
    wanted = [
        event
        for event in events
        if event.action in NOTIFIED_ACTIONS
        and not (event.action == EventAction.GRANT and "predecessor" in (event.changes or {}))
    ]
    if not wanted or license.operator_id is None or license.number is None:
        return []
    created = []
    with transaction.atomic():
        for event in wanted:
            notification, is_new = LifecycleNotification.objects.get_or_create(
                event=event, defaults={"license": license}
            )
            if is_new:
                outbox.enqueue("lifecycle_notification", notification.pk)
                created.append(notification)
    return created


_suppressed = contextvars.ContextVar("lifecycle_notifications_suppressed", default=False)


@contextlib.contextmanager
def suppressed():
    """No lifecycle notifications for changes made in the block: for loading records (the demo data,
    history) rather than acting on licenses, where an email would tell the operator nothing new."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def on_events_recorded(sender, *, license, events, **kwargs):
    """license_events_recorded receiver (connected in LicensingConfig.ready): runs inside the change's
    transaction, so the outbox rows exist exactly when the events do; the sending happens after commit."""
    if _suppressed.get():
        return
    create_lifecycle_notifications(license, events)


# Delivery ------------------------------------------------------------------------------------------------

_RELATED = ("license__operator", "license__grantor")


def deliver(kind: str, pk: int) -> str:
    """Claim the outbox row, send its email and record the outcome. Returns what happened."""
    claim = outbox.claim(kind, pk)
    if claim is None:
        return "skipped"
    to: list[str] = []
    cc: list[str] = []
    try:
        row = claim.model.objects.select_related(*_RELATED).get(pk=pk)
        if kind == "expiry_reminder":
            today = local_today()
            reason = reminder_not_needed(row, today)
            if reason:
                claim.not_needed(reason)
                return "not needed"
        to, cc = recipients(row.license)
        if not to and not cc:
            claim.failed(
                gettext(
                    "Nobody to send it to: neither the operator nor the grantor's regulators have an email."
                ),
                [],
                final=True,
            )
            return "failed"
        if kind == "expiry_reminder":
            message = reminder_email(row, today, to=to, cc=cc)
        else:
            message = notification_email(row, to=to, cc=cc)
        message.send(using="default")
    except Exception as error:
        logger.warning("sending %s %s failed (attempt %s): %s", kind, pk, claim.attempt, error)
        claim.failed(f"{type(error).__name__}: {error}", to + cc)
        return "failed"
    claim.sent(to + cc)
    return "sent"
