"""The items that apply to a visit, kept in the process's cache for a published checklist only
(inspections/vocabulary.py: applicable_item_list): the same items as the query, read once per
version and category; a draft read every time, so a change shows at once; a new version or
another category never served the old list."""

import pytest
from django.http import Http404
from django.urls import reverse

from inspections import checklists, fieldwork, vocabulary
from inspections.models import ChecklistItem, ChecklistTemplate
from tests.inspections.test_fieldwork import build


@pytest.fixture
def world(db, coordinator):
    return build(coordinator)


def codes(items) -> list[str]:
    return [item.code for item in items]


def test_a_published_checklists_items_are_the_querys_and_read_once(world, django_assert_num_queries):
    visit = world["market"]
    expected = list(vocabulary.applicable_items(visit))

    with django_assert_num_queries(1):  # the items, their sections and the version's publication
        first = vocabulary.applicable_item_list(visit)
    with django_assert_num_queries(0):
        again = vocabulary.applicable_item_list(visit)

    assert codes(first) == codes(expected)
    assert codes(again) == codes(expected)
    assert [item.section.code for item in again] == [item.section.code for item in expected]


def test_each_caller_gets_its_own_instances(world):
    visit = world["market"]
    first = vocabulary.applicable_item_list(visit)
    first[0].text = "đổi trong bộ nhớ"

    again = vocabulary.applicable_item_list(visit)

    assert again[0].text == ChecklistItem.objects.get(pk=again[0].pk).text
    assert again[0] is not first[0]


def test_another_category_gets_its_own_items(world):
    market, committee = world["market"], world["committee"]

    assert codes(vocabulary.applicable_item_list(market)) == codes(vocabulary.applicable_items(market))
    assert codes(vocabulary.applicable_item_list(committee)) == codes(vocabulary.applicable_items(committee))
    assert codes(vocabulary.applicable_items(market)) != codes(vocabulary.applicable_items(committee))


def test_a_drafts_items_are_read_every_time_so_a_change_shows_at_once(world):
    campaign, visit = world["campaign"], world["market"]
    draft = checklists.new_checklist_version(campaign.checklist)
    campaign.checklist = draft
    campaign.save(update_fields=["checklist"])
    visit.campaign.checklist = draft
    before = codes(vocabulary.applicable_item_list(visit))

    section = draft.sections.order_by("order").first()
    checklists.save_item(section, code="z9", categories=[], text="Câu hỏi mới", kind=ChecklistItem.Kind.YES_NO)

    after = codes(vocabulary.applicable_item_list(visit))
    assert after == codes(vocabulary.applicable_items(visit))
    assert sorted(after) == sorted([*before, "z9"])


def test_a_campaign_moved_to_a_new_version_shows_it_at_once(world, client):
    campaign, member = world["campaign"], world["member"]
    visit = world["committee"]  # not started: it follows the campaign's version
    old = codes(vocabulary.applicable_item_list(visit))
    draft = checklists.new_checklist_version(campaign.checklist)
    section = draft.sections.order_by("order").first()
    checklists.save_item(section, code="z9", categories=[], text="Câu hỏi của phiên bản mới",
                         kind=ChecklistItem.Kind.YES_NO)
    checklists.publish_checklist(draft)
    campaign.checklist = draft
    campaign.save(update_fields=["checklist"])
    client.force_login(member)

    fieldwork.start_visit(visit, by=member)
    response = client.get(reverse("inspections:visit_detail", args=[visit.pk]))

    shown = [item.code for _section, pairs in response.context["sections"] for item, _answer in pairs]
    assert ChecklistTemplate.objects.get(pk=draft.pk).published_at is not None
    assert "z9" not in old
    assert shown == codes(vocabulary.applicable_items(response.context["visit"]))
    assert "z9" in shown
    assert "Câu hỏi của phiên bản mới" in response.content.decode()


def test_an_item_of_another_checklist_is_not_found(world):
    market = world["market"]
    item = vocabulary.applicable_items(market).order_by("pk").first()
    other_version = checklists.new_checklist_version(market.campaign.checklist)
    same_question_elsewhere = ChecklistItem.objects.get(section__template=other_version, code=item.code)

    assert vocabulary.applicable_item(market, item.pk) == item
    with pytest.raises(Http404):
        vocabulary.applicable_item(market, same_question_elsewhere.pk)
    with pytest.raises(Http404):
        vocabulary.applicable_item(market, "12abc")
