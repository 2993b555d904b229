"""`make bench`'s floors do the product's work by hand: the same rows, the same figures (a
floor that did less would flatter nobody but make every ratio a lie). Timings are not
tested here (they are shown by `make bench`)."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from inspections.checklist_2021 import seed_checklist_2021
from inspections.models import Answer, Correction, FollowUp, Target, Visit
from inspections.vocabulary import SHORT_OF_COMPLIANCE
from reports import provincial
from reports.dashboard import compliance, criteria, dashboard, visit_figures
from tests.factories import make_campaign, make_unit, make_visit
from units.models import Unit

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TODAY = datetime.date(2021, 12, 20)
# The follow-ups of the corrections asked at the campaign's two visits short of compliance,
# two each: (deadline, outcome).
FOLLOWED_UP = [[(datetime.date(2021, 12, 15), "open"), (datetime.date(2021, 12, 31), "open")],
               [(datetime.date(2021, 12, 15), "fixed"), (datetime.date(2022, 1, 15), "not_fixed")]]


@pytest.fixture
def campaign_with_visits(divisions, campaign, coordinator):
    """Visits of two campaigns, with targets and the corrections of the visits short of
    compliance, followed up (or not yet: one of them)."""
    other = make_campaign(title="Một kế hoạch khác")
    followed_up = iter(FOLLOWED_UP)
    for number, (commune, category, status, overall, day) in enumerate([
            (18070, "cho", "approved", "dat", 3), (18070, "truong_hoc", "approved", "chua_dat", 7),
            (18409, "cho", "approved", "dat_mot_phan", 9), (18409, "cho", "submitted", "dat", 9),
            (18406, "truong_hoc", "scheduled", None, 30), (18406, "cho", "approved", "dat", 31)]):
        unit = make_unit(f"Đơn vị {number}", commune=commune, category=category)
        conclusion = {"a": overall, "b": "dat", "overall": overall} if overall else {}
        visit = make_visit(campaign, unit, day=datetime.date(2021, 12, day), conclusion=conclusion, status=status)
        elsewhere = make_visit(other, unit, day=datetime.date(2021, 12, day), conclusion={"overall": "chua_dat"})
        asked = [(elsewhere, datetime.date(2021, 12, 1), "open")]
        if overall in SHORT_OF_COMPLIANCE:
            asked += [(visit, deadline, outcome) for deadline, outcome in next(followed_up)]
        if overall == "chua_dat":
            asked.append((visit, TODAY, None))  # not followed up yet
        for at, deadline, outcome in asked:
            correction = Correction.objects.create(visit=at, description="Niêm yết mã QR", deadline=deadline,
                                                   added_by=coordinator)
            if outcome:
                FollowUp.objects.create(correction=correction, unit=unit, deadline=deadline, outcome=outcome)
        Target.objects.create(campaign=other, unit=unit, added_by=coordinator)
        if number % 2:
            Target.objects.create(campaign=campaign, unit=unit, added_by=coordinator)
    return campaign


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_the_snapshot_floor_fetches_the_snapshots_rows(bench, campaign_with_visits, coordinator):
    as_of = datetime.date(2021, 12, 30)
    items = {item.code: item for item in seed_checklist_2021().sections.get(order=1).items.all()}
    for visit in Visit.objects.filter(campaign=campaign_with_visits):  # plan items a1, and one that is not
        for code in ("a1", "a2"):
            Answer.objects.create(visit=visit, item=items[code], value="yes", note="Kế hoạch 123", saved_by=coordinator)
    snapshot = provincial.take_snapshot(campaign_with_visits, as_of, coordinator)
    corrections = _rows(bench.SNAPSHOT_CORRECTIONS_SQL, [campaign_with_visits.pk, as_of, list(SHORT_OF_COMPLIANCE)])
    assert [(str(visit), {"description": description, "deadline": (follow_deadline or deadline).isoformat(),
                          "outcome": outcome or "", "steps": steps})
            for visit, description, deadline, outcome, follow_deadline, steps in corrections] == [
        (visit, item) for visit, items in snapshot["corrections"].items() for item in items]
    assert len(corrections) == 5  # two visits short of compliance, two corrections each and one not followed up
    fetched = _rows(bench.SNAPSHOT_SQL, [campaign_with_visits.pk, as_of])
    assert [row[0] for row in fetched] == [row["id"] for row in snapshot["visits"]]
    assert len(fetched) == 3  # approved, up to the 30th, of this campaign
    answers = _rows(bench.SNAPSHOT_ANSWERS_SQL, [campaign_with_visits.pk, as_of, list(provincial.PLAN_ITEMS)])
    assert sorted((visit, code) for visit, code, _value, _note in answers) == sorted(
        (row["id"], code) for row in snapshot["visits"] for code in row["items"]) == sorted(
        (row["id"], "a1") for row in snapshot["visits"])


def test_the_dashboard_floor_counts_what_the_dashboard_shows(bench, campaign_with_visits, leadership):
    with connection.cursor() as cursor:
        headline, targets, follow_ups, _progress, districts, _categories, criteria_counts, _qr = bench._dashboard_sql(
            cursor, campaign_with_visits.pk, TODAY)
    visits = Visit.objects.visible_to(leadership).filter(campaign=campaign_with_visits)
    figures = visit_figures(campaign_with_visits, leadership, visits)
    assert headline == [(figures["scheduled"], figures["visited"], figures["approved"])] == [(6, 5, 4)]
    tiles = dashboard(campaign_with_visits, leadership, TODAY)["headline"]  # from the tallies
    assert targets == [(tiles["targets"],)] == [(3,)]
    assert follow_ups == [tuple(tiles[f"follow_ups_{key}"] for key in ("open", "overdue", "fixed", "not_fixed"))] == [
        (2, 1, 1, 1)]
    assert ({code: tuple(counts) for code, _name, *counts in districts}
            == {row[5]: row[1:5] for row in compliance(visits, "district")})
    assert list(criteria_counts[0]) == [count for _code, *counts in criteria(visits) for count in counts]
    assert criteria(visits)[3] == ("overall", 2, 1, 1)


def test_the_raw_export_floor_fetches_every_row_of_the_export(bench, campaign_with_visits, leadership):
    from reports.rawdata import VisitSheet

    visits = Visit.objects.visible_to(leadership).filter(campaign=campaign_with_visits)
    product = [row[0] for row in VisitSheet(visits).rows()]
    fetched = [row[0] for row in _rows(bench.RAW_VISITS_SQL, [campaign_with_visits.pk])]
    assert fetched == product and len(product) == 6


def test_a_measurement_reads_its_own_peak_memory(bench):
    assert 10 < bench.peak_mb() < 4096  # this process's own peak (VmHWM), in MB


def test_the_annex_floor_writes_the_annexs_list_of_visits(bench, campaign_with_visits, coordinator):
    import io

    from openpyxl import load_workbook

    from reports import services
    from reports.provincial_documents import report_annex

    report = services.create_report(campaign_with_visits, as_of=datetime.date(2021, 12, 31), by=coordinator)
    listed = load_workbook(io.BytesIO(report_annex(report)))["Danh sách lượt"]
    product = [[cell.value for cell in row] for row in listed.iter_rows(min_row=5)]
    for row in product:
        row[6] = row[6].date()  # a date cell reads back as a datetime
    floor = [[None if value == "" else value for value in row] for row in bench._annex_floor_rows(report.pk)]
    assert floor == product and len(floor) == 4  # the approved visits, in the report's order
    assert {row[3] for row in floor} >= {"Huyện Can Lộc"} and {row[10] for row in floor} >= {"Đạt", "Chưa đạt"}


def test_the_bench_data_has_targets_and_follows_up_its_visits_short_of_compliance(bench, db, monkeypatch):
    """`make bench`'s data (scripts/benchmark_results.py: populate) over a few hundred visits, by
    chunks of 100: the dashboard's every tile has something to count, and its floor counts the same."""
    import benchmark_results  # scripts/ is on the path once bench.py is loaded

    monkeypatch.setattr(benchmark_results, "CHUNK", 100)
    campaign, leader = benchmark_results.populate(450, answers_too=False)
    visits = Visit.objects.filter(campaign=campaign)
    visited = set(visits.values_list("unit_id", flat=True))
    targets = set(Target.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    units = set(Unit.objects.values_list("id", flat=True))
    assert targets == visited | {unit for unit in units - visited if unit % 2 == 0}  # every unit visited, some others
    short = visits.filter(status__in=["submitted", "approved"], conclusion__overall__in=SHORT_OF_COMPLIANCE)
    assert sorted(Correction.objects.values_list("visit_id", flat=True)) == sorted(short.values_list("id", flat=True))
    assert set(FollowUp.objects.values_list("correction__visit_id", flat=True)) == set(
        short.filter(status="approved").values_list("id", flat=True))
    for follow_up in FollowUp.objects.select_related("correction__visit"):
        assert follow_up.deadline == follow_up.correction.deadline in benchmark_results.DEADLINES
        assert follow_up.deadline >= timezone.localtime(follow_up.correction.visit.starts_at).date()
        assert (follow_up.outcome == "open") == (follow_up.closed_at is None)
    assert {outcome for outcome in FollowUp.objects.values_list("outcome", flat=True)} == {"open", "fixed",
                                                                                          "not_fixed"}
    assert len(set(FollowUp.objects.values_list("deadline", flat=True))) >= 3

    with connection.cursor() as cursor:
        _headline, floor_targets, floor_follow_ups, *_rest = bench._dashboard_sql(cursor, campaign.pk, TODAY)
    tiles = dashboard(campaign, leader, TODAY)["headline"]
    assert floor_targets == [(tiles["targets"],)] == [(len(targets),)]
    assert floor_follow_ups == [tuple(tiles[f"follow_ups_{key}"] for key in ("open", "overdue", "fixed", "not_fixed"))]
    assert 0 < tiles["follow_ups_overdue"] < tiles["follow_ups_open"]
