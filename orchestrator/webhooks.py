"""What AccountService's webhook calls do: register an endpoint (its URL checked against server-side
request forgery), list and delete them, send a test event, and show their deliveries.

Where a webhook may point is decided here, in `refusal` and `check_url`, for registration and for
every connection the dispatcher opens (orchestrator.deliveries), so a name that resolved to a public
address when it was registered and to a private one later is still refused. Outside development an
endpoint must be https and resolve only to public addresses; development also takes http and
loopback, for a receiver on the same machine.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import re
import secrets
import socket
import urllib.parse

from filmstudio.errors import InvalidArgument
from filmstudio.v1 import webhook_pb2
from orchestrator.accounts import check_display_name
from orchestrator.db import Database
from orchestrator.db.records import timestamp
from orchestrator.db.webhooks import SUBSCRIBABLE, DeliveryRecord, WebhookRecord
from orchestrator.paging import decode_delivery_token, encode_delivery_token

MAX_URL = 2048
DELIVERY_PAGE = (20, 100)  # default and most deliveries per page
FAILING_AFTER = 3  # failed attempts in a row that make an endpoint FAILING
_WEBHOOK_ID = re.compile(r"w[0-9a-f]{16}")


def webhook_name(webhook_id: str) -> str:
    return f"account/webhooks/{webhook_id}"


def parse_webhook_name(name: str, field: str = "name") -> str:
    collection, _, webhook_id = name.rpartition("/")
    if collection != "account/webhooks" or not _WEBHOOK_ID.fullmatch(webhook_id):
        raise InvalidArgument(f"{field} {name[:60]!r} is not account/webhooks/{{webhook}}")
    return webhook_id


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes them: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# --- where a webhook may point ---------------------------------------------------------------------------

def refusal(address: str, *, allow_loopback: bool) -> str:
    """Why a webhook may not be sent to this IP address ("" if it may): it is private, loopback,
    link-local or otherwise not a public unicast address. IPv4 inside IPv6 (mapped, 6to4) is judged as
    the IPv4 address it carries."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    if ip.is_loopback:
        return "" if allow_loopback else f"{ip}, a loopback address"
    for kind, test in (("unspecified", ip.is_unspecified), ("link-local", ip.is_link_local),
                       ("multicast", ip.is_multicast), ("private", ip.is_private), ("reserved", ip.is_reserved)):
        if test:
            return f"{ip}, a {kind} address"
    if not ip.is_global:
        return f"{ip}, not a public address"
    return ""


def check_url(url: str, *, development: bool) -> urllib.parse.SplitResult:
    """The parsed URL, or InvalidArgument saying what is wrong with it as a webhook endpoint (its
    addresses are checked by `check_addresses`)."""
    url = url.strip()
    if not url:
        raise InvalidArgument("webhook url is empty; give the https URL events are POSTed to")
    if len(url) > MAX_URL:
        raise InvalidArgument(f"webhook url is over {MAX_URL} characters")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidArgument(f"webhook url {url[:80]!r} is not a URL: {exc}") from None
    schemes = ("https", "http") if development else ("https",)
    if parts.scheme not in schemes:
        where = "" if development else " outside development"
        raise InvalidArgument(f"webhook url {url[:80]!r} is not {' or '.join(schemes)}: webhooks are sent over "
                              f"https only{where}")
    if not parts.hostname:
        raise InvalidArgument(f"webhook url {url[:80]!r} names no host")
    if parts.username is not None or parts.password is not None:
        raise InvalidArgument("webhook url has a user name or password in it; the signature proves who sends")
    if parts.fragment:
        raise InvalidArgument(f"webhook url {url[:80]!r} has a #fragment, which is never sent")
    if port == 0:
        raise InvalidArgument(f"webhook url {url[:80]!r} has port 0")
    return parts


