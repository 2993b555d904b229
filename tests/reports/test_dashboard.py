"""The leadership dashboard on a dataset built here with known answers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import fieldwork
from inspections.models import Visit
from reports.dashboard import compliance, criteria, dashboard
from tests.inspections.test_fieldwork import answer_all, build


@pytest.fixture
def world(db, coordinator):
    world = build(coordinator)
    market = fieldwork.start_visit(world["market"], by=world["member"])
    answer_all(market, world["member"], {"b4": "no"})  # partly compliant
    fieldwork.submit_visit(market, by=world["member"], key="m")
    fieldwork.approve_visit(market, by=world["leader"])
    committee = fieldwork.start_visit(world["committee"], by=world["member"])
    answer_all(committee, world["member"])  # compliant
    fieldwork.submit_visit(committee, by=world["member"], key="c")
    fieldwork.approve_visit(committee, by=world["leader"])
    return world


def test_the_figures_of_a_known_dataset_and_totals_equal_their_parts(world, leadership):
    visits = Visit.objects.visible_to(leadership)

    assert criteria(visits) == [("a", 2, 0, 0), ("b", 1, 1, 0), ("c", 1, 0, 0), ("overall", 1, 1, 0)]
    assert compliance(visits, "district") == [("Huyện Can Lộc", 2, 1, 1, 0)]
    by_category = compliance(visits, "category")
    assert sorted(by_category) == [("Chợ", 1, 0, 1, 0), ("UBND huyện, thị xã, thành phố", 1, 1, 0, 0)]
    assert sum(row[1] for row in by_category) == sum(row[2] + row[3] + row[4] for row in by_category) == 2

    figures = dashboard(world["campaign"], leadership, timezone.localdate())
    assert {k: figures["headline"][k] for k in ("scheduled", "visited", "approved")} == {
        "scheduled": 2, "visited": 2, "approved": 2}
    day = [row for row in figures["progress"] if row[0] == datetime.date(2021, 12, 7)]
    assert day == [(datetime.date(2021, 12, 7), 2, 2, 2, 2)]
    assert figures["progress"][-1][4] == 2  # cumulated to the end of the period


def test_only_the_dic_sees_the_dashboard(client, world, leadership):
    url = reverse("reports:campaign_dashboard", args=[world["campaign"].pk])
    client.force_login(leadership)
    response = client.get(url)
    assert response.context["headline"]["approved"] == 2
    assert 'id="chart-data" type="application/json"' in response.content.decode()

    client.force_login(world["member"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("districts", [1, 3])
def test_the_dashboard_runs_a_fixed_number_of_queries(client, coordinator, leadership, districts,
                                                     django_assert_num_queries, db):
    from tests.factories import make_unit

    world = build(coordinator)
    for index, commune in enumerate([18070, 18229, 18409][:districts]):
        unit = make_unit(f"Chợ số {index}", commune=commune)
        Visit.objects.create(campaign=world["campaign"], unit=unit, status=Visit.Status.APPROVED,
                             conclusion={"overall": "dat"},
                             starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(hours=1))
    client.force_login(leadership)

    # session, user, groups, campaign, headline (visits, targets, follow-ups, never inspected), progress, criteria,
    # by district, by category, QR coverage
    with django_assert_num_queries(13):
        response = client.get(reverse("reports:campaign_dashboard", args=[world["campaign"].pk]))
    assert len(response.context["by_district"]) == districts
