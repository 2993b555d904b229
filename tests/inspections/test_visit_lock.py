"""Visits are locked FOR NO KEY UPDATE (`Visit.objects.locked()`, docs/decisions.md §22):
while an answer is being saved, a page opening the visit still logs itself at once, and a
second change to the visit waits for the first. Two real connections: the answer's
transaction held open on one, the other trying under a short `lock_timeout`."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from inspections import fieldwork
from inspections.models import ChecklistItem, Visit, VisitViewLog
from tests.inspections.test_fieldwork import build

pytestmark = pytest.mark.django_db(transaction=True)


def on_another_connection(work):
    """Run `work` in a thread of its own (its own database connection) that waits at most
    half a second for any lock; return what it returned, or the error it raised."""
    outcome = {}

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '500ms'")
            outcome["value"] = work()
        except Exception as error:  # noqa: BLE001 — returned to the test, which asserts on it
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    return outcome


@pytest.fixture
def started():
    world = build()
    world["visit"] = fieldwork.start_visit(world["market"], by=world["member"])
    world["a2"] = ChecklistItem.objects.get(code="a2")
    return world


def open_the_page(world):
    VisitViewLog.objects.record([Visit.objects.get(pk=world["visit"].pk)], user=world["leader"],
                                opened=VisitViewLog.Opened.VISIT_PAGE)
    return VisitViewLog.objects.filter(visit=world["visit"]).count()


def test_a_page_opening_the_visit_logs_itself_while_an_answer_is_being_saved(started):
    with transaction.atomic():  # the answer's save, its transaction not yet ended
        fieldwork.save_answer(started["visit"], item=started["a2"], raw="yes", by=started["member"])
        outcome = on_another_connection(lambda: open_the_page(started))
    assert outcome == {"value": 1}


def test_a_second_change_to_the_visit_waits_for_the_first(started):
    other = ChecklistItem.objects.get(code="b1")
    with transaction.atomic():
        fieldwork.save_answer(started["visit"], item=started["a2"], raw="yes", by=started["member"])
        outcome = on_another_connection(lambda: fieldwork.save_answer(
            Visit.objects.get(pk=started["visit"].pk), item=other, raw="no", by=started["leader"]))
    assert isinstance(outcome.get("error"), OperationalError)
    assert "lock timeout" in str(outcome["error"])
    # Once the first has ended, the second goes through.
    assert "error" not in on_another_connection(lambda: fieldwork.save_answer(
        Visit.objects.get(pk=started["visit"].pk), item=other, raw="no", by=started["leader"]))


def test_under_a_full_update_lock_the_page_would_have_waited(started):
    """The point of the lock's strength: `FOR UPDATE` (what the visits were locked with
    before) holds back the page's log row, whose foreign key takes a key-share lock."""
    with transaction.atomic():
        Visit.objects.select_for_update().get(pk=started["visit"].pk)
        outcome = on_another_connection(lambda: open_the_page(started))
    assert isinstance(outcome.get("error"), OperationalError)
    assert open_the_page(started) == 1
