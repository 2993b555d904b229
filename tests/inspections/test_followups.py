"""The follow-up ladder: corrections of a visit not fully compliant become follow-ups
when it is approved; dated steps, who acted, a re-inspection in the schedule; the
outcome; the overdue list."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections import fieldwork, followups
from inspections.models import FollowUp, FollowUpStep, Visit
from tests.conftest import require_tool
from tests.inspections.test_fieldwork import answer_all, build


@pytest.fixture
def world(db, coordinator):
    return build(coordinator)


def approved(world, overrides, corrections=(("Bố trí người hướng dẫn quét mã QR", datetime.date(2021, 12, 15)),)):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"], overrides)
    for description, deadline in corrections:
        fieldwork.require_correction(visit, description=description, deadline=deadline, by=world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="k")
    fieldwork.approve_visit(visit, by=world["leader"])
    return Visit.objects.get(pk=visit.pk)


def test_corrections_of_a_partly_compliant_visit_become_follow_ups_on_approval(world):
    visit = approved(world, {"b4": "no"})

    follow_up = FollowUp.objects.get()
    assert (follow_up.unit, follow_up.deadline, follow_up.outcome) == (
        visit.unit, datetime.date(2021, 12, 15), "open")
    assert followups.open_follow_ups(visit) == []  # idempotent


def test_a_compliant_visit_opens_no_follow_up(world):
    approved(world, {})

    assert FollowUp.objects.count() == 0


def test_the_ladder_reminder_new_deadline_reinspection_proposal_and_outcome(world, coordinator):
    approved(world, {"b4": "no"})
    follow_up = FollowUp.objects.get()

    followups.record_step(follow_up, kind="reminder", date=datetime.date(2021, 12, 16), by=coordinator,
                          evidence="Công văn nhắc nhở số …/STTTT-TTr")
    with pytest.raises(ValidationError):
        followups.record_step(follow_up, kind="correction_due", date=datetime.date(2021, 12, 16), by=coordinator)
    followups.record_step(follow_up, kind="correction_due", date=datetime.date(2021, 12, 16), by=coordinator,
                          new_deadline=datetime.date(2021, 12, 24))
    step = followups.record_step(follow_up, kind="reinspection", date=datetime.date(2021, 12, 27), by=coordinator)
    with pytest.raises(ValidationError):
        followups.record_step(follow_up, kind="proposal", date=datetime.date(2021, 12, 28), by=coordinator)
    followups.record_step(follow_up, kind="proposal", date=datetime.date(2021, 12, 28), by=coordinator,
                          competent_body="UBND Huyện Can Lộc")
    followups.close_follow_up(follow_up, outcome="not_fixed", by=coordinator)

    follow_up.refresh_from_db()
    assert (follow_up.deadline, follow_up.outcome, follow_up.closed_by) == (
        datetime.date(2021, 12, 24), "not_fixed", coordinator)
    assert list(follow_up.steps.values_list("kind", flat=True)) == [
        "reminder", "correction_due", "reinspection", "proposal"]
    assert (step.visit.unit, step.visit.status, step.visit.starts_at.date()) == (
        follow_up.unit, "planned", datetime.date(2021, 12, 27))
    with pytest.raises(ValidationError):
        followups.record_step(follow_up, kind="reminder", date=datetime.date(2021, 12, 30), by=coordinator)


def test_the_overdue_list(client, world, coordinator):
    approved(world, {"b4": "no"}, corrections=[("Sửa lỗi A", datetime.date(2021, 12, 15)),
                                               ("Sửa lỗi B", datetime.date(2099, 1, 1))])
    client.force_login(coordinator)

    overdue = client.get(reverse("inspections:follow_up_list"), {"show": "overdue"})

    assert [f.correction.description for f in overdue.context["page"]] == ["Sửa lỗi A"]
    assert overdue.context["overdue_count"] == 1
    # the badge follows the same rule on the list of open ones and on each follow-up's page
    listed = {f.correction.description: f.is_late for f in client.get(
        reverse("inspections:follow_up_list")).context["page"]}
    assert listed == {"Sửa lỗi A": True, "Sửa lỗi B": False}
    for follow_up in FollowUp.objects.all():
        page = client.get(reverse("inspections:follow_up_detail", args=[follow_up.pk]))
        assert page.context["is_late"] is (follow_up.correction.description == "Sửa lỗi A")


def test_steps_are_recorded_from_the_page_by_the_inspectorate_only(client, world, coordinator, leadership):
    approved(world, {"b4": "no"})
    follow_up = FollowUp.objects.get()
    url = reverse("inspections:follow_up_detail", args=[follow_up.pk])

    client.force_login(leadership)
    assert client.get(url).status_code == 200
    assert client.post(url, {"kind": "reminder", "date": "16/12/2021"}).status_code == 403
    client.force_login(world["member"])
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    client.post(url, {"kind": "reminder", "date": "16/12/2021", "evidence": "CV 12/STTTT"})
    assert list(FollowUpStep.objects.values_list("kind", "evidence")) == [("reminder", "CV 12/STTTT")]
    client.post(url, {"outcome": "fixed"})
    assert FollowUp.objects.get().outcome == "fixed"


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_runs_a_fixed_number_of_queries(client, world, coordinator, count, django_assert_num_queries):
    approved(world, {"b4": "no"}, corrections=[(f"Lỗi {n}", datetime.date(2021, 12, 15)) for n in range(count)])
    client.force_login(coordinator)

    # session, user with their groups, count, the page, the overdue count
    with django_assert_num_queries(5):
        response = client.get(reverse("inspections:follow_up_list"))
    assert len(response.context["page"]) == count


def test_the_reminder_letter_as_pdf_and_word(client, world, coordinator):
    import io
    import subprocess

    import docx

    approved(world, {"b4": "no"})
    follow_up = FollowUp.objects.get()
    client.force_login(coordinator)

    pdf = client.get(reverse("reports:follow_up_reminder", args=[follow_up.pk, "pdf"])).content
    require_tool("pdftotext", "poppler-utils")
    text = " ".join(subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                                   check=True).stdout.decode().split())
    for expected in ("UBND TỈNH HÀ TĨNH", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "/STTTT-TTr", "Kính gửi: Chợ Nghèn", "Bố trí người hướng dẫn quét mã QR",
                     "ngày 15 tháng 12 năm 2021", "KT. GIÁM ĐỐC"):
        assert expected in text

    word = client.get(reverse("reports:follow_up_reminder", args=[follow_up.pk, "docx"]))
    document = docx.Document(io.BytesIO(word.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    # Each column's lines, then the empty paragraph that draws the rule under the last one.
    assert cells[0] == "UBND TỈNH HÀ TĨNH\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG\n"
    assert cells[1] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    assert cells[3].startswith("Hà Tĩnh, ngày ")
    assert "Kính gửi: Chợ Nghèn" in [p.text for p in document.paragraphs]
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert client.get(reverse("reports:follow_up_reminder", args=[follow_up.pk, "txt"])).status_code == 404
    client.force_login(world["member"])
    assert client.get(reverse("reports:follow_up_reminder", args=[follow_up.pk, "pdf"])).status_code == 404


def test_a_units_page_lists_its_follow_ups_for_the_dic_only(client, world, coordinator):
    visit = approved(world, {"b4": "no"})
    url = reverse("units:unit_detail", args=[visit.unit.pk])
    client.force_login(coordinator)

    response = client.get(url)

    assert [f.correction.description for f in response.context["follow_ups"]] == [
        "Bố trí người hướng dẫn quét mã QR"]
    client.force_login(world["member"])  # on the visit: sees the unit, not the DIC's follow-up
    response = client.get(url)
    assert (response.status_code, list(response.context["follow_ups"])) == (200, [])
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404
