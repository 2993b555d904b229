"""Every list of the API runs a fixed number of queries, whatever the number of items:
a page of 1 and a page of 3 cost the same (related rows are fetched once per page)."""

import datetime

import pytest
from django.test import Client

from inspections import fieldwork, vocabulary
from reports.services import create_report
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db

# Each signed-in request first reads the session and its user with the user's groups (the roles: accounts/backends.py).
SIGNED_IN = 2


@pytest.fixture
def full(world, settings):
    """At least three of everything: campaigns, follow-ups (an approved visit short of
    compliance with three corrections) and reports (their Word and Excel files, built in
    the background, are not the API's: not built here)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_campaign(title="Đợt 2", starts_on=datetime.date(2022, 3, 1), ends_on=datetime.date(2022, 3, 31))
    make_campaign(title="Đợt 3", starts_on=datetime.date(2022, 6, 1), ends_on=datetime.date(2022, 6, 30))
    member, visit = world["member"], fieldwork.start_visit(world["market"], by=world["member"])
    # Short of compliance without needing a photo: b2 "no" and b3 "yes" would need one.
    answers = {"a2": "no", "a3": "10", "b1": "no", "b2": "yes", "b3": "no", "b4": "no", "b5": "no", "b6": "1"}
    for item in vocabulary.applicable_items(visit):
        fieldwork.save_answer(visit, item=item, raw=answers[item.code], by=member)
    for day in (20, 21, 22):
        fieldwork.require_correction(visit, description=f"Dán mã QR ({day})", deadline=datetime.date(2021, 12, day),
                                     by=member)
    fieldwork.submit_visit(visit, by=member, key="q")
    fieldwork.approve_visit(visit, by=world["leader"])
    for day in (10, 20, 31):
        create_report(world["campaign"], as_of=datetime.date(2021, 12, day), by=world["coordinator"])
    return world


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# (list, who reads it, its own queries after SIGNED_IN: count, page, then one per prefetched relation)
LISTS = [
    ("/api/campaigns", "coordinator", 2),  # count, page
    ("/api/units", "coordinator", 2),  # count, page with category, commune, district
    ("/api/units", "member", 2),  # the same, scoped through the visits' itineraries
    ("/api/itineraries", "coordinator", 4),  # count, page with vehicle, people with users, visits with units
    # count, page with unit and transcriber, answers with items, evidence, corrections, signatures, QR scans
    ("/api/visits", "coordinator", 7),
    ("/api/visits", "member", 7),
    ("/api/follow-ups", "coordinator", 3),  # count, page with unit and correction, steps
    ("/api/reports", "leadership", 2),  # count, page
]


@pytest.mark.parametrize(("path", "role", "queries"), LISTS)
@pytest.mark.parametrize("size", [1, 3])
def test_a_list_costs_the_same_for_one_and_three_items(full, django_assert_num_queries, path, role, queries, size):
    client = signed_in(full[role])

    with django_assert_num_queries(SIGNED_IN + queries):
        response = client.get(path, {"limit": size})

    assert response.status_code == 200
    assert len(response.json()["items"]) == min(size, response.json()["count"])


@pytest.mark.parametrize("path", sorted({path for path, _role, _queries in LISTS}))
@pytest.mark.parametrize("paging", [{"offset": 61298163041271693312}, {"offset": -1}, {"limit": 0}, {"limit": 201}])
def test_a_page_past_any_list_is_refused_in_words_before_the_database(full, path, paging):
    # an offset past a bigint reached PostgreSQL and was a 500 (found by the stateful schema test)
    response = signed_in(full["coordinator"]).get(path, paging)

    assert response.status_code == 422
    assert response.json()["detail"]


def test_the_list_of_reports_reads_no_snapshot(full):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = signed_in(full["leadership"]).get("/api/reports")
    assert response.status_code == 200 and response.json()["count"] >= 1
    assert not [q["sql"] for q in queries if '"reports_provincialreport"."snapshot"' in q["sql"]]
