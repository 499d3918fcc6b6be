"""Email alerts: anyone may follow a license, an operator, an authority or a saved search of the license
list, without an account, and receive the public changes of what they follow, a digest a day at most.

- Double opt-in: subscribing sends the confirmation and nothing else; only a confirmed subscription gets
  digests. The confirmation link is signed and expires after ALERT_CONFIRM_DAYS days.
- `subscribe` answers the same whatever the address's state (new, pending, confirmed, unsubscribed), and
  sends at most ALERT_CONFIRMATIONS_PER_ADDRESS confirmations a day to an address: the form reveals
  nothing, and cannot be used to flood a mailbox.
- Every email carries a signed one-click unsubscribe link (RFC 8058) and a signed link to the page that
  manages the address's alerts; neither expires.
- The sweep builds the day's digests (create_due_digests): for each confirmed subscription without one
  today, the public events of what it follows recorded since it was confirmed and not told to it yet. An
  event is told to a subscription once (AlertItem is unique per subscription and event) and a
  subscription gets one digest a day (AlertDigest is unique per day); the subscription's row is locked
  while its digest is built, so two sweeps at once build it once. Digests go through the outbox (kind
  `alert_digest`; the confirmations are kind `alert_confirmation`), with its lease and retries.
"""

import dataclasses
import datetime
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from . import access, emails, history, outbox
from .choices import AlertTarget, EventAction, LicenseStatus
from .display import in_language
from .models import (
    AlertConfirmation,
    AlertDigest,
    AlertItem,
    AlertSubscription,
    Authority,
    License,
    LicenseEvent,
    Operator,
)
from .models.licenses import granted_by

CONFIRM_SALT = "licensing.alerts.confirm"
UNSUBSCRIBE_SALT = "licensing.alerts.unsubscribe"
MANAGE_SALT = "licensing.alerts.manage"
BATCH_SIZE = 500
# A digest lists this many changes at most; the rest wait for the next day's.
MAX_ITEMS = 200

# How a saved search's query string finds its licenses. The license list's filters are the public site's
# (licensing.forms); LicensingConfig.ready sets this, as it wires the signals.
search_licenses: Callable[[str], QuerySet] | None = None


# The record each kind of target follows (a saved search follows none).
MODELS = {AlertTarget.LICENSE: License, AlertTarget.OPERATOR: Operator, AlertTarget.AUTHORITY: Authority}


@dataclasses.dataclass(frozen=True)
class Target:
    """What a subscription follows: a kind and the record's key, or a saved search's query string."""

    kind: str
    pk: int = 0
    query: str = ""


def find_target(kind: str, key: str) -> Target | None:
    """The target a form names (the record's key, or the list's query string), or None if there is no
    such public record."""
    if kind == AlertTarget.SEARCH:
        return Target(kind, query=key) if key and len(key) <= 500 else None
    if not key.isascii() or not key.isdigit() or len(key) > 18:
        return None
    pk = int(key)
    if kind not in MODELS:
        return None
    found = MODELS[kind].objects.filter(pk=pk)
    if kind == AlertTarget.LICENSE:
        found = access.public_licenses(found)
    return Target(kind, pk) if found.exists() else None


def describe(subscription: AlertSubscription) -> dict[str, str]:
    """What the subscription follows, for the emails and the manage page: `followed_name` (in the active
    language; "" for a saved search) and `followed_url`, the page of it."""
    kind, site = subscription.target, settings.SITE_URL
    if kind == AlertTarget.SEARCH:
        return {"followed_name": "", "followed_url": f"{site}/licenses/?{subscription.query}"}
    record = MODELS[kind].objects.filter(pk=subscription.target_id).first()
    if record is None:
        return {"followed_name": "", "followed_url": f"{site}/"}
    if kind == AlertTarget.LICENSE:
        name, url = f"{record.number} “{record.title}”", emails.public_url(record)
        return {"followed_name": name, "followed_url": url}
    if kind == AlertTarget.OPERATOR:
        path = f"operators/{quote(record.uscc or str(record.pk))}"
    else:
        path = f"authorities/{record.pk}"
    return {"followed_name": in_language(record.name, record.name_en), "followed_url": f"{site}/{path}/"}


def followed_licenses(subscription: AlertSubscription) -> QuerySet:
    """The licenses whose public events the subscription is told of."""
    kind, pk = subscription.target, subscription.target_id
    if kind == AlertTarget.LICENSE:
        return License.objects.filter(pk=pk)
    if kind == AlertTarget.OPERATOR:
        return License.objects.filter(operator_id=pk)
    if kind == AlertTarget.AUTHORITY:
        return License.objects.filter(granted_by(Q(pk=pk)))
    if search_licenses is None:
        return License.objects.none()
    return License.objects.filter(pk__in=search_licenses(subscription.query).values("pk"))