async def check_addresses(host: str, *, allow_loopback: bool) -> None:
    """InvalidArgument unless `host` (a name or an IP literal) resolves, and only to addresses a
    webhook may be sent to."""
    try:
        addresses = {info[4][0] for info in await asyncio.get_running_loop().getaddrinfo(
            host, None, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidArgument(f"webhook url's host {host!r} does not resolve: {exc}") from None
    for address in sorted(addresses):
        reason = refusal(address, allow_loopback=allow_loopback)
        if reason:
            raise InvalidArgument(f"webhook url's host {host!r} resolves to {reason}; webhooks go to public "
                                  "addresses only" + ("" if allow_loopback else " (loopback too in development)"))


def event_types(requested: list[int]) -> tuple[int, ...]:
    """The endpoint's event types, in their order, without repeats; all three when none are asked."""
    chosen: list[int] = []
    for event_type in requested:
        if event_type not in SUBSCRIBABLE:
            name = webhook_pb2.WebhookEventType.Name(event_type) if event_type in webhook_pb2.WebhookEventType.values() \
                else str(event_type)
            raise InvalidArgument(f"event_types: {name} cannot be subscribed to; choose from "
                                  "FILM_SUCCEEDED, FILM_FAILED and SHOT_FAILED")
        if event_type not in chosen:
            chosen.append(event_type)
    return tuple(chosen) or SUBSCRIBABLE


# --- the calls -------------------------------------------------------------------------------------------

class Webhooks:
    """AccountService's webhook calls, for the caller's own endpoints."""

    def __init__(self, db: Database, *, development: bool) -> None:
        self.db = db
        self.development = development

    async def create(self, user_id: str, request: webhook_pb2.CreateWebhookRequest) -> webhook_pb2.CreateWebhookResponse:
        hook = request.webhook
        parts = check_url(hook.url, development=self.development)
        description = check_display_name(hook.description, "description")
        types = event_types(list(hook.event_types))
        await check_addresses(parts.hostname, allow_loopback=self.development)
        secret = new_secret()
        record = await self.db.create_webhook(user_id, parts.geturl(), types, description, secret)
        return webhook_pb2.CreateWebhookResponse(webhook=webhook_message(record), secret=secret)

    async def list(self, user_id: str) -> webhook_pb2.ListWebhooksResponse:
        return webhook_pb2.ListWebhooksResponse(
            webhooks=[webhook_message(record) for record in await self.db.list_webhooks(user_id)])

    async def delete(self, user_id: str, name: str) -> None:
        await self.db.delete_webhook(user_id, parse_webhook_name(name))

    async def test(self, user_id: str, name: str) -> webhook_pb2.WebhookDelivery:
        webhook_id = parse_webhook_name(name)
        return delivery_message(await self.db.enqueue_test(user_id, webhook_id))

    async def deliveries(self, user_id: str, request: webhook_pb2.ListWebhookDeliveriesRequest
                         ) -> webhook_pb2.ListWebhookDeliveriesResponse:
        webhook_id = parse_webhook_name(request.parent, "parent")
        default, most = DELIVERY_PAGE
        if not 0 <= request.page_size <= most:
            raise InvalidArgument(f"page_size {request.page_size} is out of range: 1-{most}, or 0 for {default}")
        before = decode_delivery_token(request.page_token) if request.page_token else None
        records, more = await self.db.list_deliveries(user_id, webhook_id, request.page_size or default, before)
        return webhook_pb2.ListWebhookDeliveriesResponse(
            deliveries=[delivery_message(record) for record in records],
            next_page_token=encode_delivery_token(records[-1].seq) if more else "")


def webhook_message(record: WebhookRecord) -> webhook_pb2.Webhook:
    failing = record.consecutive_failures >= FAILING_AFTER
    message = webhook_pb2.Webhook(
        name=webhook_name(record.id), url=record.url, event_types=record.event_types,
        description=record.description, create_time=timestamp(record.created_at),
        health=webhook_pb2.WEBHOOK_HEALTH_FAILING if failing else webhook_pb2.WEBHOOK_HEALTH_HEALTHY,
        consecutive_failures=record.consecutive_failures, last_result=record.last_result)
    if record.last_attempt_at is not None:
        message.last_attempt_time.CopyFrom(timestamp(record.last_attempt_at))
    return message


def delivery_message(record: DeliveryRecord) -> webhook_pb2.WebhookDelivery:
    message = webhook_pb2.WebhookDelivery(
        name=f"{webhook_name(record.webhook_id)}/deliveries/{record.id}", event_type=record.event_type,
        film=record.film, state=record.state, create_time=timestamp(record.created_at),
        attempt_count=record.attempts, payload=record.payload)
    if record.next_attempt_at is not None:
        message.next_attempt_time.CopyFrom(timestamp(record.next_attempt_at))
    if record.delivered_at is not None:
        message.deliver_time.CopyFrom(timestamp(record.delivered_at))
    for attempt in record.last_attempts:
        sent = message.attempts.add(attempt_time=timestamp(attempt.started_at), http_status=attempt.http_status,
                                    result=attempt.result or "sending", delivered=attempt.delivered)
        if attempt.duration_s is not None:
            sent.duration.FromMilliseconds(round(attempt.duration_s * 1000))
    return message
