"""The dashboard's tallies (reports.models.VisitTally) against the visits themselves: after
each kind of change a visit or a unit goes through, whichever path makes it (a service, a
model's save, a queryset update, a bulk insert, a delete), every figure of the dashboard read
from the tallies equals the same figure counted from the visits, under every filter."""

import datetime
import importlib
import operator
from functools import reduce
from unittest import mock

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from inspections import fieldwork, schedule
from inspections.models import ChecklistItem, Visit
from reports.dashboard import dashboard
from reports.forms import DashboardFilterForm
from reports.models import UnitInspections, UnitTally, VisitTally
from tests.factories import division, make_unit
from tests.inspections.test_fieldwork import DAY, answer_all, at, build
from units.models import Unit, UnitCategory

TODAY = datetime.date(2021, 12, 20)
OTHER_COMMUNE = 18070  # Phường Bắc Hà, Thành phố Hà Tĩnh (Can Lộc's visits are in 18406)
FILTERS = [
    None,
    {"date_from": "07/12/2021", "date_to": "07/12/2021"},
    {"date_from": "08/12/2021"},
    {"date_to": "06/12/2021"},
    {"category": "cho"},
    {"category": "ubnd_huyen", "date_to": "31/12/2021"},
    {"district": "443"},
    {"district": "443", "commune": "18406"},
    {"district": "436"},
]


def both_ways(campaign, user, data):
    """The dashboard from the tallies, and the same dashboard counted from the visits."""
    form = None
    if data is not None:
        form = DashboardFilterForm(data, user=user)
        assert form.is_valid(), form.errors
    tallied = dashboard(campaign, user, TODAY, form)
    with mock.patch("reports.dashboard.sees_every_visit", return_value=False), \
            mock.patch("reports.dashboard.sees_every_unit", return_value=False):
        counted = dashboard(campaign, user, TODAY, form)
    return tallied, counted


def assert_tallies_count_the_visits(campaign, user):
    for data in FILTERS:
        tallied, counted = both_ways(campaign, user, data)
        assert tallied == counted, data
    negative = [Q(**{f"{field.name}__lt": 0}) for field in VisitTally._meta.fields
                if field.get_internal_type() == "IntegerField"]
    assert not VisitTally.objects.filter(reduce(operator.or_, negative)).exists()
    assert not UnitTally.objects.filter(Q(active__lt=0) | Q(with_qr__lt=0) | Q(never_inspected__lt=0)).exists()


@pytest.fixture
def world(db, coordinator):
    world = build(coordinator)
    world["cho"] = UnitCategory.objects.get(code="cho")
    return world


def submitted(visit, member, key, overrides=None):
    visit = fieldwork.start_visit(visit, by=member)
    answer_all(visit, member, overrides)
    fieldwork.submit_visit(visit, by=member, key=key)
    return Visit.objects.get(pk=visit.pk)


def test_every_kind_of_change_keeps_the_tallies_equal_to_the_visits(world, leadership):
    campaign, member, leader = world["campaign"], world["member"], world["leader"]
    check = lambda: assert_tallies_count_the_visits(campaign, leadership)  # noqa: E731
    check()  # scheduled: two visits on the 7th
    assert VisitTally.objects.filter(campaign=campaign).count() == 2  # one market, one committee, same commune and day

    market = submitted(world["market"], member, "m", {"b4": "no"})
    check()
    fieldwork.approve_visit(market, by=leader)
    check()
    committee = submitted(world["committee"], member, "c")
    fieldwork.return_visit(committee, by=leader, comment="Thiếu ảnh")
    check()
    committee = Visit.objects.get(pk=committee.pk)
    overridden = {"a": "dat", "b": "chua_dat", "c": "dat", "overall": "chua_dat"}
    fieldwork.override_conclusion(committee, conclusion=overridden, reason="Đoàn thống nhất", by=leader)
    fieldwork.submit_visit(committee, by=member, key="c2")
    fieldwork.approve_visit(Visit.objects.get(pk=committee.pk), by=leader)
    check()
    # An approved visit amended: its conclusion moves from one column to another.
    fieldwork.amend_answer(Visit.objects.get(pk=market.pk), item=ChecklistItem.objects.get(code="b4"), raw="yes",
                           reason="Đơn vị bổ sung minh chứng", by=leader)
    check()

    # More visits, on other days and in another district, one cancelled.
    bac_ha = make_unit("Trường THCS Bắc Hà", commune=OTHER_COMMUNE, category="truong_hoc")
    itinerary, _check = schedule.save_itinerary(
        campaign=campaign, date=DAY + datetime.timedelta(days=2), departs_at=datetime.time(7),
        returns_at=datetime.time(12), vehicle=world["market"].itinerary.vehicle,
        people=world["market"].itinerary.people.all(),
        visits=[schedule.PlannedVisit(bac_ha, at(8) + datetime.timedelta(days=2), at(9) + datetime.timedelta(days=2))],
        by=world["coordinator"], warnings_confirmed=True)
    school = itinerary.visits.get()
    check()
    schedule.cancel_visit(school, reason="Đơn vị nghỉ Tết", by=world["coordinator"])
    check()

    # Through the models and querysets rather than the services.
    Visit.objects.filter(pk=school.pk).update(status=Visit.Status.SCHEDULED,
                                              starts_at=at(23) - datetime.timedelta(days=3))  # another local day
    check()
    Visit.objects.bulk_create([
        Visit(campaign=campaign, unit=bac_ha, starts_at=at(8) + datetime.timedelta(days=n),
              ends_at=at(9) + datetime.timedelta(days=n)) for n in range(3)])
    check()
    Visit.objects.filter(unit=bac_ha, status=Visit.Status.PLANNED).first().delete()
    check()

    # A unit reclassified, then moved to another district: its visits' counts follow it.
    unit = market.unit
    unit.category = UnitCategory.objects.get(code="doanh_nghiep_sxkd")
    unit.save()
    check()
    unit.commune = division(OTHER_COMMUNE)
    unit.save()
    check()
    Unit.objects.filter(pk=unit.pk).update(commune=division(18406), category=world["cho"])
    check()


