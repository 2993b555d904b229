"""The checklist builder (issue #15.2): sections, questions and their rules, up/down
without JavaScript, the phone's preview, publish (read-only) and a new version."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections import checklists, fieldwork
from inspections.checklist_2021 import seed_checklist_2021
from inspections.models import ChecklistItem, ChecklistTemplate
from tests.factories import make_campaign
from tests.inspections.test_fieldwork import answer_all, build

ITEM = {"code": "a1", "text": "Có văn bản chỉ đạo", "text_en": "Has directions", "help_text": "Ghi số văn bản",
        "help_text_en": "Write its number", "kind": "yes_no", "required": "on", "categories": [],
        "noncompliant_when": "Không", "photo_when": "", "note_when": "Có"}


@pytest.fixture
def draft(db):
    template = checklists.create_checklist(name="Bảng kiểm 2022")
    checklists.save_section(template, code="a", title="Chỉ đạo", title_en="Direction")
    return template


def test_a_coordinator_builds_a_draft_question_by_question(client, coordinator, draft):
    client.force_login(coordinator)
    section = draft.sections.get()
    url = reverse("inspections:checklist_item_create", args=[draft.pk, section.pk])

    response = client.post(url, ITEM)
    client.post(url, {**ITEM, "code": "a2", "text": "Tỷ lệ cài đặt", "kind": "percentage",
                      "noncompliant_when": "< 50", "note_when": ""})

    assert response.url == reverse("inspections:checklist_detail", args=[draft.pk])
    assert [(i.code, i.kind, i.text_en, i.noncompliant_if, i.note_required_if, i.required)
            for i in section.items.order_by("order")] == [
        ("a1", "yes_no", "Has directions", "no", "yes", True), ("a2", "percentage", "Has directions", {"lt": 50}, None,
                                                              True)]


def test_a_rule_naming_an_answer_the_question_cannot_have_is_refused(client, coordinator, draft):
    client.force_login(coordinator)
    section = draft.sections.get()
    response = client.post(reverse("inspections:checklist_item_create", args=[draft.pk, section.pk]),
                           {**ITEM, "noncompliant_when": "< 50"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Ngưỡng (< hoặc >) chỉ dùng cho câu hỏi số hoặc tỷ lệ phần trăm."]
    assert response.context["form"]["text"].value() == ITEM["text"]
    assert section.items.count() == 0


def test_up_and_down_buttons_reorder_without_javascript(client, coordinator, draft):
    section = draft.sections.get()
    for code in ("a1", "a2", "a3"):
        checklists.save_item(section, code=code, categories=[], text=code)
    client.force_login(coordinator)

    client.post(reverse("inspections:checklist_move", args=[draft.pk]),
                {"item": section.items.get(code="a3").pk, "direction": "up"})
    client.post(reverse("inspections:checklist_move", args=[draft.pk]),
                {"item": section.items.get(code="a1").pk, "direction": "up"})  # already first: unchanged

    assert list(section.items.order_by("order").values_list("code", flat=True)) == ["a1", "a3", "a2"]
    checklists.save_section(draft, code="b", title="QR")
    client.post(reverse("inspections:checklist_move", args=[draft.pk]),
                {"section": draft.sections.get(code="b").pk, "direction": "up"})
    assert list(draft.sections.order_by("order").values_list("code", flat=True)) == ["b", "a"]


def test_the_preview_shows_the_english_labels_in_english(client, coordinator, draft):
    checklists.save_item(draft.sections.get(), code="a1", categories=[], text="Có văn bản", text_en="Has directions")
    client.force_login(coordinator)
    client.post(reverse("set_language"), {"language": "en"})

    page = client.get(reverse("inspections:checklist_preview", args=[draft.pk])).content.decode()

    assert "a) Direction" in page and "a1. Has directions" in page and "Có văn bản" not in page


def test_publishing_makes_it_read_only_and_editing_makes_a_new_draft(client, coordinator, draft):
    section = draft.sections.get()
    item = checklists.save_item(section, code="a1", categories=[], text="Có văn bản", text_en="Has directions")
    client.force_login(coordinator)

    client.post(reverse("inspections:checklist_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.is_published
    with pytest.raises(ValidationError):
        checklists.save_item(section, item=item, code="a1", categories=[], text="Đổi")
    refused = client.post(reverse("inspections:checklist_item_edit", args=[draft.pk, section.pk, item.pk]),
                          {**ITEM, "text": "Đổi"})
    assert "Bảng kiểm đã ban hành không được sửa" in refused.content.decode()
    item.refresh_from_db()
    assert item.text == "Có văn bản"

    response = client.post(reverse("inspections:checklist_new_version", args=[draft.pk]))
    copy = ChecklistTemplate.objects.get(name=draft.name, version=2)
    assert response.url == reverse("inspections:checklist_detail", args=[copy.pk])
    assert (copy.is_published, [(s.code, s.title_en) for s in copy.sections.all()],
            list(ChecklistItem.objects.filter(section__template=copy).values_list("code", "text_en"))) == (
        False, [("a", "Direction")], [("a1", "Has directions")])


def test_an_empty_checklist_is_not_published(coordinator, draft):
    with pytest.raises(ValidationError):
        checklists.publish_checklist(draft)


def test_an_inspector_reads_the_checklist_of_their_campaign_and_builds_nothing(
        client, campaign, teams, draft):
    published = seed_checklist_2021()
    campaign.checklist = published
    campaign.save()
    client.force_login(teams["inspector"])

    assert client.get(reverse("inspections:checklist_preview", args=[published.pk])).status_code == 200
    assert client.get(reverse("inspections:checklist_detail", args=[draft.pk])).status_code == 404
    assert client.post(reverse("inspections:checklist_new_version", args=[published.pk])).status_code == 403
    assert client.post(reverse("inspections:checklist_list"), {"name": "Mới"}).status_code == 403
    assert ChecklistTemplate.objects.count() == 2


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_runs_a_fixed_number_of_queries(client, coordinator, django_assert_num_queries, count):
    for number in range(count):
        template = checklists.create_checklist(name=f"Bảng kiểm {number}")
        checklists.save_section(template, code="a", title="Mục")
    client.force_login(coordinator)

    # session, user with their groups, the page's count, the page with its counts of questions
    with django_assert_num_queries(4):
        response = client.get(reverse("inspections:checklist_list"))
    assert len(response.context["page"]) == count


def test_the_campaign_is_given_only_a_published_version(client, coordinator, draft):
    campaign = make_campaign()
    client.force_login(coordinator)
    form = client.get(reverse("inspections:campaign_edit", args=[campaign.pk])).context["form"]
    assert draft not in form.fields["checklist"].queryset


def test_an_answer_that_requires_a_note_is_not_submitted_without_one(coordinator):
    world = build(coordinator)
    ChecklistItem.objects.filter(code="b4").update(note_required_if="no")
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(visit, world["member"], {"b4": "no"})

    with pytest.raises(ValidationError, match="Các câu trả lời này cần ghi chú: b4."):
        fieldwork.submit_visit(visit, by=world["member"], key="k")
    fieldwork.save_answer(visit, item=ChecklistItem.objects.get(code="b4"), raw="no", note="Không có người trực",
                          by=world["member"])
    assert fieldwork.submit_visit(visit, by=world["member"], key="k") is True
