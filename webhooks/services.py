"""Raising an event and delivering it (issue #15.5).

`emit` is called inside the transaction of the change it tells (an approval): the
deliveries are rows of that transaction, and their tasks are queued on commit, so a change
rolled back tells nothing and a change committed is told. The worker (`manage.py db_worker`,
django-tasks) posts each delivery, signed with HMAC-SHA256 over the exact body, and tries
again with exponential back-off until the receiver answers 2xx or MAX_ATTEMPTS are spent.
"""

import datetime
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends

from webhooks.models import Delivery, Event, Subscription

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = datetime.timedelta(minutes=1)  # then 2, 4, 8, 16 minutes
TIMEOUT_SECONDS = 10
# The event id of an event raised about one object is derived from it (uuid5), so raising
# it again (a retried request, the daily overdue check) never makes a second delivery.
EVENT_NAMESPACE = uuid.UUID("1f0c8a5e-9d0b-4c57-9a59-2f3a5e1b7c15")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def signature(secret: str, body: bytes) -> str:
    """The value of X-Signature-256: "sha256=" and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_id_for(event: str, key: str) -> uuid.UUID:
    return uuid.uuid5(EVENT_NAMESPACE, f"{event}:{key}")


def emit(event: Event, *, key: str, data: dict) -> int:
    """Raise an event about one object (`key`, e.g. "visit:12"): one delivery per active
    subscription to it, in the caller's transaction, each queued on commit. Returns how
    many deliveries were made (0 for an event already raised)."""
    event_id = event_id_for(event, key)
    occurred_at = timezone.now()
    payload = {"id": str(event_id), "event": str(event), "occurred_at": occurred_at.isoformat(), "data": data}
    made = 0
    for subscription in Subscription.objects.filter(is_active=True, events__contains=[event]):
        delivery, created = Delivery.objects.get_or_create(subscription=subscription, event_id=event_id,
                                                           defaults={"event": event, "payload": payload})
        if created:
            made += 1
            transaction.on_commit(lambda pk=delivery.pk: schedule(pk))
    return made


def retry_delay(attempts: int) -> datetime.timedelta:
    """After the n-th failed attempt: 1, 2, 4, 8, 16 minutes."""
    return FIRST_RETRY * 2 ** (attempts - 1)


def schedule(delivery_id: int, at: datetime.datetime | None = None) -> None:
    """Queue the delivery's task, at `at` where the queue can wait (the database queue);
    a queue that cannot wait (the tests' immediate one) runs it now."""
    runner = deliver_task
    if at is not None and task_backends[deliver_task.backend].supports_defer:
        runner = deliver_task.using(run_after=at)
    runner.enqueue(delivery_id)


def _post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http(s) only)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def deliver(delivery_id: int) -> None:
    """Send one attempt of a delivery. Side effects: the attempt counted with its response
    code or error; delivered on 2xx; otherwise the next attempt queued after the back-off,
    or failed after MAX_ATTEMPTS. A delivery already delivered or failed is left alone (a
    task run twice sends once)."""
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update().select_related("subscription")
                    .filter(pk=delivery_id, status=Delivery.Status.PENDING).first())
        if delivery is None or not delivery.subscription.is_active:
            return
        body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "pccovid-inspections-webhooks",
                   "X-Signature-256": signature(delivery.subscription.secret, body),
                   "X-Webhook-Event": delivery.event, "X-Webhook-Id": str(delivery.event_id),
                   "X-Webhook-Timestamp": str(int(timezone.now().timestamp()))}
        delivery.attempts += 1
        try:
            delivery.response_code, delivery.error = _post(delivery.subscription.url, body, headers), ""
        except (OSError, ValueError) as error:  # refused, timed out, unreachable, a bad address
            delivery.response_code, delivery.error = None, str(error)[:255]
        if delivery.response_code is not None and 200 <= delivery.response_code < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                Delivery.Status.DELIVERED, timezone.now(), None)
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
        delivery.save()
        if delivery.status == Delivery.Status.PENDING:
            at = delivery.next_attempt_at
            transaction.on_commit(lambda: schedule(delivery.pk, at))


@task()
def deliver_task(delivery_id: int) -> None:
    """One attempt of a webhook delivery (`manage.py db_worker`)."""
    deliver(delivery_id)


@transaction.atomic
def save_subscription(*, url: str, events: list[str], by, subscription: Subscription | None = None,
                      is_active: bool = True) -> Subscription:
    """Create (with a new secret) or change a subscription."""
    subscription = subscription or Subscription(created_by=by, secret=new_secret())
    subscription.url, subscription.events, subscription.is_active = url, sorted(set(events)), is_active
    subscription.full_clean()
    subscription.save()
    return subscription