def normalise_email(address: str) -> str:
    # One subscription per mailbox: addresses are compared without case.
    return address.strip().lower()


# Subscribing, confirming, unsubscribing -----------------------------------------------------------------


def subscribe(email: str, language: str, target: Target) -> None:
    """Ask `email` to confirm that it follows `target`. Returns nothing, whatever the address's state: the
    caller's answer must not tell whether it was subscribed already.

    New, pending or unsubscribed: a confirmation is sent (unless the address had its
    ALERT_CONFIRMATIONS_PER_ADDRESS today); confirmed already: nothing is sent."""
    email = normalise_email(email)
    with transaction.atomic():
        subscription, _created = AlertSubscription.objects.get_or_create(
            email=email,
            target=target.kind,
            target_id=target.pk,
            query=target.query,
            defaults={"language": language},
        )
        subscription = AlertSubscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.active:
            return
        subscription.language = language
        subscription.confirmed_at = subscription.unsubscribed_at = None
        subscription.save(update_fields=["language", "confirmed_at", "unsubscribed_at"])
        since = timezone.now() - datetime.timedelta(days=1)
        sent = AlertConfirmation.objects.filter(subscription__email=email, created_at__gte=since).count()
        if sent >= settings.ALERT_CONFIRMATIONS_PER_ADDRESS:
            return
        confirmation = AlertConfirmation.objects.create(subscription=subscription)
        outbox.enqueue(outbox.kind_of(AlertConfirmation), confirmation.pk)


class BadToken(Exception):
    """A link that was not signed by the registry, or whose confirmation has expired (`expired`)."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


def _sign(salt: str, value: str) -> str:
    return signing.TimestampSigner(salt=salt).sign(value)


def _unsign(salt: str, token: str, max_age: datetime.timedelta | None = None) -> str:
    try:
        return signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise BadToken(expired=True) from None
    except signing.BadSignature:
        raise BadToken() from None


def _subscription(salt: str, token: str, max_age=None) -> AlertSubscription:
    pk = _unsign(salt, token, max_age)
    subscription = AlertSubscription.objects.filter(pk=pk).first() if pk.isdigit() else None
    if subscription is None:
        raise BadToken()
    return subscription


def confirming(token: str) -> AlertSubscription:
    """The subscription a confirmation link confirms (BadToken if forged or expired)."""
    return _subscription(CONFIRM_SALT, token, datetime.timedelta(days=settings.ALERT_CONFIRM_DAYS))


def confirm(token: str) -> AlertSubscription:
    """Confirm the subscription of a confirmation link (BadToken if forged or expired). Confirming twice
    is confirming once. Events recorded from now on are told to it."""
    subscription = confirming(token)
    with transaction.atomic():
        AlertSubscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now(), unsubscribed_at=None
        )
    subscription.refresh_from_db()
    return subscription


def unsubscribing(token: str) -> AlertSubscription:
    """The subscription an unsubscribe link ends (BadToken if forged)."""
    return _subscription(UNSUBSCRIBE_SALT, token)


def unsubscribe(token: str) -> AlertSubscription:
    """End the subscription of an unsubscribe link (BadToken if forged). Idempotent."""
    subscription = unsubscribing(token)
    end(subscription)
    return subscription


def end(subscription: AlertSubscription) -> None:
    """Unsubscribe: no digest is built or sent to it any more (a pending one is not needed)."""
    AlertSubscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
    subscription.refresh_from_db()


def managed_by(token: str) -> tuple[str, list[AlertSubscription]]:
    """The address of a manage link and its subscriptions still in effect (confirmed or pending). The link
    names one of the address's subscriptions, not the address, which stays out of addresses and logs."""
    email = _subscription(MANAGE_SALT, token).email
    subscriptions = AlertSubscription.objects.filter(email=email, unsubscribed_at__isnull=True)
    return email, list(subscriptions.order_by("created_at", "pk"))


def links(subscription: AlertSubscription) -> dict[str, str]:
    """The signed addresses an email to the subscription carries."""
    base = f"{settings.SITE_URL}/alerts"
    return {
        "confirm": f"{base}/confirm/{_sign(CONFIRM_SALT, str(subscription.pk))}/",
        "unsubscribe": f"{base}/unsubscribe/{_sign(UNSUBSCRIBE_SALT, str(subscription.pk))}/",
        "manage": f"{base}/manage/{_sign(MANAGE_SALT, str(subscription.pk))}/",
    }


