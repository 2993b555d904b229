"""The leadership dashboard on a dataset built here with known answers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import fieldwork
from inspections.models import Visit
from reports.dashboard import compliance, criteria, dashboard
from tests.factories import make_campaign
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
    assert compliance(visits, "district") == [("Huyện Can Lộc", 2, 1, 1, 0, 443)]
    by_category = compliance(visits, "category")
    assert sorted(row[:5] for row in by_category) == [
        ("Chợ", 1, 0, 1, 0), ("UBND huyện, thị xã, thành phố", 1, 1, 0, 0)]
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

    # session, user with groups, campaign, headline (visits, targets, follow-ups, never inspected), progress, criteria,
    # by district (and the list of all districts), by category, QR coverage; the filter form's campaign (rendered
    # twice) and category choices
    with django_assert_num_queries(16):
        response = client.get(reverse("reports:campaign_dashboard", args=[world["campaign"].pk]))
    by_area = response.context["by_area"]
    assert len(by_area) == 13  # every district, those without an approved visit as zeros
    assert len([row for row in by_area if row[1]]) == districts


def _visit(world, name, commune, category, overall, day):
    from tests.factories import make_unit, make_visit

    return make_visit(world["campaign"], make_unit(name, commune=commune, category=category), day=day,
                      conclusion={"overall": overall})


def test_the_dashboard_drills_from_the_province_to_a_visit(client, world, leadership):
    _visit(world, "Chợ Hà Tĩnh", 18070, "cho", "chua_dat", datetime.date(2021, 12, 10))
    url = reverse("reports:campaign_dashboard", args=[world["campaign"].pk])
    client.force_login(leadership)

    province = client.get(url).context
    rows = [row for row in province["area_rows"] if row["figures"][0][0]]
    assert [(row["name"], [count for count, _href in row["figures"]]) for row in rows] == [
        ("Thành phố Hà Tĩnh", [1, 0, 0, 1]), ("Huyện Can Lộc", [2, 1, 1, 0])]
    can_loc = rows[1]
    district = client.get(can_loc["drill"]).context
    assert district["level"] == "commune" and district["headline"]["approved"] == 2
    commune = district["area_rows"][0]
    assert commune["name"] == "Thị trấn Nghèn"
    units = client.get(commune["drill"]).context
    assert units["level"] == "unit"
    assert sorted(row["name"] for row in units["area_rows"]) == ["Chợ Nghèn", "UBND Huyện Can Lộc"]
    market = next(row for row in units["area_rows"] if row["name"] == "Chợ Nghèn")
    visits = client.get(market["figures"][0][1]).context["page"]
    assert [visit.pk for visit in visits] == [world["market"].pk]
    assert f'href="{reverse("inspections:visit_detail", args=[world["market"].pk])}"' in client.get(
        market["figures"][0][1]).content.decode()


def test_every_figure_lists_as_many_visits_as_it_counts(client, world, leadership):
    _visit(world, "Chợ Hà Tĩnh", 18070, "cho", "chua_dat", datetime.date(2021, 12, 10))
    client.force_login(leadership)
    context = client.get(reverse("reports:campaign_dashboard", args=[world["campaign"].pk])).context
    figures = [figure for row in context["area_rows"] + context["category_rows"] for figure in row["figures"]]
    figures += [figure for _code, row in context["criteria_rows"] for figure in row]
    for count, href in figures:
        assert client.get(href).context["page"].count == count, href
    for _day, _scheduled, visited, _approved, _total, href in context["progress_rows"]:
        assert client.get(href + "&status=inspected").context["page"].count == visited


def test_the_filters_narrow_every_panel(client, world, leadership):
    _visit(world, "Chợ Hà Tĩnh", 18070, "cho", "chua_dat", datetime.date(2021, 12, 10))
    client.force_login(leadership)
    url = reverse("reports:campaign_dashboard", args=[world["campaign"].pk])

    by_date = client.get(url, {"date_from": "08/12/2021", "date_to": "31/12/2021"}).context
    assert by_date["headline"]["approved"] == 1 and by_date["criteria"][3] == ("overall", 0, 0, 1)
    by_category = client.get(url, {"category": "cho"}).context
    assert by_category["headline"]["approved"] == 2
    assert [row[:5] for row in by_category["by_category"]] == [("Chợ", 2, 0, 1, 1)]

    wrong = client.get(url, {"date_from": "31/12/2021", "date_to": "01/12/2021"})
    assert "The start date must not be after the end date." in wrong.content.decode() or \
        "Ngày bắt đầu không được sau ngày kết thúc." in wrong.content.decode()

    other = make_campaign(title="Kiểm tra lần 2")
    moved = client.get(url, {"campaign": other.pk, "category": "cho"})
    assert moved.url == reverse("reports:campaign_dashboard", args=[other.pk]) + "?category=cho"


def test_the_visits_behind_a_figure_are_for_the_dic_only(client, world, leadership):
    url = reverse("reports:campaign_visits", args=[world["campaign"].pk])
    client.force_login(world["member"])  # on the campaign's team, but no dashboard
    assert client.get(url).status_code == 403
    client.force_login(world["outsider"])
    assert client.get(reverse("reports:campaign_visits", args=[world["campaign"].pk + 99])).status_code == 404


@pytest.mark.parametrize("visits", [1, 3])
def test_the_visits_behind_a_figure_run_a_fixed_number_of_queries(client, world, leadership, visits,
                                                                   django_assert_num_queries):
    for index in range(visits):
        _visit(world, f"Chợ số {index}", 18070, "cho", "dat", datetime.date(2021, 12, 10))
    client.force_login(leadership)
    # session, user+groups, campaign, count, page of visits; the form's campaign, category, district, commune choices
    with django_assert_num_queries(10):
        response = client.get(reverse("reports:campaign_visits", args=[world["campaign"].pk]), {"status": "approved"})
    assert response.context["page"].count == visits + 2  # and the fixture's two


def test_the_figures_never_count_a_visit_the_viewer_may_not_see(world):
    """The dashboard is the DIC's, but its figures are scoped all the same: an inspector
    of the other team counts none of team 1's visits, the member counts them."""
    today = timezone.localdate()
    member, outsider = dashboard(world["campaign"], world["member"], today), dashboard(
        world["campaign"], world["outsider"], today)
    assert member["headline"]["approved"] == 2 and outsider["headline"]["approved"] == 0
    assert [row for row in outsider["by_area"] if row[1]] == [] and outsider["by_category"] == []
    assert outsider["criteria"][3] == ("overall", 0, 0, 0)


def test_a_campaign_out_of_reach_is_not_found(client, world, leadership):
    client.force_login(leadership)
    assert client.get(reverse("reports:campaign_dashboard", args=[world["campaign"].pk + 99])).status_code == 404


def test_every_campaign_tab_offers_results_and_reports_to_the_dic_only(client, world, leadership):
    results = reverse("reports:campaign_dashboard", args=[world["campaign"].pk])
    reports = reverse("reports:report_list", args=[world["campaign"].pk])
    for name in ("inspections:schedule", "inspections:team_list", "inspections:campaign_detail"):
        url = reverse(name, args=[world["campaign"].pk])
        client.force_login(leadership)
        page = client.get(url).content.decode()
        assert f'href="{results}"' in page and f'href="{reports}"' in page, name
        client.force_login(world["member"])
        page = client.get(url).content.decode()
        assert results not in page and reports not in page, name
