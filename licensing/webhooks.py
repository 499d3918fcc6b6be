"""Webhooks: a user subscribes a URL to license events (filtered as a reader of the events API would), and
each event is POSTed to it, signed.

- Exactly once as a record: the deliveries of an event are written by the license_events_recorded
  receiver, inside the transaction that records the event (and only for events the owner may read, see
  event_cursor.visible_events). At least once over the wire: each delivery is an outbox row (the
  `webhook_delivery` kind), claimed with a lease, so a worker killed mid-delivery leaves it to be sent
  again; its `key` (the Idempotency-Key header) lets the receiver drop the repeat.
- The body is the event as the events API shows it to the owner (the API provides that representation:
  show_events_with, called at start-up, since the domain does not import the API).
- Signed: X-Registry-Signature is "sha256=" + the hex HMAC-SHA256, keyed by the webhook's secret, of
  "<X-Registry-Timestamp>.<body>" (README, "Webhooks").
- A failed attempt (no answer within WEBHOOKS_TIMEOUT_SECONDS, or not a 2xx) is retried with a doubling
  delay for WEBHOOKS_GIVE_UP_HOURS, then the delivery is failed. A webhook whose deliveries have failed
  for WEBHOOKS_PAUSE_AFTER_DAYS with no success since is paused, and its owner emailed.
- No request forgery: only http(s) URLs, and none whose host resolves to an address that is not public
  (private, loopback, link-local...) unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES. Checked when subscribing and
  again before every attempt, which connects to the address checked (a name may resolve elsewhere
  later); redirects are not followed.
"""

import contextlib
import contextvars
import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import emails, event_cursor, outbox
from .exceptions import InvalidWebhook
from .models import LicenseEvent, Webhook, WebhookDelivery, WebhookState

logger = logging.getLogger(__name__)

KIND = "webhook_delivery"
SIGNATURE_HEADER = "X-Registry-Signature"
TIMESTAMP_HEADER = "X-Registry-Timestamp"
KEY_HEADER = "Idempotency-Key"
# The event's id, or "test" for a test event.
EVENT_HEADER = "X-Registry-Event"
# What is kept of a receiver's answer.
BODY_KEPT = 1024
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
# The filters a webhook may set (the fields of the model): the events feed's.
FILTERS = event_cursor.FILTERS
MAX_DELAY = datetime.timedelta(hours=1)


# The event as the events API shows it to a user, as JSON bytes: set by the API at start-up.
_representation: Callable[[LicenseEvent, object], bytes] | None = None


def show_events_with(representation: Callable[[LicenseEvent, object], bytes]) -> None:
    global _representation
    _representation = representation


class DeliveryFailed(Exception):
    """The receiver did not take the delivery."""


# Subscribing ---------------------------------------------------------------------------------------


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    found = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        found.append(address)
    return found


