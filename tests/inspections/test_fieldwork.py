"""Field work: the checklist that applies, answers saved one by one, the computed
conclusion, one submission however often it is sent, the team leader's review."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from inspections import fieldwork, schedule, vocabulary
from inspections.checklist_2021 import seed_checklist_2021
from inspections.models import ChecklistItem, Organization, TeamMembership, Vehicle, Visit
from inspections.schedule import PlannedVisit
from tests.factories import make_campaign, make_organization, make_team, make_unit, make_user
from units.services import load_divisions

DAY = datetime.date(2021, 12, 7)


def at(hour):
    return datetime.datetime.combine(DAY, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def build(coordinator=None):
    """A sent itinerary with a market and a district People's Committee."""
    load_divisions()
    checklist = seed_checklist_2021()
    campaign = make_campaign(checklist=checklist)
    coordinator = coordinator or make_user("coordinator", Role.COORDINATOR)
    health = make_organization("Sở Y tế", kind=Organization.Kind.HEALTH)
    leader = make_user("leader1", Role.TEAM_LEADER, Role.INSPECTOR)
    member = make_user("member1", Role.INSPECTOR)
    outsider = make_user("member2", Role.INSPECTOR)
    make_team(campaign, "Tổ 1", [(leader, TeamMembership.Position.LEADER, health),
                                 (member, TeamMembership.Position.MEMBER, health)])
    make_team(campaign, "Tổ 2", [(outsider, TeamMembership.Position.MEMBER, health)])
    market = make_unit("Chợ Nghèn", commune=18406, category="cho")
    committee = make_unit("UBND Huyện Can Lộc", commune=18406, category="ubnd_huyen")
    itinerary, check = schedule.save_itinerary(
        campaign=campaign, date=DAY, departs_at=datetime.time(7), returns_at=datetime.time(12),
        vehicle=Vehicle.objects.create(plate="38A-1", seats=4, driver_name="Lái xe"),
        people=TeamMembership.objects.filter(team__name="Tổ 1"),
        visits=[PlannedVisit(market, at(8), at(9)), PlannedVisit(committee, at(10), at(11))], by=coordinator,
        warnings_confirmed=True)
    schedule.send_schedule(itinerary, by=coordinator)
    visits = {v.unit.name: v for v in itinerary.visits.select_related("unit")}
    return {"campaign": campaign, "leader": leader, "member": member, "outsider": outsider,
            "coordinator": coordinator, "market": visits["Chợ Nghèn"], "committee": visits["UBND Huyện Can Lộc"]}


@pytest.fixture
def world(db, coordinator):
    return build(coordinator)


def answer_all(visit, user, overrides=None):
    overrides = overrides or {}
    for item in vocabulary.applicable_items(visit):
        raw = overrides.get(item.code, {"yes_no": "yes", "percentage": "80", "number": "12"}.get(item.kind, "ghi chú"))
        if item.code == "b3":
            raw = overrides.get("b3", "no")
        if raw is not None and item.kind != ChecklistItem.Kind.PHOTO:
            fieldwork.save_answer(visit, item=item, raw=raw, by=user)


def codes(visit):
    return [item.code for item in vocabulary.applicable_items(visit)]


def test_the_items_that_apply_depend_on_the_kind_of_unit(world):
    assert codes(world["market"]) == ["a2", "a3", "b1", "b2", "b3", "b4", "b5", "b6"]
    assert codes(world["committee"]) == ["a1", "a2", "a3", "b1", "b2", "b3", "b4", "b5", "b6", "c1", "c2", "c3", "c4"]


def test_starting_keeps_the_checklist_version_and_the_location_given(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"], latitude="18.39", longitude="105.9",
                                  accuracy=25)

    assert (visit.status, visit.checklist, visit.start_accuracy_m) == ("in_progress", world["campaign"].checklist, 25)
    assert visit.started_at is not None


