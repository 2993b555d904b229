"""An approved visit is locked (docs/conclusion-rule.md, "Amendments"): every path that can
change a visit — the team's phone actions, the review, cancelling, the notice to the unit,
the itinerary editor, the admin — refuses it; the one way to change it is an amendment with
a reason, which computes the conclusion again while an approved report keeps its figures."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation
from PIL import Image

from inspections import fieldwork, schedule
from inspections.models import ChecklistItem, Visit
from inspections.schedule import PlannedVisit
from reports import services as report_services
from reports.dashboard import criteria
from reports.models import ProvincialReport
from reports.provincial import changed_since
from tests.inspections.test_fieldwork import DAY, answer_all, at, build


def _approve(world, name, overrides=None):
    visit = fieldwork.start_visit(world[name], by=world["member"])
    answer_all(visit, world["member"], overrides)
    fieldwork.submit_visit(visit, by=world["member"], key=name)
    fieldwork.approve_visit(visit, by=world["leader"])
    return Visit.objects.get(pk=visit.pk)


@pytest.fixture
def world(db, coordinator):
    world = build(coordinator)
    world["approved"] = _approve(world, "market")
    return world


def record(visit) -> dict:
    """Everything an approved visit's record holds: its fields, answers, photos, corrections."""
    visit = Visit.objects.get(pk=visit.pk)
    return {"visit": model_to_dict(visit), "answers": sorted(visit.answers.values_list("item__code", "value", "note")),
            "photos": visit.evidence.count(), "corrections": visit.corrections.count(),
            "itinerary_people": sorted(visit.itinerary.people.values_list("pk", flat=True))}


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "anh.jpg"
    return buffer


def _item(code):
    return ChecklistItem.objects.get(code=code).pk


# (who acts, URL name, POST data): every form that changes a visit, aimed at the approved one.
ATTEMPTS = {
    "start": ("member", "inspections:visit_start", lambda world: {}),
    "answer": ("member", "inspections:answer_save", lambda world: {"value": "no", "note": "sửa"}),
    "statement and submit": ("member", "inspections:visit_submit", lambda world: {
        "shortcomings": "Sửa sau khi duyệt", "unit_statement": "x", "recommendations": "y", "key": "other"}),
    "figures": ("member", "inspections:figures_save", lambda world: {
        "staff_total": "10", "staff_with_app": "5", "qr_codes": "1", "scans_last_7_days": "3",
        "portal_accounts": "1", "taken_at": "07/12/2021 09:00"}),
    "correction": ("member", "inspections:correction_add", lambda world: {
        "description": "Khắc phục thêm", "deadline": "20/12/2021"}),
    "photo": ("member", "inspections:evidence_add", lambda world: {"photo": _photo(), "item": "", "note": ""}),
    "override": ("member", "inspections:conclusion_override", lambda world: {
        "conclusion_a": "chua_dat", "conclusion_b": "chua_dat", "conclusion_overall": "chua_dat", "reason": "x"}),
    "approve again": ("leader", "inspections:visit_review", lambda world: {"decision": "approve"}),
    "return": ("leader", "inspections:visit_review", lambda world: {"decision": "return", "comment": "Làm lại"}),
    "cancel": ("coordinator", "inspections:visit_detail", lambda world: {
        "cancel": "1", "reason": "Hủy sau khi duyệt", "confirm": "on"}),
    "notice": ("coordinator", "inspections:visit_detail", lambda world: {
        "notice": "1", "method": "phone", "contact": "Ông A", "at": "06/12/2021 16:00"}),
}


@pytest.mark.parametrize("attempt", list(ATTEMPTS))
def test_no_form_changes_an_approved_visit(client, world, attempt):
    who, name, data = ATTEMPTS[attempt]
    visit = world["approved"]
    before = record(visit)
    client.force_login(world[who])
    args = [visit.pk, _item("b4")] if name == "inspections:answer_save" else [visit.pk]

    with translation.override("vi"):
        response = client.post(reverse(name, args=args), data(world), follow=True)

    assert response.status_code in (200, 403, 404, 422)
    assert record(visit) == before


EXPECTED_REFUSAL = {
    "re-timed": "Lượt kiểm tra Chợ Nghèn đã diễn ra (Đã duyệt): không đổi được thời gian.",
    "taken off": "Lượt kiểm tra Chợ Nghèn đã diễn ra (Đã duyệt): vẫn giữ trong lịch trình.",
    "people changed": "Lịch trình có lượt kiểm tra đã duyệt: không đổi được thành phần Tổ ghi trong biên bản.",
}


@pytest.mark.parametrize("change", list(EXPECTED_REFUSAL))
def test_the_itinerary_editor_keeps_an_approved_visit_in_its_place(world, change):
    visit = world["approved"]
    before = record(visit)
    itinerary = visit.itinerary
    people = list(itinerary.people.all())
    others = [PlannedVisit(other.unit, other.starts_at, other.ends_at)
              for other in itinerary.visits.exclude(pk=visit.pk).select_related("unit")]
    visits = [*others, PlannedVisit(visit.unit, visit.starts_at, visit.ends_at)]
    if change == "re-timed":
        visits = [*others, PlannedVisit(visit.unit, at(8) + datetime.timedelta(minutes=15), at(9))]
    elif change == "taken off":
        visits = others
    else:
        people = people[:1]

    with translation.override("vi"):
        saved, check = schedule.save_itinerary(
            campaign=world["campaign"], date=DAY, departs_at=datetime.time(7), returns_at=datetime.time(12),
            vehicle=itinerary.vehicle, people=people, visits=visits, by=world["coordinator"], itinerary=itinerary,
            warnings_confirmed=True)

    assert (saved, check.errors) == (None, [EXPECTED_REFUSAL[change]])
    assert record(visit) == before


