"""Field work through the API: the same services as the pages, each write applied once
per Idempotency-Key, refusals answered with the service's Vietnamese message."""

import datetime
import io
import json

import pytest
from django.test import Client
from PIL import Image

from api.models import ApiIdempotency
from inspections import fieldwork, vocabulary
from inspections.models import Answer, ChecklistItem, Evidence, Visit
from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db


def post(client, path, body, key):
    return client.post(path, json.dumps(body), content_type="application/json", headers={"idempotency-key": key})


def answer_everything(visit, user):
    for item in vocabulary.applicable_items(visit):
        raw = {"yes_no": "yes", "percentage": "80", "number": "12", "photo": None}.get(item.kind, "ghi chú")
        if item.code == "b3":
            raw = "no"  # "yes" would need a photo of the posted QR code
        if raw is not None:
            fieldwork.save_answer(visit, item=item, raw=raw, by=user)


@pytest.fixture
def market(world):
    return fieldwork.start_visit(world["market"], by=world["member"])


def test_the_same_answer_sent_three_times_is_applied_once(world, market):
    client = api_client(world["member"])
    item = ChecklistItem.objects.get(code="b1")

    responses = [post(client, f"/api/visits/{market.pk}/answers", {"item_id": item.pk, "value": "no"}, "k-1")
                 for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].json() == responses[2].json()
    assert responses[0].json()["value_label"] == "Không"
    answer = Answer.objects.get(visit=market, item=item)
    assert (answer.value, answer.history.count()) == ("no", 1)


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(world, market):
    client = api_client(world["member"])
    item = ChecklistItem.objects.get(code="b1")
    post(client, f"/api/visits/{market.pk}/answers", {"item_id": item.pk, "value": "no"}, "k-1")

    response = post(client, f"/api/visits/{market.pk}/answers", {"item_id": item.pk, "value": "yes"}, "k-1")

    assert response.status_code == 422
    assert response.json() == {"detail": "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác."}
    assert Answer.objects.get(visit=market, item=item).value == "no"


def test_a_wrong_answer_is_refused_with_the_service_message(world, market):
    client = api_client(world["member"])
    a3 = ChecklistItem.objects.get(code="a3")

    response = post(client, f"/api/visits/{market.pk}/answers", {"item_id": a3.pk, "value": "120"}, "k-2")

    assert (response.status_code, response.json()) == (422, {"detail": "Nhập số từ 0 đến 100."})
    assert not Answer.objects.filter(visit=market).exists()


def test_a_submission_replayed_is_made_once(world, market):
    answer_everything(market, world["member"])
    client = api_client(world["member"])

    responses = [client.post(f"/api/visits/{market.pk}/submit", headers={"idempotency-key": "s-1"})
                 for _ in range(3)]

    assert [(r.status_code, r.json()["submitted"]) for r in responses] == [(200, True)] * 3
    market.refresh_from_db()
    assert (market.status, market.submission_key) == (Visit.Status.SUBMITTED, "s-1")
    assert market.history.filter(status=Visit.Status.SUBMITTED).count() == 1
    assert responses[0].json()["visit"]["status"] == {"code": "submitted", "label": "Đã nộp"}


def test_a_visit_approved_meanwhile_is_a_conflict_and_nothing_is_overwritten(world, market):
    answer_everything(market, world["member"])
    fieldwork.submit_visit(market, by=world["member"], key="page")
    fieldwork.approve_visit(market, by=world["leader"])
    client = api_client(world["member"])
    b1 = ChecklistItem.objects.get(code="b1")

    answer = post(client, f"/api/visits/{market.pk}/answers", {"item_id": b1.pk, "value": "no"}, "late-1")
    figures = post(client, f"/api/visits/{market.pk}/figures", {"staff_total": 3}, "late-2")
    statement = post(client, f"/api/visits/{market.pk}/statement", {"shortcomings": "Thiếu mã QR"}, "late-3")

    assert (answer.status_code, answer.json()) == (
        409, {"detail": "Không thể sửa lượt kiểm tra này lúc này (Đã duyệt)."})
    assert [figures.status_code, statement.status_code] == [409, 409]
    market.refresh_from_db()
    assert (Answer.objects.get(visit=market, item=b1).value, market.staff_total, market.shortcomings) == (
        "yes", None, "")


def test_figures_and_the_statement_are_saved_by_the_services(world, market):
    client = api_client(world["member"])

    figures = post(client, f"/api/visits/{market.pk}/figures", {"staff_total": 10, "staff_with_app": 12}, "f-1")
    saved = post(client, f"/api/visits/{market.pk}/figures", {"staff_total": 10, "staff_with_app": 8}, "f-2")
    statement = post(client, f"/api/visits/{market.pk}/statement", {"unit_statement": "Sẽ dán mã QR"}, "t-1")

    assert (figures.status_code, figures.json()) == (
        422, {"detail": "Số người đã cài PC-Covid lớn hơn tổng số cán bộ, nhân viên."})
    assert (saved.status_code, saved.json()["staff_with_app"]) == (200, 8)
    assert statement.json() == {"shortcomings": "", "unit_statement": "Sẽ dán mã QR", "recommendations": ""}


