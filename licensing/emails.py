"""The emails the registry sends, one function per message, and who gets them.

Who gets them: the operator's contact addresses (To) and the contact addresses of the grantor's active
regulators (Cc), so that regulators see what was sent.

Language: operators and regulators record no language, and a reminder must be understood by whoever
reads the contact mailbox. So every email carries each of the registry's languages in one message, the
default one (LANGUAGE_CODE, zh-hans) first and the others of LANGUAGES after it (English): the subject
joins them with " / ", and the plain-text and HTML parts hold one section per language.

What is owed and when it is sent are not decided here: see licensing.reminders, licensing.notifications
and licensing.outbox.
"""

import datetime
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import access, disclosures, registrations
from .choices import EventAction, LicenseParty, RegistrationReminderKind
from .models import (
    AlertDigest,
    AlertSubscription,
    DisclosureReminder,
    ExpiryReminder,
    License,
    LifecycleNotification,
    RegistrationReminder,
    Regulator,
    Webhook,
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


def public_url(license: License) -> str:
    """The absolute address of the license's public page."""
    return f"{settings.SITE_URL}/licenses/{quote(license.number)}/"


def email_languages() -> list[str]:
    """The registry's languages, its default language first."""
    codes = [code for code, _name in settings.LANGUAGES]
    return sorted(codes, key=lambda code: code != settings.LANGUAGE_CODE)


def regulator_addresses(authority_ids) -> list[str]:
    """The contact addresses of the active regulators of these authorities, each once."""
    regulators = Regulator.objects.filter(authority_id__in=authority_ids, user__is_active=True).order_by("pk")
    return list(
        dict.fromkeys(address for address in regulators.values_list("contact_email", flat=True) if address)
    )


def recipients(license: License, party: str = LicenseParty.OPERATOR) -> tuple[list[str], list[str]]:
    """(to, cc): the party's addresses (the operator's contacts, or the active regulators of the
    implementing body), and the grantor's active regulators not already in `to`."""
    if party == LicenseParty.OPERATOR:
        to = license.operator.contact_email_list if license.operator else []
    else:
        to = regulator_addresses([license.implementing_body_id]) if license.implementing_body_id else []
    return to, [address for address in regulator_addresses([license.grantor_id]) if address not in to]


def build(
    template: str,
    context: dict,
    *,
    to: list[str],
    cc: list[str],
    languages: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """The email from templates/email/<template>_subject.txt, <template>.txt and <template>.html, with one
    section per language (`languages`, by default all of the registry's)."""
    subjects, texts, sections = [], [], []
    for language in languages or email_languages():
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
        headers=headers,
    )
    html = render_to_string("email/layout.html", {"sections": sections, "subject": message.subject})
    message.attach_alternative(html, "text/html")
    return message


def _localised_names(context: dict) -> dict:
    """Names of the parties in the active language: the English name in English where one is recorded."""
    english = translation.get_language() == "en"
    names = {}
    for key in ("operator", "grantor", "discloser"):
        party = context.get(key)
        if party is not None:
            names[f"{key}_name"] = (party.name_en if english and party.name_en else party.name) or ""
    return names


# The messages ------------------------------------------------------------------------------------------


def expiry_reminder(reminder: ExpiryReminder, today: datetime.date) -> EmailMultiAlternatives:
    """The reminder that the license's term ends in `reminder.window_days` days or fewer."""
    license = reminder.license
    to, cc = recipients(license)
    context = {
        "license": license,
        "operator": license.operator,
        "grantor": license.grantor,
        "term_end": license.term_end.isoformat(),
        "ends_on": (license.term_end + datetime.timedelta(days=1)).isoformat(),
        "days_left": (license.term_end - today).days,
        "url": public_url(license),
    }
    return build("expiry_reminder", context, to=to, cc=cc)


def lifecycle_notification(notification: LifecycleNotification) -> EmailMultiAlternatives:
    """The news of a lifecycle event the operator is told of (notifications.NOTIFIED_ACTIONS)."""
    license, event = notification.license, notification.event
    to, cc = recipients(license)
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
    return build("lifecycle_notification", context, to=to, cc=cc)


# Registrations -----------------------------------------------------------------------------------------


def registration_recipients(reminder: RegistrationReminder) -> tuple[list[str], list[str]]:
    """(to, cc). The registrant's reminders (renewal, expiry) go to the registrant: the operator's contacts,
    or the implementing body's regulators; copying the grantor's regulators. The overdue ones go to the
    grantor's regulators, who run the procedure."""
    registration = reminder.registration
    license = registration.license
    if reminder.kind not in (RegistrationReminderKind.RENEWAL_WINDOW, RegistrationReminderKind.EXPIRY):
        return regulator_addresses([license.grantor_id]), []
    return recipients(license, registration.registrant_role)


def registration_reminder(reminder: RegistrationReminder) -> EmailMultiAlternatives:
    """A reminder about a registration: its renewal window or expiry, or a deadline of its procedure."""
    registration = reminder.registration
    license = registration.license
    to, cc = registration_recipients(reminder)
    due = None
    if reminder.kind == RegistrationReminderKind.ACCEPTANCE_OVERDUE:
        due = registrations.acceptance_due(registration)
    elif reminder.kind == RegistrationReminderKind.REVIEW_OVERDUE:
        due = registrations.review_due(registration)
    expires = registration.expires_on
    context = {
        "kind": reminder.kind,
        "name": registration.name,
        "code": registration.code or "",
        "number": license.number,
        "registrant_name": getattr(registration.registrant, "name", ""),
        "grantor": license.grantor,
        "expires_on": expires.isoformat() if expires else "",
        "opens_on": registrations.renewal_opens_on(expires).isoformat() if expires else "",
        "due_on": due.isoformat() if due else "",
        "estimated": bool(due and due.estimated),
        "url": f"{settings.SITE_URL}/registrations/{registration.pk}/",
    }
    return build("registration_reminder", context, to=to, cc=cc)


def disclosure_reminder(reminder: DisclosureReminder) -> EmailMultiAlternatives:
    """The reminder that a party's annual disclosure of a year is due by 31 March (licensing.disclosures)."""
    license = reminder.license
    to, cc = recipients(license, reminder.party)
    body = license.implementing_body or license.grantor
    discloser = license.operator if reminder.party == LicenseParty.OPERATOR else body
    context = {
        "license": license,
        "grantor": license.grantor,
        "discloser": discloser,
        "year": reminder.year,
        "due_on": disclosures.due_on(reminder.year).isoformat(),
        "party_label": LicenseParty(reminder.party).label,
        "contents": disclosures.CONTENTS[LicenseParty(reminder.party)],
        "url": public_url(license),
    }
    return build("disclosure_reminder", context, to=to, cc=cc)


# Email alerts (licensing.alerts): to whoever subscribed, in the language they chose ---------------------


def alert_headers(links: dict[str, str]) -> dict[str, str]:
    """One-click unsubscribe (RFC 8058): mail clients POST "List-Unsubscribe=One-Click" to the link."""
    return {
        "List-Unsubscribe": f"<{links['unsubscribe']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def alert_confirmation(
    subscription: AlertSubscription, about: dict, links: dict[str, str]
) -> EmailMultiAlternatives:
    """The request to confirm a subscription (double opt-in): the only email before it is confirmed.
    `about`: what it follows (alerts.describe)."""
    return build(
        "alert_confirmation",
        {"subscription": subscription, **about, **links, "days": settings.ALERT_CONFIRM_DAYS},
        to=[subscription.email],
        cc=[],
        languages=[subscription.language],
        headers=alert_headers(links),
    )


def alert_digest(
    digest: AlertDigest, about: dict, events: list, links: dict[str, str]
) -> EmailMultiAlternatives:
    """A day's changes of what a subscription follows (`about`, alerts.describe), each with its effective
    day and reason (alerts.digest_events)."""
    subscription = digest.subscription
    context = {"subscription": subscription, **about, **links, "events": events, "site": settings.SITE_URL}
    return build(
        "alert_digest",
        context,
        to=[subscription.email],
        cc=[],
        languages=[subscription.language],
        headers=alert_headers(links),
    )


# Webhooks ----------------------------------------------------------------------------------------------


def user_address(user) -> str:
    """Where to write to a user: their account's email, else their regulator profile's contact address."""
    regulator = access.regulator_of(user)
    return user.email or (regulator.contact_email if regulator is not None else "")


def webhook_paused(webhook: Webhook) -> EmailMultiAlternatives:
    """The owner's news that their webhook was paused after failing for WEBHOOKS_PAUSE_AFTER_DAYS."""
    last = webhook.deliveries.exclude(last_error="").order_by("-id").values_list("last_error", flat=True)
    context = {
        "webhook": webhook,
        "days": settings.WEBHOOKS_PAUSE_AFTER_DAYS,
        "last_error": last.first() or "",
    }
    address = user_address(webhook.owner)
    return build("webhook_paused", context, to=[address] if address else [], cc=[])
