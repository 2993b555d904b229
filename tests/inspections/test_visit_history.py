"""A visit's history: every change of its status, conclusion, review comment and answers,
newest first, compared by PostgreSQL (`fieldwork.VisitChanges`); the visit's page shows the
latest changes, the history's own pages all of them, 50 a page."""

from itertools import groupby

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections import fieldwork, vocabulary
from inspections.models import Answer, ChecklistItem, Visit
from inspections.views.visits import HISTORY_SHOWN
from tests.inspections.test_fieldwork import answer_all, world  # noqa: F401 (the fixture)

FIELDS = ("status", "conclusion", "review_comment")  # a visit's fields its history shows


def diffed_history(visit):
    """The history as simple_history's own diffs tell it (what the page listed before the
    changes were compared in SQL): the reference the SQL is held to."""
    rows = []
    records = list(visit.history.select_related("history_user").order_by("history_date"))
    for previous, record in zip(records, records[1:], strict=False):
        delta = record.diff_against(previous, included_fields=list(FIELDS))
        changed = {change.field: change for change in delta.changes}
        for change in (changed[field] for field in FIELDS if field in changed):  # in the model's order
            label = str(Visit._meta.get_field(change.field).verbose_name)
            rows.append((record.history_date, record.history_user_id, label,
                         fieldwork._visit_value_in_words(change.field, change.old),
                         fieldwork._visit_value_in_words(change.field, change.new), record.history_change_reason or ""))
    entries = (Answer.history.filter(visit_id=visit.pk).select_related("history_user", "item")
               .order_by("id", "history_date"))
    for _answer, versions in groupby(entries, key=lambda record: record.id):
        versions = list(versions)
        for previous, record in zip(versions, versions[1:], strict=False):
            if previous.value != record.value:
                rows.append((record.history_date, record.history_user_id, f"{record.item.code}. {record.item.text}",
                             vocabulary.answer_in_words(record.item, previous.value),
                             vocabulary.answer_in_words(record.item, record.value), record.history_change_reason or ""))
    return sorted(rows, key=lambda row: row[0], reverse=True)


def shown(rows):
    return [(when, who.pk if who else None, *rest) for when, who, *rest in rows]


def reviewed_twice(world):  # noqa: F811
    """A visit returned with a comment, its answers changed (one only in its note), submitted
    again, approved and amended with a reason."""
    visit = world["market"]
    fieldwork.start_visit(visit, by=world["member"])
    answer_all(visit, world["member"], {"b4": "no"})
    fieldwork.submit_visit(visit, by=world["member"], key="h1")
    fieldwork.return_visit(visit, by=world["leader"], comment="Bổ sung ảnh vị trí niêm yết mã QR")
    b4, a2 = ChecklistItem.objects.get(code="b4"), ChecklistItem.objects.get(code="a2")
    fieldwork.save_answer(visit, item=b4, raw="yes", by=world["member"])
    fieldwork.save_answer(visit, item=a2, raw="no", by=world["member"])
    fieldwork.save_answer(visit, item=a2, raw="no", note="Chưa cài đặt", by=world["member"])  # the note only
    fieldwork.save_answer(visit, item=a2, raw="yes", by=world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="h2")
    fieldwork.approve_visit(visit, by=world["leader"])
    fieldwork.amend_answer(visit, item=b4, raw="no", reason="Đơn vị gỡ mã QR", by=world["leader"])
    return Visit.objects.get(pk=visit.pk)