def test_answers_are_checked_by_kind_in_vietnamese(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    a3 = ChecklistItem.objects.get(code="a3")

    with translation.override("vi"), pytest.raises(ValidationError) as error:
        fieldwork.save_answer(visit, item=a3, raw="120", by=world["member"])
    assert error.value.messages == ["Nhập số từ 0 đến 100."]
    assert fieldwork.save_answer(visit, item=a3, raw="72,5", by=world["member"]).value == 72.5
    with pytest.raises(ValidationError):
        fieldwork.save_answer(visit, item=ChecklistItem.objects.get(code="c1"), raw="yes", by=world["member"])


@pytest.mark.parametrize(("overrides", "expected"), [
    ({}, {"a": "dat", "b": "dat", "overall": "dat"}),
    ({"b2": "no"}, {"a": "dat", "b": "dat_mot_phan", "overall": "dat_mot_phan"}),
    ({"b1": "no", "b2": "no", "b3": "yes", "b4": "no"}, {"a": "dat", "b": "chua_dat", "overall": "dat_mot_phan"}),
    ({"a2": "no", "a3": "30", "b1": "no", "b2": "no"}, {"a": "chua_dat", "b": "chua_dat", "overall": "chua_dat"}),
    ({"a2": "na", "a3": "na" and "80"}, {"a": "dat", "b": "dat", "overall": "dat"}),
])
def test_the_conclusion_follows_the_written_rule(world, overrides, expected):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"], overrides)

    assert fieldwork.compute_conclusion(visit) == expected


def test_a_visit_is_submitted_once_whatever_the_number_of_taps(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"])

    assert fieldwork.submit_visit(visit, by=world["member"], key="k1") is True
    assert fieldwork.submit_visit(visit, by=world["member"], key="k1") is False
    visit.refresh_from_db()
    assert (visit.status, visit.conclusion["overall"]) == ("submitted", "dat")
    assert visit.history.filter(status="submitted").count() == 1


def test_required_questions_must_be_answered_before_submitting(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])

    with translation.override("en"), pytest.raises(ValidationError) as error:
        fieldwork.submit_visit(visit, by=world["member"], key="k1")
    assert error.value.messages == ["Answer the required questions first: a2, a3, b1, b2, b3, b4."]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_submits_on_two_connections_make_one_submission():
    world = build()
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"])
    barrier, results, errors = threading.Barrier(2), [], []

    def submit():
        try:
            barrier.wait()
            results.append(fieldwork.submit_visit(Visit.objects.get(pk=visit.pk), by=world["member"], key="same"))
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connection.close()  # each thread had its own real database connection

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sorted(results) == [False, True]
    assert Visit.history.filter(id=visit.pk, status="submitted").count() == 1


def test_the_leader_returns_with_a_comment_or_approves_and_the_visit_locks(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="k1")

    with pytest.raises(ValidationError):
        fieldwork.return_visit(visit, by=world["leader"], comment="  ")
    fieldwork.return_visit(visit, by=world["leader"], comment="Bổ sung ảnh vị trí niêm yết mã QR")
    visit.refresh_from_db()
    assert (visit.status, visit.review_comment) == ("returned", "Bổ sung ảnh vị trí niêm yết mã QR")

    b4 = ChecklistItem.objects.get(code="b4")
    fieldwork.save_answer(visit, item=b4, raw="no", by=world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="k2")
    fieldwork.approve_visit(visit, by=world["leader"])

    with pytest.raises(ValidationError):
        fieldwork.save_answer(visit, item=b4, raw="yes", by=world["member"])
    with pytest.raises(ValidationError):
        fieldwork.amend_answer(visit, item=b4, raw="yes", reason="", by=world["leader"])
    answer = fieldwork.amend_answer(visit, item=b4, raw="yes", reason="Đơn vị bổ sung người hướng dẫn",
                                    by=world["leader"])
    record = answer.history.first()
    assert (record.value, record.history_change_reason, answer.history.all()[1].value) == (
        "yes", "Đơn vị bổ sung người hướng dẫn", "no")


def test_an_inspector_not_on_the_visit_gets_404_on_every_visit_url(client, world):
    visit = world["market"]
    item = ChecklistItem.objects.get(code="b1")
    client.force_login(world["outsider"])

    assert client.get(reverse("inspections:visit_detail", args=[visit.pk])).status_code == 404
    assert client.post(reverse("inspections:visit_start", args=[visit.pk])).status_code == 404
    answer_url = reverse("inspections:answer_save", args=[visit.pk, item.pk])
    assert client.post(answer_url, {"value": "yes"}).status_code == 404
    assert client.post(reverse("inspections:visit_submit", args=[visit.pk]), {"key": "x"}).status_code == 404
    assert client.post(reverse("inspections:visit_review", args=[visit.pk]), {"decision": "approve"}).status_code == 404


def test_the_coordinator_sees_the_visit_but_does_not_fill_it(client, world):
    client.force_login(world["coordinator"])

    assert client.post(reverse("inspections:visit_start", args=[world["market"].pk])).status_code == 403


def test_on_the_phone_each_answer_saves_as_it_changes_and_submit_twice_is_one(client, world):
    visit = world["market"]
    client.force_login(world["member"])
    client.post(reverse("inspections:visit_start", args=[visit.pk]))
    b1 = ChecklistItem.objects.get(code="b1")

    response = client.post(reverse("inspections:answer_save", args=[visit.pk, b1.pk]), {"value": "yes", "note": ""},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Đã lưu" in response.content.decode()
    bad = client.post(reverse("inspections:answer_save", args=[visit.pk, ChecklistItem.objects.get(code="a3").pk]),
                      {"value": "abc"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert "không phải là số" in bad.content.decode()
    assert 'value="abc"' in bad.content.decode()  # what was typed is kept

    answer_all(Visit.objects.get(pk=visit.pk), world["member"])
    for _tap in range(2):
        client.post(reverse("inspections:visit_submit", args=[visit.pk]), {"key": "tap", "unit_statement": "Nhất trí"})
    visit.refresh_from_db()
    assert (visit.status, visit.unit_statement) == ("submitted", "Nhất trí")
    assert visit.history.filter(status="submitted").count() == 1


def test_a_published_checklist_is_read_only_and_a_new_version_copies_it(client, world, administrator):
    from inspections.checklists import new_checklist_version
    from inspections.models import ChecklistTemplate

    published = world["campaign"].checklist
    client.force_login(administrator)
    item = ChecklistItem.objects.get(section__template=published, code="b2")
    response = client.post(reverse("admin:inspections_checklistitem_change", args=[item.pk]), {"text": "Sửa đổi"})
    item.refresh_from_db()
    assert response.status_code == 403
    assert item.text.startswith("Mã QR địa điểm được niêm yết")

    copy = new_checklist_version(published)

    assert (copy.version, copy.is_published, copy.based_on) == (2, False, published)
    assert [i.code for i in ChecklistItem.objects.filter(section__template=copy)] == [
        i.code for i in ChecklistItem.objects.filter(section__template=published)]
    assert set(ChecklistItem.objects.get(section__template=copy, code="c1").categories.values_list(
        "code", flat=True)) == {"so_ban_nganh", "co_quan_trung_uong", "ubnd_huyen", "ubnd_xa"}
    assert ChecklistTemplate.objects.count() == 2


def test_the_visit_page_shows_the_team_its_checklist_and_the_leader_the_review(client, world):
    visit = world["market"]
    client.force_login(world["member"])
    client.post(reverse("inspections:visit_start", args=[visit.pk]))

    response = client.get(reverse("inspections:visit_detail", args=[visit.pk]))

    html = response.content.decode()
    assert [item.code for _section, entries in response.context["sections"] for item, _answer in entries] == codes(
        visit)
    assert (response.context["can_fill"], response.context["can_review"]) == (True, False)
    assert html.count('src="/static/js/visit.js"') == 1
    answer_all(Visit.objects.get(pk=visit.pk), world["member"])
    client.post(reverse("inspections:visit_submit", args=[visit.pk]), {"key": "k"})

    client.force_login(world["leader"])
    response = client.get(reverse("inspections:visit_detail", args=[visit.pk]))
    assert (response.context["can_fill"], response.context["can_review"]) == (False, True)
    assert [str(label) for _code, label in response.context["conclusion"]] == ["Đạt", "Đạt", "Đạt"]
    client.post(reverse("inspections:visit_review", args=[visit.pk]), {"decision": "return", "comment": ""})
    assert Visit.objects.get(pk=visit.pk).status == "submitted"
    client.post(reverse("inspections:visit_review", args=[visit.pk]), {"decision": "approve"})
    assert Visit.objects.get(pk=visit.pk).status == "approved"


def test_the_units_figures_are_recorded_with_their_time(client, world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    client.force_login(world["member"])

    client.post(reverse("inspections:figures_save", args=[visit.pk]), {
        "staff_total": "40", "staff_with_app": "31", "qr_codes": "2", "scans_last_7_days": "350",
        "portal_accounts": "0", "taken_at": "07/12/2021 08:20"})

    visit.refresh_from_db()
    assert [getattr(visit, f) for f in fieldwork.FIGURES] == [40, 31, 2, 350, 0]
    assert timezone.localtime(visit.figures_taken_at).strftime("%d/%m/%Y %H:%M") == "07/12/2021 08:20"
    with translation.override("en"), pytest.raises(ValidationError) as error:
        fieldwork.record_figures(visit, figures={"staff_total": 5, "staff_with_app": 9}, taken_at=None,
                                 by=world["member"])
    assert error.value.messages == ["More staff with PC-Covid than staff."]


def test_an_overridden_conclusion_needs_a_reason_and_survives_submission(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"], {"b2": "no"})
    from inspections.evidence import add_evidence
    from tests.inspections.test_evidence import photo

    add_evidence(visit, uploaded_file=photo(400, 300), item=ChecklistItem.objects.get(code="b2"), by=world["member"])

    with pytest.raises(ValidationError):
        fieldwork.override_conclusion(visit, conclusion={"b": "chua_dat", "overall": "chua_dat"}, reason=" ",
                                      by=world["member"])
    fieldwork.override_conclusion(visit, conclusion={"a": "dat", "b": "chua_dat", "overall": "dat_mot_phan"},
                                  reason="Mã QR dán trong phòng bảo vệ, người dân không thấy", by=world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="k")

    visit.refresh_from_db()
    assert visit.conclusion == {"a": "dat", "b": "chua_dat", "overall": "dat_mot_phan"}
    assert fieldwork.compute_conclusion(visit)["b"] == "dat_mot_phan"


def test_the_team_changes_the_computed_conclusion_from_the_page_with_a_reason(client, world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"])
    client.force_login(world["member"])
    page = client.get(reverse("inspections:visit_detail", args=[visit.pk]))
    assert page.context["computed"] == [("a", "dat"), ("b", "dat"), ("overall", "dat")]

    url = reverse("inspections:conclusion_override", args=[visit.pk])
    client.post(url, {"conclusion_a": "dat", "conclusion_b": "dat_mot_phan", "conclusion_overall": "dat_mot_phan"})
    visit.refresh_from_db()
    assert visit.conclusion == {}  # no reason, no change

    client.post(url, {"conclusion_a": "dat", "conclusion_b": "dat_mot_phan", "conclusion_overall": "dat_mot_phan",
                      "reason": "Người hướng dẫn chỉ có mặt buổi sáng"})
    visit.refresh_from_db()
    assert (visit.conclusion["b"], visit.conclusion_override_reason) == ("dat_mot_phan",
                                                                         "Người hướng dẫn chỉ có mặt buổi sáng")


def test_the_minutes_pdf_is_for_those_who_see_the_visit(client, world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    url = reverse("reports:visit_minutes_pdf", args=[visit.pk])
    client.force_login(world["member"])

    response = client.get(url)

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404


def test_corrections_with_deadlines_and_amendments_shown_as_history(client, world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"], {"b4": "no"})
    client.force_login(world["member"])
    url = reverse("inspections:correction_add", args=[visit.pk])

    client.post(url, {"description": "Bố trí người hướng dẫn quét mã QR", "deadline": "01/12/2021"})
    assert visit.corrections.count() == 0  # before the visit: refused
    client.post(url, {"description": "Bố trí người hướng dẫn quét mã QR", "deadline": "15/12/2021"})
    assert [(c.description, c.deadline.isoformat()) for c in visit.corrections.all()] == [
        ("Bố trí người hướng dẫn quét mã QR", "2021-12-15")]

    fieldwork.submit_visit(visit, by=world["member"], key="k")
    fieldwork.approve_visit(visit, by=world["leader"])
    b4 = ChecklistItem.objects.get(code="b4")
    client.force_login(world["member"])
    assert client.post(reverse("inspections:answer_amend", args=[visit.pk]),
                       {"item": b4.pk, "value": "yes", "reason": "x"}).status_code == 403
    client.force_login(world["leader"])
    client.post(reverse("inspections:answer_amend", args=[visit.pk]),
                {"item": b4.pk, "value": "yes", "reason": "Đơn vị đã bố trí người hướng dẫn"})

    page = client.get(reverse("inspections:visit_detail", args=[visit.pk]))
    # The history reads in words (issue #12): the question, the answers' labels, the reason.
    assert [(what, old, new, reason) for _when, _who, what, old, new, reason in page.context["history"]
            if what.startswith("b4.")] == [(f"b4. {b4.text}", "Không", "Có", "Đơn vị đã bố trí người hướng dẫn")]
    assert page.context["can_amend"] is True


def test_the_minutes_print_view_uses_the_pdfs_template_without_inline_styles(client, world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    url = reverse("reports:visit_minutes_print", args=[visit.pk])
    client.force_login(world["member"])

    response = client.get(url)

    html = response.content.decode()
    assert "BIÊN BẢN KIỂM TRA" in html and "Chợ Nghèn" in html
    assert '<link rel="stylesheet" href="/static/css/documents.css">' in html
    assert "<style" not in html and "style=" not in html and "<script" not in html
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404


def test_a_photo_question_is_answered_by_a_photo_attached_to_it(world):
    from inspections.evidence import add_evidence
    from inspections.models import ChecklistSection
    from tests.inspections.test_evidence import photo

    section = ChecklistSection.objects.get(template=world["campaign"].checklist, code="b")
    item = ChecklistItem.objects.create(section=section, code="b7", text="Ảnh bảng mã QR tại lối vào",
                                        kind=ChecklistItem.Kind.PHOTO, required=True, order=7)
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"], {"b7": None})
    with pytest.raises(ValidationError):
        fieldwork.save_answer(visit, item=item, raw="có ảnh", by=world["member"])
    assert [i.code for i in fieldwork.missing_required(visit)] == ["b7"]

    add_evidence(visit, uploaded_file=photo(400, 300), item=item, by=world["member"])

    assert fieldwork.missing_required(visit) == []


def test_the_history_of_a_visit_reads_every_change_in_one_query(world, django_assert_num_queries):
    visit = fieldwork.start_visit(world["committee"], by=world["member"])
    answer_all(visit, world["member"], {"b4": "no"})
    fieldwork.submit_visit(visit, by=world["member"], key="h")
    fieldwork.approve_visit(visit, by=world["leader"])
    for code in ("b4", "a2"):
        fieldwork.amend_answer(visit, item=ChecklistItem.objects.get(code=code), raw="no" if code == "a2" else "yes",
                               reason="Đơn vị bổ sung", by=world["leader"])
    with django_assert_num_queries(1):  # the visit's and every answer's changes, compared by PostgreSQL
        history = fieldwork.visit_history(visit)
    assert sorted(what.split(".")[0] for _when, _who, what, *_rest in history if what[:3] in ("a2.", "b4.")) == [
        "a2", "b4"]


def test_amending_an_item_never_answered_says_so(world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="u")
    fieldwork.approve_visit(visit, by=world["leader"])
    unanswered = ChecklistItem.objects.get(code="b5")
    visit.answers.filter(item=unanswered).delete()
    with translation.override("en"), pytest.raises(ValidationError, match="was not answered during the visit"):
        fieldwork.amend_answer(visit, item=unanswered, raw="yes", reason="Bổ sung", by=world["leader"])


def test_a_refused_submission_keeps_the_statement_typed(client, world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])  # nothing answered yet
    client.force_login(world["member"])
    response = client.post(reverse("inspections:visit_submit", args=[visit.pk]),
                           {"key": "k", "unit_statement": "Đơn vị nhất trí", "shortcomings": "Chưa có người hướng dẫn"},
                           follow=True)
    assert "Cần trả lời các nội dung bắt buộc trước" in response.content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.unit_statement, visit.shortcomings) == (
        "in_progress", "Đơn vị nhất trí", "Chưa có người hướng dẫn")


def test_an_amendment_takes_the_same_answer_controls_as_the_form_beside_each_answer(client, world):
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"], {"b4": "no"})
    fieldwork.submit_visit(visit, by=world["member"], key="k")
    fieldwork.approve_visit(visit, by=world["leader"])
    b4, a3 = ChecklistItem.objects.get(code="b4"), ChecklistItem.objects.get(code="a3")
    client.force_login(world["leader"])

    page = client.get(reverse("inspections:visit_detail", args=[visit.pk])).content.decode()
    # The phone's own controls: Có / Không / Không áp dụng for b4, a number for a3, current answer chosen.
    assert f'id="amend-v-{b4.pk}-yes" value="yes"' in page
    assert f'id="amend-v-{b4.pk}-no" value="no" checked' in page
    assert f'for="amend-v-{b4.pk}-na">Không áp dụng</label>' in page
    assert f'inputmode="decimal" name="value" id="amend-v-{a3.pk}"' in page
    assert "Sửa câu trả lời b4 (ghi rõ lý do)" in page

    client.post(reverse("inspections:answer_amend", args=[visit.pk]),
                {"item": b4.pk, "value": "yes", "reason": "Đơn vị đã bố trí người hướng dẫn"})
    assert visit.answers.get(item=b4).value == "yes"
    client.force_login(world["member"])  # a member may not amend: no amendment controls for them
    assert 'id="amend-v-' not in client.get(reverse("inspections:visit_detail", args=[visit.pk])).content.decode()