def test_every_kind_of_change_to_the_registry_keeps_its_tallies_equal_to_the_units(world, leadership):
    campaign = world["campaign"]
    check = lambda: assert_tallies_count_the_visits(campaign, leadership)  # noqa: E731
    market, committee = world["market"].unit, world["committee"].unit
    check()  # two units scheduled, neither inspected
    assert UnitTally.objects.get(commune__code="18406", category__code="cho").never_inspected == 1

    submitted(world["market"], world["member"], "m")  # the market inspected: no longer "never inspected"
    check()
    assert UnitInspections.objects.get(unit=market).visits == 1
    market.qr_status = Unit.QRStatus.POSTED
    market.save()
    check()
    Unit.objects.filter(pk=committee.pk).update(is_active=False)  # closed: out of every registry figure
    check()
    Unit.objects.filter(pk=committee.pk).update(is_active=True, qr_status=Unit.QRStatus.CREATED)
    check()
    Unit.objects.bulk_create([Unit(name=f"Quán số {n}", address="Can Lộc", commune=division(18406),
                                   category=world["cho"], qr_status=Unit.QRStatus.POSTED if n % 2 else "none")
                              for n in range(4)])
    check()
    Unit.objects.filter(name="Quán số 0").delete()
    check()
    # Its visit set back (through a queryset): the market is never inspected again.
    Visit.objects.filter(pk=world["market"].pk).update(status=Visit.Status.SCHEDULED)
    check()
    assert UnitInspections.objects.get(unit=market).visits == 0
    # A unit moved keeps its counts with it.
    Unit.objects.filter(pk=market.pk).update(commune=division(OTHER_COMMUNE))
    check()


def test_the_tallies_built_at_migration_equal_those_kept_by_the_triggers(world, leadership):
    market = submitted(world["market"], world["member"], "m", {"b4": "no"})
    fieldwork.approve_visit(market, by=world["leader"])
    cells = VisitTally.objects.exclude(approved=0, planned=0, scheduled=0, in_progress=0, submitted=0, returned=0,
                                       cancelled=0)
    kept = sorted(row[1:] for row in cells.values_list())  # without the ids
    migration = importlib.import_module("reports.migrations.0011_visit_tally")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_visittally")
        cursor.execute(migration.apply(migration.visits("inspections_visit", 1)))
    built = sorted(row[1:] for row in VisitTally.objects.values_list())
    assert built == kept
    assert len(built) == 2

    counted = UnitTally.objects.exclude(active=0, with_qr=0, never_inspected=0)
    registry = sorted(row[1:] for row in counted.values_list())
    inspected = sorted(UnitInspections.objects.exclude(visits=0).values_list())
    migration = importlib.import_module("reports.migrations.0012_unit_tally")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_unittally; DELETE FROM reports_unitinspections")
        cursor.execute(migration.BUILD)
    assert sorted(row[1:] for row in UnitTally.objects.values_list()) == registry
    assert sorted(UnitInspections.objects.values_list()) == inspected == [(market.unit_id, 1)]


def test_the_figures_link_to_as_many_visits_as_the_tallies_count(client, world, leadership):
    market = submitted(world["market"], world["member"], "m", {"b4": "no"})
    fieldwork.approve_visit(market, by=world["leader"])
    client.force_login(leadership)
    response = client.get(reverse("reports:campaign_dashboard", args=[world["campaign"].pk]))
    headline = response.context["headline"]
    assert (headline["scheduled"], headline["visited"], headline["approved"]) == (2, 1, 1)
    listed = client.get(reverse("reports:campaign_visits", args=[world["campaign"].pk]), {"status": "approved"})
    assert listed.context["page"].count == headline["approved"]


def test_a_team_member_is_counted_from_their_visits_not_from_the_tallies(world):
    """The tallies count every visit; a member of another team sees none of these."""
    from reports.dashboard import visit_figures

    campaign = world["campaign"]
    assert visit_figures(campaign, world["outsider"])["scheduled"] == 0
    assert visit_figures(campaign, world["member"])["scheduled"] == 2


def test_a_communes_units_are_listed_by_pages(client, world, leadership):
    """A commune's units can be hundreds (the benchmark's million visits: 1,100 per commune)."""
    units = Unit.objects.bulk_create([Unit(name=f"Cửa hàng số {n:03}", address="Can Lộc", commune=division(18406),
                                           category=world["cho"]) for n in range(60)])
    Visit.objects.bulk_create([
        Visit(campaign=world["campaign"], unit=unit, starts_at=at(8), ends_at=at(9), status=Visit.Status.APPROVED,
              conclusion={"a": "dat", "b": "dat", "overall": "dat"}) for unit in units])
    client.force_login(leadership)
    url = reverse("reports:campaign_dashboard", args=[world["campaign"].pk])
    first = client.get(url, {"district": "443", "commune": "18406"})
    assert len(first.context["area_rows"]) == 50
    assert first.context["area_page"].paginator.count == 60
    assert "district=443&amp;commune=18406&amp;page=2" in first.content.decode()
    second = client.get(url, {"district": "443", "commune": "18406", "page": "2"})
    names = [row["name"] for row in second.context["area_rows"]]
    assert len(names) == 10 and names[-1] == "Cửa hàng số 059"
    assert "page=" not in second.context["area_rows"][0]["figures"][0][1]  # a figure's visits start at their first page
    assert len(second.context["chart_data"]["districts"]["labels"]) == 10
