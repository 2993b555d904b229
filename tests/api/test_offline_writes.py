"""What the phone's outbox relies on (docs/offline.md): a visit started and corrections
recorded through the API, once per key; and a change made offline over a world that
moved on is a conflict with what the server holds, never a silent overwrite."""

import datetime
import json

import pytest
from django.utils import timezone

from inspections import fieldwork, vocabulary
from inspections.models import Answer, ChecklistItem, Correction, Visit
from tests.api.conftest import api_client, at

pytestmark = pytest.mark.django_db


def post(client, path, body, key, **headers):
    return client.post(path, json.dumps(body), content_type="application/json",
                       headers={"idempotency-key": key, **headers})


def test_a_start_sent_three_times_starts_the_visit_once_at_the_phones_moment(world):
    visit = world["market"]
    client = api_client(world["member"])
    moment = at(visit.starts_at.date(), 8) + datetime.timedelta(minutes=7)

    responses = [post(client, f"/api/visits/{visit.pk}/start",
                      {"latitude": 18.34, "longitude": 105.9, "accuracy": 12, "started_at": moment.isoformat()},
                      "start-1") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].json()["status"]["code"] == "in_progress"
    visit.refresh_from_db()
    assert (visit.status, visit.started_at, float(visit.start_latitude)) == (Visit.Status.IN_PROGRESS, moment, 18.34)
    assert visit.history.filter(status=Visit.Status.IN_PROGRESS).count() == 1


@pytest.mark.parametrize("moment", ["2030-01-01T08:00:00+07:00", "2021-11-30T08:00:00+07:00"])
def test_a_start_moment_in_the_future_or_off_the_visits_day_is_not_kept(world, moment):
    visit = world["market"]
    before = timezone.now()

    response = post(api_client(world["member"]), f"/api/visits/{visit.pk}/start", {"started_at": moment}, "s")

    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.started_at >= before  # the server's own time


def test_a_correction_replayed_is_recorded_once_and_a_bad_deadline_says_which_field(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    client = api_client(world["member"])
    body = {"description": "Niêm yết mã QR tại cổng chợ", "deadline": "2021-12-20"}

    responses = [post(client, f"/api/visits/{visit.pk}/corrections", body, "c-1") for _ in range(3)]
    early = post(client, f"/api/visits/{visit.pk}/corrections", {**body, "deadline": "2021-12-01"}, "c-2")
    malformed = post(client, f"/api/visits/{visit.pk}/corrections", {**body, "deadline": "20/12/2021"}, "c-3")

    assert [r.status_code for r in responses] == [201, 201, 201]
    assert Correction.objects.filter(visit=visit).count() == 1
    assert (early.status_code, early.json()["detail"]) == (422, "Thời hạn khắc phục không được trước ngày kiểm tra.")
    assert malformed.status_code == 422
    assert any(problem["loc"][-1] == "deadline" for problem in malformed.json()["detail"])


def test_a_visit_returned_while_the_phone_was_offline_is_a_conflict_with_the_leaders_comment(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    for item in vocabulary.applicable_items(visit):
        if item.kind == "yes_no":
            fieldwork.save_answer(visit, item=item, raw="yes" if item.code != "b3" else "no", by=world["member"])
        elif item.kind in ("number", "percentage"):
            fieldwork.save_answer(visit, item=item, raw="80", by=world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="first")
    fieldwork.return_visit(visit, by=world["leader"], comment="Bổ sung ảnh mã QR")
    b1 = ChecklistItem.objects.get(code="b1")

    response = post(api_client(world["member"]), f"/api/visits/{visit.pk}/answers",
                    {"item_id": b1.pk, "value": "no"}, "offline-1", **{"x-visit-status": "in_progress"})

    assert response.status_code == 409
    assert response.json()["conflict"]["status"] == {
        "code": "returned", "label": "Trả lại", "comment": "Bổ sung ảnh mã QR", "fillable": True}
    assert Answer.objects.get(visit=visit, item=b1).value == "yes"


def test_an_answer_another_member_changed_is_a_conflict_until_the_phone_builds_on_it(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    b1 = ChecklistItem.objects.get(code="b1")
    seen = fieldwork.save_answer(visit, item=b1, raw="yes", by=world["member"])
    fieldwork.save_answer(visit, item=b1, raw="na", by=world["leader"])  # meanwhile, on another phone
    client = api_client(world["member"])

    stale = post(client, f"/api/visits/{visit.pk}/answers",
                 {"item_id": b1.pk, "value": "no", "base": seen.saved_at.isoformat()}, "a-1")
    stored = stale.json()["conflict"]["answer"]
    mine = post(client, f"/api/visits/{visit.pk}/answers",
                {"item_id": b1.pk, "value": "no", "base": stored["saved_at"]}, "a-2")

    assert stale.status_code == 409 and stored["value"] == "na" and "Leader1" in stale.json()["detail"]
    assert mine.status_code == 200
    assert Answer.objects.get(visit=visit, item=b1).value == "no"


def test_an_answer_the_phone_never_saw_anyone_give_is_a_conflict_too(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    b1 = ChecklistItem.objects.get(code="b1")
    fieldwork.save_answer(visit, item=b1, raw="yes", by=world["leader"])

    response = post(api_client(world["member"]), f"/api/visits/{visit.pk}/answers",
                    {"item_id": b1.pk, "value": "no", "base": None}, "a-3")
    same = post(api_client(world["member"]), f"/api/visits/{visit.pk}/answers",
                {"item_id": b1.pk, "value": "yes", "base": None}, "a-4")

    assert response.status_code == 409
    assert same.status_code == 200  # the same answer as the server's: nothing to choose