def test_the_itinerary_editor_still_moves_the_visits_that_have_not_taken_place(world):
    itinerary = world["approved"].itinerary
    committee = world["committee"]
    visits = [PlannedVisit(world["approved"].unit, world["approved"].starts_at, world["approved"].ends_at),
              PlannedVisit(committee.unit, at(10) + datetime.timedelta(minutes=30), at(11))]

    saved, check = schedule.save_itinerary(
        campaign=world["campaign"], date=DAY, departs_at=datetime.time(7), returns_at=datetime.time(12),
        vehicle=itinerary.vehicle, people=list(itinerary.people.all()), visits=visits, by=world["coordinator"],
        itinerary=itinerary, warnings_confirmed=True)

    assert check.errors == []
    assert Visit.objects.get(pk=committee.pk).starts_at == at(10) + datetime.timedelta(minutes=30)


def test_the_admin_shows_an_approved_visit_read_only(client, world, administrator):
    visit = world["approved"]
    before = record(visit)
    client.force_login(administrator)
    url = reverse("admin:inspections_visit_change", args=[visit.pk])

    page = client.get(url)
    fields = {name: value for name, value in model_to_dict(Visit.objects.get(pk=visit.pk)).items()
              if value is not None and not isinstance(value, dict)}
    client.post(url, {**fields, "status": "in_progress"})

    assert page.context["has_change_permission"] is False
    assert record(visit) == before
    in_progress = world["committee"]
    assert "status" in client.get(reverse("admin:inspections_visit_change", args=[in_progress.pk])).context[
        "adminform"].readonly_fields


def test_an_amendment_computes_the_conclusion_again_and_the_approved_report_keeps_its_figures(
        client, world, coordinator, leadership):
    visit = world["approved"]
    report = report_services.approve(
        report_services.create_report(world["campaign"], as_of=datetime.date(2021, 12, 31), by=coordinator),
        by=leadership)
    frozen = ProvincialReport.objects.get(pk=report.pk).snapshot
    assert visit.conclusion == {"a": "dat", "b": "dat", "overall": "dat"}

    client.force_login(world["leader"])
    with translation.override("vi"):
        client.post(reverse("inspections:answer_amend", args=[visit.pk]),
                    {"item": _item("b4"), "value": "no", "reason": "Ảnh chụp cho thấy chưa niêm yết mã QR"})

    amended = Visit.objects.get(pk=visit.pk)
    assert (amended.status, amended.conclusion) == ("approved", {"a": "dat", "b": "dat_mot_phan",
                                                                 "overall": "dat_mot_phan"})
    latest = amended.history.latest()
    assert (latest.conclusion, latest.history_change_reason) == (
        {"a": "dat", "b": "dat_mot_phan", "overall": "dat_mot_phan"}, "Ảnh chụp cho thấy chưa niêm yết mã QR")
    assert criteria(Visit.objects.filter(campaign=world["campaign"]))[3] == ("overall", 0, 1, 0)
    page = client.get(reverse("inspections:visit_detail", args=[visit.pk]))
    assert page.context["conclusion_amended"][5] == "Ảnh chụp cho thấy chưa niêm yết mã QR"
    # The history says it in words: the conclusion's labels, not its codes.
    assert page.context["conclusion_amended"][2:5] == (
        "kết luận", "a) Đạt; b) Đạt; Chung: Đạt", "a) Đạt; b) Đạt một phần; Chung: Đạt một phần")
    assert ("trạng thái", "Đã nộp", "Đã duyệt") in [row[2:5] for row in page.context["history"]]
    report = ProvincialReport.objects.get(pk=report.pk)
    assert report.snapshot == frozen
    assert changed_since(report, leadership) is True


def test_a_visit_submitted_for_review_cannot_be_cancelled(world, coordinator):
    visit = fieldwork.start_visit(world["committee"], by=world["member"])
    answer_all(visit, world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="c")

    with translation.override("vi"), pytest.raises(ValidationError) as error:
        schedule.cancel_visit(visit, reason="Hủy", by=coordinator)

    assert error.value.messages == ["Không thể hủy lượt kiểm tra lúc này (Đã nộp)."]
    assert Visit.objects.get(pk=visit.pk).status == "submitted"


@pytest.mark.parametrize(("typed", "stored"), [("Có", "yes"), ("không", "no"), ("Không áp dụng", "na"), ("yes", "yes")])
def test_an_amendment_takes_the_words_the_form_shows(world, typed, stored):
    visit = world["approved"]

    fieldwork.amend_answer(visit, item=ChecklistItem.objects.get(code="b4"), raw=typed, reason="Bổ sung",
                           by=world["leader"])

    assert visit.answers.get(item__code="b4").value == stored