def test_a_photo_is_added_once_as_multipart(world, market):
    client = api_client(world["member"])
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1200), "white").save(buffer, "JPEG")

    def send():
        buffer.seek(0)
        photo = io.BytesIO(buffer.getvalue())
        photo.name = "qr.jpg"
        return client.post(f"/api/visits/{market.pk}/evidence", {"photo": photo, "note": "Mã QR"},
                           headers={"idempotency-key": "p-1"})

    first, again = send(), send()

    assert (first.status_code, again.status_code) == (201, 201)
    assert (first.json()["width"], first.json()["height"]) == (1600, 800)
    assert first.json() == again.json()
    assert Evidence.objects.filter(visit=market).count() == 1


def test_a_photo_takes_the_capture_moment_and_the_phone_s_place_when_sent(world, market):
    client = api_client(world["member"])
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(buffer, "JPEG")  # no EXIF: the phone's word counts
    buffer.seek(0)
    buffer.name = "loi-vao.jpg"

    response = client.post(f"/api/visits/{market.pk}/evidence", {
        "photo": buffer, "captured_at": "2021-12-07T08:40:00+07:00", "latitude": "18.3421",
        "longitude": "105.9057"}, headers={"idempotency-key": "p-2"})

    body = response.json()
    assert response.status_code == 201
    assert (datetime.datetime.fromisoformat(body["taken_at"]), body["taken_at_source"]) == (
        datetime.datetime(2021, 12, 7, 1, 40, tzinfo=datetime.UTC), {"code": "capture", "label": "lúc chụp"})
    assert (body["latitude"], body["longitude"], body["location_source"]) == (
        18.3421, 105.9057, {"code": "device", "label": "theo điện thoại"})


def test_a_location_off_the_globe_is_refused(world, market):
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), "white").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "x.jpg"

    response = api_client(world["member"]).post(f"/api/visits/{market.pk}/evidence", {
        "photo": buffer, "latitude": "91", "longitude": "105"}, headers={"idempotency-key": "p-3"})

    assert response.status_code == 422
    assert not Evidence.objects.exists()


def test_only_the_people_on_the_visit_write_and_others_do_not_learn_it_exists(world, market):
    item = ChecklistItem.objects.get(code="b1")
    body = {"item_id": item.pk, "value": "no"}

    assert post(api_client(world["outsider"]), f"/api/visits/{market.pk}/answers", body, "x").status_code == 404
    assert post(api_client(world["coordinator"]), f"/api/visits/{market.pk}/answers", body, "x").status_code == 403
    assert not ApiIdempotency.objects.exists()


def test_the_idempotency_key_is_required(world, market):
    item = ChecklistItem.objects.get(code="b1")
    response = api_client(world["member"]).post(
        f"/api/visits/{market.pk}/answers", {"item_id": item.pk, "value": "no"}, content_type="application/json")

    assert response.status_code == 422
    assert not Answer.objects.exists()


def test_the_session_writes_with_the_csrf_token_as_the_pages_do(world, market):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["member"])
    item = ChecklistItem.objects.get(code="b1")
    body = json.dumps({"item_id": item.pk, "value": "no"})
    path = f"/api/visits/{market.pk}/answers"

    refused = client.post(path, body, content_type="application/json", headers={"idempotency-key": "c-1"})
    client.get("/")  # the pages set the CSRF cookie
    token = client.cookies["csrftoken"].value
    saved = client.post(path, body, content_type="application/json",
                        headers={"idempotency-key": "c-1", "x-csrftoken": token})

    assert (refused.status_code, saved.status_code) == (403, 200)


@pytest.mark.parametrize("body", [
    {"portal_accounts": 100_000_000},  # beyond the page's bound (config/validation.py)
    {"taken_at": "0183-06-26T03:07:33+22:44"},  # an offset PostgreSQL refuses, a year of no campaign
])
def test_figures_out_of_bounds_are_refused_as_the_page_refuses_them(world, market, body):
    client = api_client(world["member"])

    response = post(client, f"/api/visits/{market.pk}/figures", body, "f-bad")

    assert response.status_code == 422
    assert Visit.objects.get(pk=market.pk).figures_taken_at is None


def test_the_moment_of_the_figures_is_kept_in_any_offset(world, market):
    client = api_client(world["member"])

    response = post(client, f"/api/visits/{market.pk}/figures", {"staff_total": 3,
                                                                 "taken_at": "2021-12-07T09:30:00+07:00"}, "f-t")

    assert response.status_code == 200
    assert Visit.objects.get(pk=market.pk).figures_taken_at.isoformat() == "2021-12-07T02:30:00+00:00"
