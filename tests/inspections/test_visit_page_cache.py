"""The visit page keeps the HTML of each answer's form (and of the photo, correction and figures
forms) under a key naming everything the form shows: a change shows at once, and the CSRF token,
the request's own, is never kept."""

import re

import pytest
from django.urls import reverse

from inspections import fieldwork, vocabulary
from inspections.models import ChecklistItem
from tests.inspections.test_fieldwork import build


@pytest.fixture
def started(db, coordinator):
    world = build(coordinator)
    visit = fieldwork.start_visit(world["market"], by=world["member"])
    item = next(item for item in vocabulary.applicable_items(visit) if item.kind == ChecklistItem.Kind.YES_NO)
    return visit, item, world["member"]


def item_form(page: str, item) -> str:
    return re.search(rf'<form id="item-{item.pk}".*?</form>', page, re.DOTALL).group(0)


def test_a_changed_answer_and_note_show_on_the_next_opening(client, started):
    visit, item, member = started
    client.force_login(member)
    url = reverse("inspections:visit_detail", args=[visit.pk])
    fieldwork.save_answer(visit, item=item, raw="yes", note="lần một", by=member)
    first = item_form(client.get(url).content.decode(), item)

    fieldwork.save_answer(visit, item=item, raw="no", note="lần hai", by=member)
    second = item_form(client.get(url).content.decode(), item)

    assert ('value="yes" checked' in first, 'value="lần một"' in first) == (True, True)
    assert ('value="no" checked' in second, 'value="yes" checked' in second, 'value="lần hai"' in second) == (
        True, False, True)


def test_each_opening_has_its_own_csrf_token_in_every_answer_form(client, started):
    visit, item, member = started
    client.force_login(member)
    url = reverse("inspections:visit_detail", args=[visit.pk])
    tokens = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    first = tokens.findall(item_form(client.get(url).content.decode(), item))
    second = tokens.findall(item_form(client.get(url).content.decode(), item))

    assert (len(first), len(second)) == (1, 1)
    assert first != second  # masked anew for each request, as Django's {% csrf_token %} does


def test_the_same_form_for_a_visit_that_may_not_be_filled_is_disabled(client, started, coordinator):
    visit, item, member = started
    url = reverse("inspections:visit_detail", args=[visit.pk])
    client.force_login(member)
    filling = item_form(client.get(url).content.decode(), item)
    client.force_login(coordinator)  # the Inspectorate reads the visit; it does not fill it

    reading = item_form(client.get(url).content.decode(), item)

    assert ("<fieldset >" in filling, "<fieldset disabled>" in reading) == (True, True)