def _resolve(url: str) -> tuple[list, str | None]:
    """The addresses the registry may POST `url` to, or why it will not."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return [], gettext("Not a URL.")
    if parts.scheme not in ("http", "https"):
        return [], gettext("Only http and https URLs are accepted.")
    if not parts.hostname:
        return [], gettext("The URL names no host.")
    try:
        addresses = _addresses(parts.hostname, port)
    except (OSError, UnicodeError, ValueError):
        addresses = []
    if not addresses:
        return [], gettext("The URL's host does not resolve.")
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES and any(
        not address.is_global or address.is_multicast for address in addresses
    ):
        return [], gettext(
            "The URL's host is a private, loopback or link-local address (or resolves to one): "
            "webhooks go to public addresses only."
        )
    return addresses, None


def url_problem(url: str) -> str | None:
    """Why the registry will not POST to `url`, or None if it will."""
    return _resolve(url)[1]


def clean_filters(filters: dict) -> dict:
    """The filters as stored (the events feed's, cleaned as it cleans them), or InvalidWebhook naming the
    field at fault."""
    try:
        return event_cursor.clean_filters(filters)
    except event_cursor.FilterError as error:
        raise InvalidWebhook(error.errors) from None


def _checked_url(url: str) -> str:
    problem = url_problem(url)
    if problem:
        raise InvalidWebhook({"url": [problem]})
    return url


def subscribe(owner, url: str, state: str = WebhookState.ACTIVE, **filters) -> tuple[Webhook, str]:
    """A new webhook of `owner` (active unless made paused). Returns it and its secret, which the owner is
    shown this once."""
    cleaned = clean_filters(filters)
    if Webhook.objects.filter(owner=owner).count() >= settings.WEBHOOKS_PER_USER:
        message = gettext("You have %(count)s webhooks, as many as one user may have: delete one first.")
        raise InvalidWebhook({"non_field_errors": [message % {"count": settings.WEBHOOKS_PER_USER}]})
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    paused_at = timezone.now() if state == WebhookState.PAUSED else None
    webhook = Webhook.objects.create(
        owner=owner, url=_checked_url(url), secret=secret, state=state, paused_at=paused_at, **cleaned
    )
    return webhook, secret


def change(webhook: Webhook, *, url: str | None = None, state: str | None = None, **filters) -> Webhook:
    """Change a webhook's URL or filters, or pause or resume it (resuming forgets its failures)."""
    cleaned = clean_filters(filters)
    if url is not None:
        webhook.url = _checked_url(url)
    for name, value in cleaned.items():
        setattr(webhook, name, value)
    if state is not None and state != webhook.state:
        webhook.state = state
        webhook.paused_at = timezone.now() if state == WebhookState.PAUSED else None
        webhook.failing_since = None
    webhook.save()
    return webhook


def send_test_event(webhook: Webhook) -> WebhookDelivery:
    """A delivery of a test event (no event of record), sent like any other."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(webhook=webhook)
        outbox.enqueue(KIND, delivery.pk)
    return delivery


# What each webhook receives ------------------------------------------------------------------------


def selected_events(webhook: Webhook):
    """The events `webhook` receives: those its owner may read in the events feed that its filters
    select."""
    filters = {name: getattr(webhook, name) for name in FILTERS}
    return event_cursor.filtered(event_cursor.visible_events(webhook.owner), filters)


# Within batch(): the active webhooks, read once for all the changes of the block.
_batched = contextvars.ContextVar("webhooks_batched", default=None)


@contextlib.contextmanager
def batch():
    """Changes announced in the block (many licenses at once: the sweep's, a bulk import's) read the active
    webhooks once, not once per license."""
    token = _batched.set({})
    try:
        yield
    finally:
        _batched.reset(token)


def _active_webhooks() -> list[Webhook]:
    memo = _batched.get()
    if memo is not None and "webhooks" in memo:
        return memo["webhooks"]
    webhooks = list(
        Webhook.objects.filter(state=WebhookState.ACTIVE, owner__is_active=True).select_related("owner")
    )
    if memo is not None:
        memo["webhooks"] = webhooks
    return webhooks


def create_deliveries(events) -> list[WebhookDelivery]:
    """The deliveries of `events` to every active webhook that selects them, each enqueued to be sent once
    committed. One query per active webhook (and one for the webhooks, outside a batch)."""
    webhooks = _active_webhooks()
    if not webhooks:
        return []
    pks = [event.pk for event in events]
    created = []
    with transaction.atomic():
        for webhook in webhooks:
            for event_pk in selected_events(webhook).filter(pk__in=pks).values_list("pk", flat=True):
                delivery = WebhookDelivery.objects.create(webhook=webhook, event_id=event_pk)
                outbox.enqueue(KIND, delivery.pk)
                created.append(delivery)
    return created


def on_events_recorded(sender, *, license, events, **kwargs):
    """license_events_recorded receiver (connected in LicensingConfig.ready): inside the change's
    transaction, so the deliveries exist exactly when the events do."""
    create_deliveries(events)


# Sending -------------------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Registry-Signature of `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def body_of(delivery: WebhookDelivery) -> bytes:
    """What the delivery POSTs: the event as the events API shows it to the webhook's owner now."""
    if delivery.event_id is None:
        return json.dumps(
            {"test": True, "webhook": delivery.webhook_id, "created_at": delivery.created_at.isoformat()}
        ).encode()
    event = (
        LicenseEvent.objects.with_effective_day()
        .select_related("license__grantor", "actor_authority")
        .get(pk=delivery.event_id)
    )
    return _representation(event, delivery.webhook.owner)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead anywhere, an internal address included: a 3xx is an answer, not followed.
    def redirect_request(self, *args, **kwargs):
        return None


class _Connector:
    """Opens a delivery's connection to `address`, the one checked, whatever the host name resolves to by
    then (a name that resolved to a public address for the check cannot lead elsewhere; the name is
    still what Host and TLS use). `cut()` ends it wherever it is: the socket timeout bounds each read,
    not a receiver answering a byte at a time."""

    def __init__(self, address):
        self.address = address
        self.sockets: list[socket.socket] = []
        self.expired = False

    def __call__(self, target, *args, **options):
        if self.expired:
            raise TimeoutError("the delivery's time ran out")
        sock = socket.create_connection((str(self.address), target[1]), *args, **options)
        self.sockets.append(sock)
        return sock

    def cut(self):
        self.expired = True
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def connection(self, connection_class):
        def connect(host, **kwargs):
            connection = connection_class(host, **kwargs)
            connection._create_connection = self
            return connection

        return connect


class _PinnedHTTP(urllib.request.HTTPHandler):
    def __init__(self, connector: _Connector):
        super().__init__()
        self.connector = connector

    def http_open(self, req):
        return self.do_open(self.connector.connection(http.client.HTTPConnection), req)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, connector: _Connector):
        super().__init__()
        self.connector = connector

    def https_open(self, req):
        return self.do_open(
            self.connector.connection(http.client.HTTPSConnection), req, context=self._context
        )


