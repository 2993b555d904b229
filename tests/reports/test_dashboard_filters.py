"""Every figure of the dashboard follows every filter (issue 14, point 2): campaign, dates,
category and the drilled area. Each figure of the page is compared with a count made here
directly, in Python, over the rows of a dataset where every filter leaves some rows out."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Correction, FollowUp, Target, Visit
from tests.factories import division, make_campaign, make_unit, make_visit
from units.models import Division, Unit

DAYS = [datetime.date(2021, 12, 6), datetime.date(2021, 12, 13), datetime.date(2021, 12, 20)]
# (status, overall conclusion) of the visits, dealt out over the units in turn
VISITS = [("approved", "dat"), ("approved", "chua_dat"), ("approved", "dat_mot_phan"), ("submitted", "dat"),
          ("scheduled", None), ("cancelled", None), ("planned", None), ("in_progress", None), ("approved", "dat")]
OUTCOMES = [FollowUp.Outcome.OPEN, FollowUp.Outcome.FIXED, FollowUp.Outcome.NOT_FIXED]
FAR_DEADLINE = datetime.date(2100, 1, 1)  # open, and not overdue whatever the day the test runs
OLD_DEADLINE = datetime.date(2021, 12, 28)


@pytest.fixture
def world(divisions, campaign, coordinator):
    other = make_campaign(title="Một kế hoạch khác")
    city = division(18070).parent
    city_communes = list(Division.objects.filter(parent=city).order_by("code")[:2])
    loc_ha = division(18409)
    deal, outcomes = itertools.cycle(VISITS), itertools.cycle([FollowUp.Outcome.OPEN, *OUTCOMES])
    units = []
    for number, (commune, category) in enumerate(itertools.product(
            [*city_communes, loc_ha], ["cho", "truong_hoc"])):
        unit = make_unit(f"Đơn vị {number}", commune=commune.code, category=category,
                         qr_status=Unit.QRStatus.POSTED if number % 2 else Unit.QRStatus.NONE)
        units.append(unit)
        if number % 3 != 2:  # not every unit is a target
            Target.objects.create(campaign=campaign, unit=unit, added_by=coordinator)
        for day in DAYS[: 1 + number % 3]:
            status, overall = next(deal)
            conclusion = {"a": overall, "b": "dat", "overall": overall} if overall else {}
            visit = make_visit(campaign, unit, day=day, conclusion=conclusion, status=status)
            if overall:  # a correction asked at every visit concluded, followed up in turn
                _follow_up(visit, coordinator, next(outcomes), FAR_DEADLINE if number % 2 else OLD_DEADLINE)
        # The other campaign's visits and follow-ups count on its own dashboard only.
        visit = make_visit(other, unit, day=DAYS[0], conclusion={"a": "chua_dat", "overall": "chua_dat"})
        _follow_up(visit, coordinator, FollowUp.Outcome.OPEN, OLD_DEADLINE)
    for commune in [*city_communes, loc_ha]:  # never visited at all; one of them no longer active
        make_unit(f"Chưa kiểm tra ở {commune.name}", commune=commune.code, category="cho",
                  is_active=commune != loc_ha)
    return {"campaign": campaign, "other": other, "city": city, "communes": city_communes, "loc_ha": loc_ha}


def _follow_up(visit, by, outcome, deadline):
    correction = Correction.objects.create(visit=visit, description="Niêm yết mã QR", deadline=deadline, added_by=by)
    FollowUp.objects.create(correction=correction, unit=visit.unit, deadline=deadline, outcome=outcome)


def _filters(world) -> list[dict]:
    city, second, loc_ha = world["city"], world["communes"][1], world["loc_ha"]
    return [
        {},
        {"date_from": "01/12/2021", "date_to": "10/12/2021"},
        {"date_from": "13/12/2021"},
        {"category": "cho"},
        {"district": city.code},
        {"district": city.code, "commune": second.code},
        {"district": loc_ha.parent.code, "category": "truong_hoc", "date_to": "13/12/2021"},
    ]


def _unit_in(unit, query) -> bool:
    return ((not query.get("category") or unit.category.code == query["category"])
            and (not query.get("district") or unit.commune.parent.code == query["district"])
            and (not query.get("commune") or unit.commune.code == query["commune"]))


def _day(text):
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


def _visit_in(visit, query) -> bool:
    day = timezone.localtime(visit.starts_at).date()
    return (_unit_in(visit.unit, query)
            and (not query.get("date_from") or day >= _day(query["date_from"]))
            and (not query.get("date_to") or day <= _day(query["date_to"])))


def _expected(world, query) -> dict:
    """Every figure, counted directly over the campaign's rows."""
    campaign = world["campaign"]
    visits = [v for v in Visit.objects.select_related("unit__commune__parent", "unit__category").filter(
        campaign=campaign) if _visit_in(v, query)]
    approved = [v for v in visits if v.status == "approved"]
    follow_ups = [f for f in FollowUp.objects.select_related("correction__visit__unit__commune__parent",
                                                             "correction__visit__unit__category")
                  if f.correction.visit.campaign_id == campaign.pk and _visit_in(f.correction.visit, query)]
    units = [u for u in Unit.objects.select_related("commune__parent", "category") if _unit_in(u, query)]
    inspected_units = set(Visit.objects.filter(status__in=Visit.INSPECTED).values_list("unit_id", flat=True))
    today = timezone.localdate()
    level = "unit" if query.get("commune") else "commune" if query.get("district") else "district"
    area = {"district": lambda v: v.unit.commune.parent.code, "commune": lambda v: v.unit.commune.code,
            "unit": lambda v: v.unit_id}[level]

    def table(key):
        rows = {}
        for visit in approved:
            row = rows.setdefault(key(visit), [0, 0, 0, 0])
            row[0] += 1
            row[1 + ["dat", "dat_mot_phan", "chua_dat"].index(visit.conclusion["overall"])] += 1
        return {k: tuple(v) for k, v in rows.items()}

    progress = {}
    for visit in visits:
        if visit.status != "cancelled":
            row = progress.setdefault(timezone.localtime(visit.starts_at).date(), [0, 0, 0])
            row[0] += 1
            row[1] += visit.status in Visit.INSPECTED
            row[2] += visit.status == "approved"
    active = [u for u in units if u.is_active]
    return {
        "headline": {
            "targets": sum(1 for t in Target.objects.filter(campaign=campaign).select_related(
                "unit__commune__parent", "unit__category") if _unit_in(t.unit, query)),
            "scheduled": sum(1 for v in visits if v.status not in ("planned", "cancelled")),
            "visited": sum(1 for v in visits if v.status in Visit.INSPECTED),
            "approved": len(approved),
            "follow_ups_open": sum(1 for f in follow_ups if f.outcome == "open"),
            "follow_ups_overdue": sum(1 for f in follow_ups if f.outcome == "open" and f.deadline < today),
            "follow_ups_fixed": sum(1 for f in follow_ups if f.outcome == "fixed"),
            "follow_ups_not_fixed": sum(1 for f in follow_ups if f.outcome == "not_fixed"),
            "never_inspected": sum(1 for u in active if u.pk not in inspected_units),
        },
        "criteria": [(code, *(sum(1 for v in approved if v.conclusion.get(code) == value)
                              for value in ("dat", "dat_mot_phan", "chua_dat")))
                     for code in ("a", "b", "c", "overall")],
        "by_area": table(area),
        "by_category": table(lambda v: v.unit.category.code),
        "progress": {day: tuple(row) for day, row in progress.items()},
        "qr": (len(active), sum(1 for u in active if u.qr_status != "none")),
    }


