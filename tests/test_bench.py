"""`make bench`'s floors do the product's work by hand: the same rows, the same figures (a
floor that did less would flatter nobody but make every ratio a lie). Timings are not
tested here (they are shown by `make bench`)."""

import datetime
import importlib.util
from pathlib import Path

import pytest
from django.db import connection

from inspections.checklist_2021 import seed_checklist_2021
from inspections.models import Answer, Visit
from reports import provincial
from reports.dashboard import compliance, criteria, visit_figures
from tests.factories import make_campaign, make_unit, make_visit

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def campaign_with_visits(divisions, campaign):
    other = make_campaign(title="Một kế hoạch khác")
    for number, (commune, category, status, overall, day) in enumerate([
            (18070, "cho", "approved", "dat", 3), (18070, "truong_hoc", "approved", "chua_dat", 7),
            (18409, "cho", "approved", "dat_mot_phan", 9), (18409, "cho", "submitted", "dat", 9),
            (18406, "truong_hoc", "scheduled", None, 30), (18406, "cho", "approved", "dat", 31)]):
        unit = make_unit(f"Đơn vị {number}", commune=commune, category=category)
        conclusion = {"a": overall, "b": "dat", "overall": overall} if overall else {}
        make_visit(campaign, unit, day=datetime.date(2021, 12, day), conclusion=conclusion, status=status)
        make_visit(other, unit, day=datetime.date(2021, 12, day), conclusion={"overall": "dat"})
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
    fetched = _rows(bench.SNAPSHOT_SQL, [campaign_with_visits.pk, as_of])
    assert [row[0] for row in fetched] == [row["id"] for row in snapshot["visits"]]
    assert len(fetched) == 3  # approved, up to the 30th, of this campaign
    answers = _rows(bench.SNAPSHOT_ANSWERS_SQL, [campaign_with_visits.pk, as_of, list(provincial.PLAN_ITEMS)])
    assert sorted((visit, code) for visit, code, _value, _note in answers) == sorted(
        (row["id"], code) for row in snapshot["visits"] for code in row["items"]) == sorted(
        (row["id"], "a1") for row in snapshot["visits"])


def test_the_dashboard_floor_counts_what_the_dashboard_shows(bench, campaign_with_visits, leadership):
    with connection.cursor() as cursor:
        headline, _targets, _progress, districts, _categories, criteria_counts, _qr = bench._dashboard_sql(
            cursor, campaign_with_visits.pk)
    visits = Visit.objects.visible_to(leadership).filter(campaign=campaign_with_visits)
    figures = visit_figures(campaign_with_visits, leadership, visits)
    assert headline == [(figures["scheduled"], figures["visited"], figures["approved"])] == [(6, 5, 4)]
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
