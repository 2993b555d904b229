"""Keyset pagination (config/keyset.py) on the visits behind a dashboard figure: every visit
once, in order, forwards and back; a bad cursor is the first page; the thousandth page's query
has no OFFSET."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.keyset import keyset_page
from inspections.models import Visit
from tests.factories import make_unit, make_visit
from tests.reports.test_dashboard import world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _many(world, count):  # noqa: F811
    # several visits on the same day and hour: the id breaks the ties of the key
    for number in range(count):
        make_visit(world["campaign"], make_unit(f"Cửa hàng số {number:02d}", commune=18070),
                   day=datetime.date(2021, 12, 10 + number % 3), conclusion={"overall": "dat"})


def test_pages_forwards_then_back_give_every_visit_once_in_order(world):  # noqa: F811
    _many(world, 12)
    visits = Visit.objects.filter(campaign=world["campaign"])
    expected = list(visits.order_by("starts_at", "id").values_list("pk", flat=True))

    pages, params = [], {}
    while True:
        page = keyset_page(visits, params, size=5)
        pages.append([visit.pk for visit in page])
        assert page.count == len(expected)
        if not page.has_next:
            break
        params = {"after": page.after}
    assert sum(pages, []) == expected
    assert [len(rows) for rows in pages] == [5, 5, len(expected) - 10]
    assert not keyset_page(visits, {}, size=5).has_previous

    back = []
    while page.has_previous:
        page = keyset_page(visits, {"before": page.before}, size=5)
        back.insert(0, [visit.pk for visit in page])
    assert back == pages[:-1]  # the previous pages are the same pages
    assert not page.has_previous


UNREADABLE = ["garbage", "99999-12-10T01:00:00~1", "2021-12-10T01:00:00+00:00", "x~y", "2021-13-40T99:00~1", "~", ""]


@pytest.mark.parametrize("cursor", UNREADABLE)
def test_a_cursor_that_cannot_be_read_is_the_first_page(world, cursor):  # noqa: F811
    _many(world, 3)
    visits = Visit.objects.filter(campaign=world["campaign"])
    first = [visit.pk for visit in keyset_page(visits, {}, size=2)]
    assert [visit.pk for visit in keyset_page(visits, {"after": cursor}, size=2)] == first
    assert [visit.pk for visit in keyset_page(visits, {"before": cursor}, size=2)] == first


def test_the_list_behind_a_figure_pages_by_cursor_without_offset(client, world, leadership):  # noqa: F811
    _many(world, 55)
    url = reverse("reports:campaign_visits", args=[world["campaign"].pk])
    client.force_login(leadership)

    first = client.get(url, {"status": "approved"})
    assert first.status_code == 200
    html = first.content.decode()
    after = re.search(r'rel="next" href="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "status=approved" in after and "after=" in after and 'rel="prev"' not in html
    with CaptureQueriesContext(connection) as queries:
        second = client.get(f"{url}?{after}")
    assert not [q["sql"] for q in queries if "OFFSET" in q["sql"]]
    rows = list(first.context["page"]) + list(second.context["page"])
    assert len(rows) == first.context["page"].count == 57  # and the fixture's two
    assert len({visit.pk for visit in rows}) == 57
    assert 'rel="prev"' in second.content.decode()
    # a cursor past a bigint is read as a key like any other, not sent to PostgreSQL as an error
    assert client.get(url, {"after": "2021-12-10T01:00:00+00:00~99999999999999999999999"}).status_code == 200
    assert client.get(url, {"before": "2021-12-10T01:00:00+00:00~-99999999999999999999999"}).status_code == 200