def _shown(context) -> dict:
    headline = context["headline"]
    return {
        "headline": {key: headline[key] for key in (
            "targets", "scheduled", "visited", "approved", "follow_ups_open", "follow_ups_overdue",
            "follow_ups_fixed", "follow_ups_not_fixed", "never_inspected")},
        "criteria": context["criteria"],
        "by_area": {row[5]: row[1:5] for row in context["by_area"] if row[1]},
        "by_category": {row[5]: row[1:5] for row in context["by_category"]},
        "progress": {day: (scheduled, visited, approved)
                     for day, scheduled, visited, approved, _total in context["progress"] if scheduled},
        "qr": context["qr_by_district"][1][1:3],
    }


def test_every_figure_equals_a_direct_count_under_each_filter(client, world, leadership):
    client.force_login(leadership)
    url = reverse("reports:campaign_dashboard", args=[world["campaign"].pk])
    seen = []
    for query in _filters(world):
        response = client.get(url, query)
        assert response.status_code == 200
        expected = _expected(world, query)
        assert _shown(response.context) == expected, query
        seen.append(expected["headline"])
    # Each filter changes the figures (a filter a tile ignored would leave it as it was).
    for key in ("targets", "approved", "follow_ups_open", "never_inspected"):
        assert len({headline[key] for headline in seen}) > 2, key


def test_the_follow_ups_and_targets_of_another_campaign_are_not_counted(client, world, leadership):
    client.force_login(leadership)
    other = client.get(reverse("reports:campaign_dashboard", args=[world["other"].pk])).context["headline"]
    # The other campaign: one approved, non-compliant visit of each of the six units, each with an
    # open, overdue follow-up; no targets.
    assert {key: other[key] for key in ("targets", "approved", "follow_ups_open", "follow_ups_overdue",
                                        "follow_ups_fixed")} == {
        "targets": 0, "approved": 6, "follow_ups_open": 6, "follow_ups_overdue": 6, "follow_ups_fixed": 0}


def test_the_never_inspected_tile_links_to_the_same_units(client, world, leadership, coordinator):
    client.force_login(leadership)
    city, second = world["city"], world["communes"][1]
    query = {"district": city.code, "commune": second.code, "category": "cho"}
    response = client.get(reverse("reports:campaign_dashboard", args=[world["campaign"].pk]), query)
    href = response.context["headline_links"]["never_inspected"]
    client.force_login(coordinator)
    listed = client.get(href).context["page"]
    assert [unit.name for unit in listed] == [f"Chưa kiểm tra ở {second.name}"]
    assert response.context["headline"]["never_inspected"] == 1