def _post(url: str, address, body: bytes, headers: dict) -> tuple[int, bytes]:
    """POST to `address`, within WEBHOOKS_TIMEOUT_SECONDS in all: the answer's status and first bytes."""
    connector = _Connector(address)
    # No proxies from the environment either: the request goes to the checked address.
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _NoRedirects, _PinnedHTTP(connector), _PinnedHTTPS(connector)
    )
    # The scheme is http(s): _resolve checked it just before.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    deadline = threading.Timer(timeout, connector.cut)
    deadline.daemon = True
    deadline.start()
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(BODY_KEPT)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(BODY_KEPT)
    finally:
        deadline.cancel()


def send(delivery: WebhookDelivery) -> None:
    """POST the delivery (the outbox kind's `send`), record the answer on it, and raise if it was not
    taken."""
    webhook = delivery.webhook
    if webhook.state != WebhookState.ACTIVE:
        raise outbox.NotNeeded(gettext("The webhook is paused."))
    if not webhook.owner.is_active:
        raise outbox.NotNeeded(gettext("The webhook's owner is deactivated."))
    addresses, problem = _resolve(webhook.url)
    if problem:
        _record(delivery, None, 0, b"")
        _failed(webhook)
        raise DeliveryFailed(problem)
    body = body_of(delivery)
    timestamp = str(int(timezone.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "pdol-registry-webhooks/1",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(webhook.secret, timestamp, body),
        KEY_HEADER: str(delivery.key),
        EVENT_HEADER: str(delivery.event_id or "test"),
    }
    started = time.perf_counter()
    try:
        code, answer = _post(webhook.url, addresses[0], body, headers)
    except (OSError, ValueError, http.client.HTTPException) as error:
        _record(delivery, None, started, b"")
        _failed(webhook)
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
    _record(delivery, code, started, answer)
    if not 200 <= code < 300:
        _failed(webhook)
        raise DeliveryFailed(gettext("The receiver answered %(code)s.") % {"code": code})
    Webhook.objects.filter(pk=webhook.pk, failing_since__isnull=False).update(failing_since=None)


def _record(delivery: WebhookDelivery, code: int | None, started: float, answer: bytes) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        response_code=code,
        latency_ms=round((time.perf_counter() - started) * 1000) if started else None,
        response_body=answer[:BODY_KEPT].decode("utf-8", "replace"),
    )


def _failed(webhook: Webhook) -> None:
    """Note a failed attempt; pause the webhook (and email its owner) once they have failed for
    WEBHOOKS_PAUSE_AFTER_DAYS. The conditional UPDATE pauses it once, whichever worker gets there."""
    now = timezone.now()
    Webhook.objects.filter(pk=webhook.pk, failing_since__isnull=True).update(failing_since=now)
    cutoff = now - datetime.timedelta(days=settings.WEBHOOKS_PAUSE_AFTER_DAYS)
    paused = Webhook.objects.filter(pk=webhook.pk, state=WebhookState.ACTIVE, failing_since__lte=cutoff)
    if paused.update(state=WebhookState.PAUSED, paused_at=now):
        webhook.refresh_from_db()
        try:
            message = emails.webhook_paused(webhook)
            if message.to:
                message.send()
        except Exception:
            # The pause stands either way; the owner also sees it in the API and the admin.
            logger.exception("could not email the owner of paused webhook %s", webhook.pk)


def retry_delay(attempts: int) -> datetime.timedelta:
    """After the `attempts`-th failed attempt: WEBHOOKS_RETRY_SECONDS, doubling, at most an hour."""
    delay = datetime.timedelta(seconds=settings.WEBHOOKS_RETRY_SECONDS * 2 ** min(max(attempts - 1, 0), 20))
    return min(delay, MAX_DELAY)


outbox.register(
    KIND,
    model=WebhookDelivery,
    send=send,
    related=("webhook__owner",),
    retry_delay=retry_delay,
    give_up_after=datetime.timedelta(hours=settings.WEBHOOKS_GIVE_UP_HOURS),
    # Bounds the claims that lapse (workers killed mid-delivery) too; the hours bound the failures.
    max_attempts=60,
)
