"""Webhooks (issue #15.5): a local receiver gets one signed event for one approval, also
when it failed the first delivery; the back-off; the administrator's pages."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse

from inspections import fieldwork
from inspections.models import Correction, FollowUp
from reports import services as report_services
from tests.factories import make_unit, make_visit
from tests.inspections.test_fieldwork import answer_all, build
from units.services import load_divisions
from webhooks import services
from webhooks.models import Delivery, Event, Subscription


class Receiver:
    """A provincial system's endpoint on 127.0.0.1: answers `answers` in turn (then 200),
    keeps every request and the events it accepted, after checking their signature."""

    def __init__(self, secret: str, answers=()):
        self.secret, self.answers, self.requests, self.accepted = secret, list(answers), [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                expected = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                status = receiver.answers.pop(0) if receiver.answers else 200
                if status == 200 and hmac.compare_digest(expected, self.headers["X-Signature-256"]):
                    event_id = self.headers["X-Webhook-Id"]
                    if event_id not in [json.loads(b)["id"] for b in receiver.accepted]:
                        receiver.accepted.append(body)
                elif status == 200:
                    status = 401
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/su-kien"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def submitted(db, coordinator):
    world = build(coordinator)
    visit = fieldwork.start_visit(world["committee"], by=world["member"])
    answer_all(visit, world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="k1")
    return world, visit


def subscribe(url, events=(Event.VISIT_APPROVED,), by=None):
    return services.save_subscription(url=url, events=list(events), by=by)


@pytest.mark.parametrize("first_answers", [[], [500]], ids=["first time", "after a failed first delivery"])
def test_one_approval_reaches_the_receiver_once_signed(submitted, coordinator, django_capture_on_commit_callbacks,
                                                        first_answers):
    world, visit = submitted
    secret = "bí-mật-của-tỉnh"
    with Receiver(secret, first_answers) as receiver:
        subscription = subscribe(receiver.url, by=coordinator)
        Subscription.objects.filter(pk=subscription.pk).update(secret=secret)
        with django_capture_on_commit_callbacks(execute=True):
            fieldwork.approve_visit(visit, by=world["leader"])
        with django_capture_on_commit_callbacks(execute=True):  # the same event raised again: no second delivery
            services.emit(Event.VISIT_APPROVED, key=f"visit:{visit.pk}", data={})

    assert len(receiver.requests) == 1 + len(first_answers)
    assert len(receiver.accepted) == 1
    event = json.loads(receiver.accepted[0])
    assert (event["event"], event["data"]["visit"], event["data"]["unit_name"]) == (
        "visit.approved", visit.pk, "UBND Huyện Can Lộc")
    headers = receiver.requests[-1][0]
    assert (headers["X-Webhook-Event"], headers["X-Webhook-Id"]) == ("visit.approved", event["id"])
    assert int(headers["X-Webhook-Timestamp"]) > 0
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        Delivery.Status.DELIVERED, 1 + len(first_answers), 200)


def test_nothing_is_sent_for_an_approval_rolled_back(submitted, coordinator, django_capture_on_commit_callbacks):
    world, visit = submitted
    with Receiver("s") as receiver:
        subscribe(receiver.url, by=coordinator)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            fieldwork.approve_visit(visit, by=world["leader"])
    assert receiver.requests == []
    assert len(callbacks) >= 1  # queued for the commit only


def test_a_receiver_that_keeps_failing_is_tried_with_back_off_then_given_up(coordinator, settings, db):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    subscription = subscribe("http://127.0.0.1:9/", by=coordinator)  # nothing listens on port 9
    delivery = Delivery.objects.create(subscription=subscription, event=Event.VISIT_APPROVED, payload={"id": "x"})

    services.deliver(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (Delivery.Status.PENDING, 1, None)
    assert delivery.error
    assert [services.retry_delay(n).total_seconds() for n in range(1, 6)] == [60, 120, 240, 480, 960]
    Delivery.objects.filter(pk=delivery.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    services.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        Delivery.Status.FAILED, services.MAX_ATTEMPTS, None)
    services.deliver(delivery.pk)  # a task run again after it gave up sends nothing
    delivery.refresh_from_db()
    assert delivery.attempts == services.MAX_ATTEMPTS


def test_report_approved_and_follow_up_overdue_are_raised(coordinator, leadership, campaign, db):
    load_divisions()
    subscription = subscribe("http://127.0.0.1:9/", events=[Event.REPORT_APPROVED, Event.FOLLOW_UP_OVERDUE],
                             by=coordinator)
    report_services.approve(report_services.create_report(campaign, as_of=datetime.date(2021, 12, 31),
                                                          by=coordinator), by=leadership)
    visit = make_visit(campaign, make_unit(), day=datetime.date(2021, 12, 3), conclusion={})
    correction = Correction.objects.create(visit=visit, description="Niêm yết mã QR",
                                           deadline=datetime.date(2021, 12, 10), added_by=coordinator)
    FollowUp.objects.create(correction=correction, unit=visit.unit, deadline=correction.deadline)

    call_command("send_overdue_webhooks")
    call_command("send_overdue_webhooks")  # daily: the same overdue follow-up is told once

    assert sorted(Delivery.objects.filter(subscription=subscription).values_list("event", flat=True)) == [
        "follow_up.overdue", "report.approved"]


def test_the_pages_are_the_administrators(client, administrator, coordinator, db):
    subscription = subscribe("https://tinh.example/su-kien", by=administrator)
    client.force_login(coordinator)
    assert client.get(reverse("webhooks:subscription_list")).status_code == 403
    assert client.get(reverse("webhooks:delivery_log")).status_code == 403
    assert client.get(reverse("webhooks:subscription_detail", args=[subscription.pk])).status_code == 404

    client.force_login(administrator)
    response = client.post(reverse("webhooks:subscription_list"),
                           {"url": "https://so-y-te.example/hook", "events": ["visit.approved"], "is_active": "on"})
    created = Subscription.objects.get(url="https://so-y-te.example/hook")
    assert response.url == reverse("webhooks:subscription_detail", args=[created.pk])
    assert (created.events, len(created.secret) >= 40) == (["visit.approved"], True)
    bad = client.post(reverse("webhooks:subscription_list"), {"url": "không phải địa chỉ", "events": []})
    assert bad.status_code == 200 and Subscription.objects.count() == 2


@pytest.mark.parametrize("count", [1, 3])
def test_the_delivery_log_runs_a_fixed_number_of_queries(client, administrator, django_assert_num_queries, count,
                                                          db):
    subscription = subscribe("https://tinh.example/su-kien", by=administrator)
    for number in range(count):
        Delivery.objects.create(subscription=subscription, event=Event.VISIT_APPROVED, payload={"n": number},
                                attempts=1, response_code=500)
    client.force_login(administrator)

    # session, user with their groups, the page's count, the deliveries with their subscription
    with django_assert_num_queries(4):
        response = client.get(reverse("webhooks:delivery_log"))
    assert [d.response_code for d in response.context["page"]] == [500] * count