def test_the_changes_are_those_the_records_diff_gives_change_for_change(world):  # noqa: F811
    visit = reviewed_twice(world)
    expected = diffed_history(visit)

    with CaptureQueriesContext(connection) as queries:
        changes = fieldwork.VisitChanges(visit)
        every = changes[:]
    assert len(queries) == 1  # the changes, their people and their items at once
    assert shown(every) == expected
    whats = [what for _when, _who, what, *_rest in every]
    assert {str(Visit._meta.get_field(field).verbose_name) for field in FIELDS} <= set(whats)
    assert sum(what.startswith("a2.") for what in whats) == 2  # no → yes twice, not the note's change
    assert ("Đơn vị gỡ mã QR" in {reason for *_rest, reason in every}) and len(every) == changes.count()
    assert shown(fieldwork.VisitChanges(visit)[2:5]) == expected[2:5]
    assert fieldwork.VisitChanges(visit).count() == len(expected)
    assert fieldwork.VisitChanges(visit)[len(expected):] == []


def test_the_visit_page_shows_the_latest_changes_and_the_history_pages_show_all_fifty_a_page(
        client, world):  # noqa: F811
    visit = world["market"]
    fieldwork.start_visit(visit, by=world["member"])
    answer_all(visit, world["member"], {"b4": "no"})
    fieldwork.submit_visit(visit, by=world["member"], key="h1")
    fieldwork.return_visit(visit, by=world["leader"], comment="Kiểm tra lại mục b4")
    b4 = ChecklistItem.objects.get(code="b4")
    for turn in range(60):
        fieldwork.save_answer(visit, item=b4, raw=("yes", "no")[turn % 2], by=world["member"])
    expected = diffed_history(visit)
    assert 60 + 3 <= len(expected) <= 100  # the 60 answers, submitted, returned with a comment…: two pages
    client.force_login(world["member"])

    page = client.get(reverse("inspections:visit_detail", args=[visit.pk]))
    assert shown(page.context["history"]) == expected[:HISTORY_SHOWN]
    history_url = reverse("inspections:visit_history", args=[visit.pk])
    html = page.content.decode()
    assert f'href="{history_url}"' in html and f"Toàn bộ lịch sử ({len(expected)} thay đổi)" in html

    first, second = client.get(history_url), client.get(history_url, {"page": 2})
    assert shown(first.context["page"].object_list) == expected[:50]
    assert shown(second.context["page"].object_list) == expected[50:]
    assert f"{len(expected)} thay đổi, mới nhất trước." in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()


@pytest.mark.parametrize("changes", [1, 3])
def test_the_history_page_runs_the_same_queries_whatever_the_changes(client, world, changes,  # noqa: F811
                                                                      django_assert_num_queries):
    visit = world["market"]
    fieldwork.start_visit(visit, by=world["member"])
    answer_all(visit, world["member"])
    fieldwork.submit_visit(visit, by=world["member"], key="h1")
    fieldwork.return_visit(visit, by=world["leader"], comment="Bổ sung")
    for turn in range(changes):
        fieldwork.save_answer(visit, item=ChecklistItem.objects.get(code="b4"), raw=("no", "yes")[turn % 2],
                              by=world["member"])
    client.force_login(world["member"])
    # session, user with their groups, the visit, the count of its changes, the page of them
    with django_assert_num_queries(5):
        response = client.get(reverse("inspections:visit_history", args=[visit.pk]))
    assert response.status_code == 200
    assert shown(response.context["page"].object_list) == diffed_history(visit)
    assert sum(what.startswith("b4.") for _when, _who, what, *_rest in response.context["page"].object_list) == changes


def test_the_history_is_for_whoever_sees_the_visit_and_only_once_it_has_one(client, world):  # noqa: F811
    visit = world["market"]
    fieldwork.start_visit(visit, by=world["member"])
    answer_all(visit, world["member"])
    url = reverse("inspections:visit_history", args=[visit.pk])
    client.force_login(world["member"])
    assert client.get(url).status_code == 404  # in progress: no history yet
    fieldwork.submit_visit(visit, by=world["member"], key="h1")
    assert client.get(url).status_code == 200
    client.force_login(world["outsider"])  # another team's inspector: the visit is not in their scope
    assert client.get(url).status_code == 404
    client.force_login(world["coordinator"])
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page