# The day's digests --------------------------------------------------------------------------------------


def pending_events(subscription: AlertSubscription) -> QuerySet:
    """The public events of what the subscription follows, recorded after it was confirmed, not yet told
    to it; oldest first."""
    told = AlertItem.objects.filter(subscription=subscription).values("event_id")
    return (
        history.public_events(followed_licenses(subscription))
        .filter(created_at__gt=subscription.confirmed_at)
        .exclude(pk__in=told)
        .order_by("created_at", "pk")
    )


def create_due_digests(today: datetime.date, now: datetime.datetime) -> int:
    """Build today's digest of every confirmed subscription with changes to tell and none today yet.
    Returns how many were built. Safe to run from several processes at once (see the module)."""
    due = (
        AlertSubscription.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        .exclude(digests__day=today)
        .filter(_may_have_news())
    )
    built, last_pk = 0, 0
    while True:
        batch = list(due.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        for pk in batch:
            built += _build_digest(pk, today, now)
        if len(batch) < BATCH_SIZE:
            return built
        last_pk = batch[-1]


def _may_have_news() -> Q:
    """Subscriptions that may have events to tell: of a record, those with a public event recorded since
    their confirmation and not told yet (in the same query, so that an idle sweep does not visit every
    subscription); a saved search, always (pending_events decides)."""
    told = AlertItem.objects.filter(subscription=OuterRef(OuterRef("pk")), event=OuterRef("pk"))
    news = (
        LicenseEvent.objects.filter(created_at__gt=OuterRef("confirmed_at"))
        .exclude(to_status=LicenseStatus.DRAFT)
        .exclude(Exists(told))
    )
    followed = OuterRef("target_id")
    return (
        Q(target=AlertTarget.SEARCH)
        | Q(Exists(news.filter(license_id=followed)), target=AlertTarget.LICENSE)
        | Q(Exists(news.filter(license__operator_id=followed)), target=AlertTarget.OPERATOR)
        | Q(
            Exists(news.filter(Q(license__grantor_id=followed) | Q(license__co_grantors=followed))),
            target=AlertTarget.AUTHORITY,
        )
    )


def _build_digest(pk: int, today: datetime.date, now: datetime.datetime) -> int:
    try:
        with transaction.atomic():
            subscription = (
                AlertSubscription.objects.select_for_update()
                .filter(pk=pk, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
                .first()
            )
            if subscription is None or subscription.digests.filter(day=today).exists():
                return 0
            events = list(pending_events(subscription).values_list("pk", flat=True)[:MAX_ITEMS])
            if not events:
                return 0
            digest = AlertDigest.objects.create(subscription=subscription, day=today, next_attempt_at=now)
            AlertItem.objects.bulk_create(
                [AlertItem(subscription=subscription, digest=digest, event_id=event) for event in events]
            )
    except IntegrityError:
        # Another sweep built it meanwhile (the lock makes this rare; the constraints make it harmless).
        return 0
    return 1


def digest_events(digest: AlertDigest) -> list[LicenseEvent]:
    """The digest's events as the public history words them, in the order they took effect; each with
    `heading` and `why` (its reason, or what a correction changed)."""
    events = list(
        LicenseEvent.objects.filter(pk__in=digest.items.values("event_id"))
        .with_effective_day()
        .select_related("license", "corrects")
        .order_by("effective_on", "created_at", "pk")
    )
    for event in events:
        event.heading = history.heading(event)
        event.why = history.correction_summary(event) if event.action == EventAction.CORRECT else event.reason
    return events


# The outbox kinds ---------------------------------------------------------------------------------------


def _confirmation(confirmation: AlertConfirmation):
    subscription = confirmation.subscription
    if subscription.active or subscription.unsubscribed_at is not None:
        raise outbox.NotNeeded(gettext("The subscription was confirmed or ended meanwhile."))
    with translation.override(subscription.language):
        about = describe(subscription)
    return emails.alert_confirmation(subscription, about, links(subscription))


def _digest(digest: AlertDigest):
    subscription = digest.subscription
    if not subscription.active:
        raise outbox.NotNeeded(gettext("The subscription has ended."))
    with translation.override(subscription.language):
        about = describe(subscription)
    return emails.alert_digest(digest, about, digest_events(digest), links(subscription))


outbox.register(
    "alert_confirmation", model=AlertConfirmation, message=_confirmation, related=("subscription",)
)
outbox.register("alert_digest", model=AlertDigest, message=_digest, related=("subscription",))
