"""The reports' pages run the same number of queries for 1 item as for 3 (STYLE: query
counts on every list, always the `with` form)."""

import datetime

import pytest
from django.urls import reverse

from reports import services
from tests.factories import make_unit, make_visit

COUNTS = [1, 3]
COMPLIANT = {"a": "dat", "b": "dat", "overall": "dat"}


@pytest.mark.parametrize("count", COUNTS)
def test_the_report_list_runs_a_fixed_number_of_queries(client, campaign, coordinator, divisions, count,
                                                        django_assert_num_queries):
    make_visit(campaign, make_unit(), day=datetime.date(2021, 12, 7), conclusion=COMPLIANT)
    days = [datetime.date(2021, 12, 10 + number) for number in range(count)]
    reports = [services.create_report(campaign, as_of=day, by=coordinator) for day in days]
    client.force_login(coordinator)

    # session, user with their groups, the campaign, the reports (who drafted and approved them)
    with django_assert_num_queries(4):
        response = client.get(reverse("reports:report_list", args=[campaign.pk]))
    assert sorted(report.as_of for report in response.context["reports"]) == days
    links = [reverse("reports:report_detail", args=[report.pk]) in response.content.decode() for report in reports]
    assert links == [True] * count


@pytest.mark.parametrize("count", COUNTS)
def test_the_visits_of_a_report_run_a_fixed_number_of_queries(client, campaign, coordinator, divisions, count,
                                                               django_assert_num_queries):
    names = [f"Chợ số {number}" for number in range(1, count + 1)]
    for number, name in enumerate(names):
        make_visit(campaign, make_unit(name), day=datetime.date(2021, 12, 7 + number), conclusion=COMPLIANT)
    report = services.create_report(campaign, as_of=datetime.date(2021, 12, 15), by=coordinator)
    client.force_login(coordinator)

    # session, user with their groups, the report (its campaign, who drafted it, its digest), the visits behind the
    # figure counted and their page (sliced out of the stored snapshot), which of them the viewer may see
    with django_assert_num_queries(6):
        response = client.get(reverse("reports:report_visits", args=[report.pk]))
    assert sorted(row["unit"] for row in response.context["page"]) == names
    assert [name in response.content.decode() for name in names] == [True] * count
