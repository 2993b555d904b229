"""What the forms accept (config/validation.py) and what an empty, partial or unconfirmed
POST may no longer do (issue 11): each behaviour once, by its page; tests/test_fuzz.py
posts the attacks to every URL."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from config.validation import ConfirmationInput, check_text, checked_text
from inspections import fieldwork
from inspections.models import ChecklistItem, Evidence, ScheduleNotice, Target, Visit
from reports import services as report_services
from tests.factories import make_user
from tests.inspections.test_fieldwork import answer_all, build

CONFIRM = {"confirm": ConfirmationInput.VALUE}


@pytest.fixture
def world(db, coordinator):
    return build(coordinator)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_control_characters_are_refused_in_vietnamese_tab_and_line_breaks_kept_in_long_text():
    with pytest.raises(ValidationError) as error:
        check_text("Ghi\x00chú")
    assert error.value.messages == [
        "Nội dung có ký tự điều khiển (như NUL) không lưu được; hãy xoá ký tự đó rồi thử lại."]
    check_text("Dòng 1\n\tDòng 2\r\n")
    with pytest.raises(ValidationError):
        check_text("Một\tdòng", multiline=False)
    with pytest.raises(ValidationError):
        checked_text({"reason": "x" * 5001}, "reason")
    assert checked_text({}, "reason") == ""


@pytest.mark.parametrize("raw", ["NaN", "inf", "-inf", "1e400", "9" * 30, "100000001"])
def test_a_number_answer_is_finite_and_bounded(world, raw):
    item = ChecklistItem.objects.get(code="b6")
    with pytest.raises(ValidationError):
        fieldwork.clean_value(item, raw)
    assert fieldwork.clean_value(item, "100000000") == 100_000_000


def test_a_nul_in_a_note_a_statement_or_a_comment_is_a_message_not_a_crash(client, world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    item = ChecklistItem.objects.get(code="b6")
    client.force_login(world["member"])
    response = client.post(reverse("inspections:answer_save", args=[visit.pk, item.pk]),
                           {"value": "12", "note": "a\x00b"}, HTTP_HX_REQUEST="true")
    assert (response.status_code, visit.answers.count()) == (422, 0)
    assert "ký tự điều khiển" in response.content.decode()
    response = client.post(reverse("inspections:visit_submit", args=[visit.pk]),
                           {"key": "k", "unit_statement": "\x00"}, follow=True)
    assert any("ký tự điều khiển" in text for text in messages_of(response))

    committee = fieldwork.start_visit(world["committee"], by=world["member"])
    answer_all(committee, world["member"])
    fieldwork.submit_visit(committee, by=world["member"], key="k")
    client.force_login(world["leader"])
    response = client.post(reverse("inspections:visit_review", args=[committee.pk]),
                           {"decision": "return", "comment": "Sửa\x00"}, follow=True)
    committee.refresh_from_db()
    assert committee.status == Visit.Status.SUBMITTED
    assert any("ký tự điều khiển" in text for text in messages_of(response))


def test_figures_are_bounded_and_an_incomplete_form_erases_nothing(client, world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    fieldwork.record_figures(visit, figures={"staff_total": 40}, taken_at=None, by=world["member"])
    client.force_login(world["member"])
    url = reverse("inspections:figures_save", args=[visit.pk])
    full = {"staff_total": "9" * 30, "staff_with_app": "", "qr_codes": "", "scans_last_7_days": "",
            "portal_accounts": "", "taken_at": ""}
    client.post(url, full)
    client.post(url, {})
    client.post(url, {"staff_total": ""})
    visit.refresh_from_db()
    assert visit.staff_total == 40
    client.post(url, {**full, "staff_total": "1000000"})
    visit.refresh_from_db()
    assert visit.staff_total == 1_000_000


def test_ids_that_are_not_numbers_are_not_found(client, world, coordinator):
    client.force_login(coordinator)
    visit = world["market"]
    assert client.post(reverse("inspections:answer_amend", args=[visit.pk]),
                       {"item": "abc", "value": "yes", "reason": "x"}).status_code == 404
    assert client.post(reverse("inspections:answer_amend", args=[visit.pk]),
                       {"item": "9" * 30, "value": "yes", "reason": "x"}).status_code == 404


def test_a_photo_whose_file_is_missing_says_so_with_a_404(client, world):
    photo = Evidence.objects.create(visit=world["market"], file="evidence/2021/12/gone.jpg", original_name="gone.jpg",
                                    width=1, height=1, sha256="0" * 64, uploaded_by=world["member"])
    client.force_login(world["member"])
    response = client.get(reverse("inspections:evidence_file", args=[photo.pk]))
    assert response.status_code == 404
    assert "tệp ảnh không còn trên máy chủ" in response.content.decode()


def test_sending_a_schedule_again_needs_its_confirmation(client, world, coordinator):
    itinerary = world["market"].itinerary
    notices = ScheduleNotice.objects.filter(itinerary=itinerary).count()
    client.force_login(coordinator)
    url = reverse("inspections:itinerary_send", args=[itinerary.pk])
    assert "Tôi xác nhận: gửi lại lịch" in client.get(
        reverse("inspections:itinerary_detail", args=[itinerary.pk])).content.decode()
    response = client.post(url, {"confirm": "on"}, follow=True)  # not the box's own value
    assert messages_of(response) == ["Hãy đánh dấu vào ô để xác nhận."]
    assert ScheduleNotice.objects.filter(itinerary=itinerary).count() == notices
    client.post(url, CONFIRM)
    assert ScheduleNotice.objects.filter(itinerary=itinerary).count() == 2 * notices


def test_cancelling_a_visit_needs_its_confirmation(client, world, coordinator):
    visit = world["market"]
    client.force_login(coordinator)
    url = reverse("inspections:visit_detail", args=[visit.pk])
    client.post(url, {"cancel": "1", "reason": "Đơn vị nghỉ lễ"})
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SCHEDULED
    client.post(url, {"cancel": "1", "reason": "Đơn vị nghỉ lễ", **CONFIRM})
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED


def test_the_report_keeps_the_texts_a_post_does_not_carry_and_is_approved_only_when_confirmed(
        client, world, coordinator):
    report = report_services.create_report(world["campaign"], as_of=datetime.date(2021, 12, 31), by=coordinator,
                                           strengths="Triển khai sớm", causes="Thiếu nhân lực")
    url = reverse("reports:report_detail", args=[report.pk])
    client.force_login(coordinator)
    client.post(url, {})
    client.post(url, {"causes": "Chưa bố trí người hướng dẫn"})
    report.refresh_from_db()
    assert (report.strengths, report.causes) == ("Triển khai sớm", "Chưa bố trí người hướng dẫn")

    client.force_login(make_user("leadership", Role.LEADERSHIP))
    assert "Tôi xác nhận: duyệt báo cáo" in client.get(url).content.decode()
    client.post(reverse("reports:report_approve", args=[report.pk]))
    report.refresh_from_db()
    assert report.is_draft
    client.post(reverse("reports:report_approve", args=[report.pk]), CONFIRM)
    report.refresh_from_db()
    assert not report.is_draft


def test_adding_targets_without_a_filter_needs_the_number_confirmed(client, world, coordinator):
    campaign = world["campaign"]
    Target.objects.filter(campaign=campaign).delete()
    client.force_login(coordinator)
    page = client.get(reverse("units:unit_list")).content.decode()
    assert 'name="confirm_count" value="2"' in page
    url = reverse("inspections:target_add", args=[campaign.pk])
    response = client.post(url, {}, follow=True)
    assert Target.objects.filter(campaign=campaign).count() == 0
    assert messages_of(response)[0].startswith("Chưa chọn bộ lọc nào")
    client.post(url, {"confirm_count": "3"})  # not the number shown
    assert Target.objects.filter(campaign=campaign).count() == 0
    client.post(url, {"confirm_count": "2"})
    assert Target.objects.filter(campaign=campaign).count() == 2
