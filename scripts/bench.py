"""`make bench SIZE=N`: every heavy path of the product beside its floor, in the same run.

    .venv/bin/python -m config.localdb -- .venv/bin/python scripts/bench.py [--size N] [--rounds 3]

Generates a campaign of N visits (`scripts/benchmark_results.py: populate()`, COPY) and an
import workbook of N rows in a throwaway database and media folder of their own (dropped at
the end), drafts a report over it, then measures each path and its floor — the same work
written by hand with nothing of the product in the way — in rounds interleaved path by path
(product, floor, next path, …; then the next round), each measurement in a fresh process
so that its peak resident memory (VmHWM) is its own. Prints, per path, the median of the
rounds:

    bench: PATH product=SECONDS floor=SECONDS ratio=R peak_mb=M floor_peak_mb=M

| path | product | floor |
|---|---|---|
| dashboard | the dashboard page (test client, leadership) | the direct SQL aggregates + the trivial view (/healthz) |
| annex | `report_annex()` | openpyxl write-only over the same cells, read from the same snapshot |
| raw-export | `write_raw_export()` | psycopg fetch of the same rows + openpyxl write-only |
| import-preview | `parse_import()` (read, classify, store the rows) | openpyxl read-only pass over the file |
| import-commit | `commit_import()` of that preview | openpyxl read-only pass over the file |
| report-snapshot | `take_snapshot()` | psycopg fetch of the same rows |
| report-page | the report's page (test client, Inspectorate) | the trivial view (/healthz) |

The two pages are requested once untimed first (a server answers many requests; the
first one of a process pays for loading templates and code), the jobs run cold, as a
background worker runs each of them. peak_mb includes the Python process with Django
loaded (about 70 MB); the floors' processes load Django too, so the two are comparable.
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "scripts"))

# What a path reads beyond the visits (a kept data set made for other paths may still hold it).
NEEDS = {"annex": "report", "report-snapshot": "report", "report-page": "report", "import-preview": "workbook",
         "import-commit": "workbook", "raw-export": "answers"}
PATHS = ("dashboard", "annex", "raw-export", "import-preview", "import-commit", "report-snapshot", "report-page")
AS_OF = datetime.date(2021, 12, 31)


def peak_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux keeps it across fork and exec,
    so a worker would report the parent's peak (the data generation's); VmHWM belongs to the
    process's own address space."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------ the worker (one measurement)


def _client(user_id: int):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # "testserver" allowed; the page is rendered as in a request
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    return client


def _get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")


def _dashboard_sql(cursor, campaign_id: int, today=None) -> list[list[tuple]]:
    """The dashboard's figures, written by hand: one statement per panel (headline, targets,
    follow-ups open, overdue on `today` (the local day by default, as the page's), fixed and
    not fixed, progress, by district, by category, criteria, QR coverage), their rows."""
    from django.utils import timezone

    from inspections.models import Visit
    from inspections.vocabulary import CONCLUSIONS, CRITERIA

    today = today or timezone.localdate()

    inspected = [str(status) for status in Visit.INSPECTED]
    counts = ", ".join(f"count(*) FILTER (WHERE v.conclusion->>'overall' = '{value}')" for value in CONCLUSIONS)
    criteria = ", ".join(f"count(*) FILTER (WHERE conclusion->>'{code}' = '{value}')"
                         for code in CRITERIA for value in CONCLUSIONS)
    joins = ("FROM inspections_visit v JOIN units_unit u ON u.id = v.unit_id "
             "JOIN units_division c ON c.id = u.commune_id JOIN units_division d ON d.id = c.parent_id "
             "JOIN units_unitcategory k ON k.id = u.category_id ")
    statements = [
        ("SELECT count(*) FILTER (WHERE status NOT IN ('planned', 'cancelled')), "
         "count(*) FILTER (WHERE status = ANY(%s)), count(*) FILTER (WHERE status = 'approved') "
         "FROM inspections_visit WHERE campaign_id = %s", [inspected, campaign_id]),
        ("SELECT count(*) FROM inspections_target WHERE campaign_id = %s", [campaign_id]),
        ("SELECT count(*) FILTER (WHERE f.outcome = 'open'), count(*) FILTER (WHERE f.outcome = 'open' "
         "AND f.deadline < %s), count(*) FILTER (WHERE f.outcome = 'fixed'), "
         "count(*) FILTER (WHERE f.outcome = 'not_fixed') FROM inspections_followup f "
         "JOIN inspections_correction c ON c.id = f.correction_id JOIN inspections_visit v ON v.id = c.visit_id "
         "WHERE v.campaign_id = %s", [today, campaign_id]),
        ("SELECT (starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, count(*), "
         "count(*) FILTER (WHERE status = ANY(%s)), count(*) FILTER (WHERE status = 'approved') "
         "FROM inspections_visit WHERE campaign_id = %s AND status <> 'cancelled' GROUP BY 1",
         [inspected, campaign_id]),
        (f"SELECT d.code, d.name, count(*), {counts} {joins} WHERE v.campaign_id = %s AND v.status = 'approved' "
         "GROUP BY d.code, d.name", [campaign_id]),
        (f"SELECT k.code, k.name, count(*), {counts} {joins} WHERE v.campaign_id = %s AND v.status = 'approved' "
         "GROUP BY k.code, k.name", [campaign_id]),
        (f"SELECT {criteria} FROM inspections_visit "  # noqa: S608 (the vocabulary's constants, no input)
         "WHERE campaign_id = %s AND status = 'approved'", [campaign_id]),
        ("SELECT d.code, count(*), count(*) FILTER (WHERE u.qr_status <> 'none') FROM units_unit u "
         "JOIN units_division c ON c.id = u.commune_id JOIN units_division d ON d.id = c.parent_id "
         "WHERE u.is_active GROUP BY d.code", []),
    ]
    results = []
    for sql, params in statements:
        cursor.execute(sql, params)
        results.append(cursor.fetchall())
    return results


SNAPSHOT_SQL = (
    "SELECT v.id, v.unit_id, u.name, d.code, c.code, c.name, k.code, v.starts_at, v.conclusion, v.qr_codes, "
    "v.scans_last_7_days, v.staff_total, v.staff_with_app, v.portal_accounts "
    "FROM inspections_visit v JOIN units_unit u ON u.id = v.unit_id "
    "JOIN units_division c ON c.id = u.commune_id JOIN units_division d ON d.id = c.parent_id "
    "JOIN units_unitcategory k ON k.id = u.category_id "
    "WHERE v.campaign_id = %s AND v.status = 'approved' "
    "AND (v.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= %s ORDER BY v.starts_at, v.id")
# The snapshot also states, per visit, its answers to the plan's items (reports/provincial.py:
# PLAN_ITEMS): the floor fetches those rows too.
SNAPSHOT_ANSWERS_SQL = (
    "SELECT a.visit_id, i.code, a.value, a.note FROM inspections_answer a "
    "JOIN inspections_checklistitem i ON i.id = a.item_id JOIN inspections_visit v ON v.id = a.visit_id "
    "WHERE v.campaign_id = %s AND v.status = 'approved' "
    "AND (v.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= %s AND i.code = ANY(%s)")

# And the corrections of the visits short of compliance, with their follow-up's outcome and
# deadline and its number of steps (take_snapshot's "corrections").
SNAPSHOT_CORRECTIONS_SQL = (
    "SELECT c.visit_id, c.description, c.deadline, f.outcome, f.deadline, count(s.id) "
    "FROM inspections_correction c JOIN inspections_visit v ON v.id = c.visit_id "
    "LEFT JOIN inspections_followup f ON f.correction_id = c.id "
    "LEFT JOIN inspections_followupstep s ON s.follow_up_id = f.id "
    "WHERE v.campaign_id = %s AND v.status = 'approved' "
    "AND (v.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= %s AND v.conclusion->>'overall' = ANY(%s) "
    "GROUP BY c.id, f.id ORDER BY c.visit_id, c.deadline, c.id")

RAW_VISITS_SQL = (
    "SELECT v.id, u.name, k.name, d.name, c.name, v.starts_at, v.status, v.conclusion, v.staff_total, "
    "v.staff_with_app, v.qr_codes, v.scans_last_7_days, v.portal_accounts, v.shortcomings, v.recommendations "
    "FROM inspections_visit v JOIN units_unit u ON u.id = v.unit_id JOIN units_unitcategory k ON k.id = u.category_id "
    "JOIN units_division c ON c.id = u.commune_id JOIN units_division d ON d.id = c.parent_id "
    "WHERE v.campaign_id = %s ORDER BY v.starts_at, v.position, v.id")

RAW_ANSWERS_SQL = (
    "SELECT a.visit_id, u.name, d.name, s.code, i.code, i.text, a.value, a.note, a.saved_at "
    "FROM inspections_answer a JOIN inspections_visit v ON v.id = a.visit_id JOIN units_unit u ON u.id = v.unit_id "
    "JOIN units_division c ON c.id = u.commune_id JOIN units_division d ON d.id = c.parent_id "
    "JOIN inspections_checklistitem i ON i.id = a.item_id JOIN inspections_checklistsection s ON s.id = i.section_id "
    "WHERE v.campaign_id = %s ORDER BY v.starts_at, v.position, v.id, s.order, i.order, i.code")


def _server_side(sql: str, params: list):
    """Rows of a statement through a psycopg named (server-side) cursor, 2,000 at a time."""
    from django.db import connection, transaction

    # A named cursor lives in a transaction (Django runs in autocommit).
    with transaction.atomic(), connection.connection.cursor(name=f"bench_{time.monotonic_ns()}") as cursor:
        cursor.itersize = 2000
        cursor.execute(sql, params)
        yield from cursor


def _write_only(sheets, target) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(target)


def _annex_floor_rows(report_id: int):
    """The cells of the annex's list of visits, plain: the same rows fetched by psycopg
    (server-side) out of the stored snapshot, names and conclusions looked up in dicts."""
    from django.db import connection

    from inspections.vocabulary import CONCLUSION_TEXT
    from reports.provincial import ANNEX_VISITS_SQL

    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot->'districts', snapshot->'categories' FROM reports_provincialreport "
                       "WHERE id = %s", [report_id])
        districts, categories = (dict(json.loads(names)) for names in cursor.fetchone())
    text = CONCLUSION_TEXT.get
    for index, (visit_id, unit, district, commune, category, on, a, b, c, overall, qr_codes, scans) in enumerate(
            _server_side(ANNEX_VISITS_SQL, [report_id]), 1):
        yield [index, visit_id, unit, districts.get(district, ""), commune, categories.get(category, ""), on,
               text(a, ""), text(b, ""), text(c, ""), text(overall, ""), qr_codes, scans]


def _read_only_pass(path: str) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


def _local(moment):
    import zoneinfo

    return moment.astimezone(zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None) if moment else None


def _cell(value):
    return value if value is None or isinstance(value, int | float | str) else json.dumps(value, ensure_ascii=False)


def work(path: str, side: str, state: dict):
    """The callable that one measurement times (built untimed: objects fetched, pages warmed)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.urls import reverse

    campaign_id = state["campaign"]
    if path == "baseline":
        return lambda: None
    if path == "dashboard":
        client = _client(state["leader"])
        page, health = reverse("reports:campaign_dashboard", args=[campaign_id]), reverse("healthz")
        if side == "product":
            _get(client, page)
            return lambda: _get(client, page)
        _get(client, health)

        def floor():
            with connection.cursor() as cursor:
                _dashboard_sql(cursor, campaign_id)
            _get(client, health)
        return floor

    if path == "report-page":
        client = _client(state["coordinator"])
        url = reverse("reports:report_detail", args=[state["report"]]) if side == "product" else reverse("healthz")
        _get(client, url)
        return lambda: _get(client, url)

    if path == "annex":
        from reports.models import ProvincialReport
        from reports.provincial_documents import report_annex

        if side == "product":
            # the report's fields, its snapshot left in the database (the annex reads none of it)
            reports = ProvincialReport.objects.defer("snapshot", "short_rows")
            return lambda: report_annex(reports.get(pk=state["report"]))

        def floor():
            _write_only([("Danh sách lượt", _annex_floor_rows(state["report"]))], tempfile.TemporaryFile())
        return floor

    if path == "raw-export":
        from reports.models import RawExport
        from reports.rawdata import write_raw_export

        if side == "product":
            user = get_user_model().objects.get(pk=state["leader"])
            export = RawExport.objects.create(campaign_id=campaign_id, requested_by=user)
            export = RawExport.objects.select_related("campaign", "requested_by").get(pk=export.pk)

            def product():
                write_raw_export(export)
                export.refresh_from_db()
                if export.status != RawExport.Status.DONE:
                    sys.exit(f"raw export failed: {export.message}")
            return product

        def floor():
            # Django hands jsonb over as text (it parses it itself): so does the floor.
            visits = ([*row[:5], _local(row[5]).date(), row[6],
                       *(str(json.loads(row[7] or "{}").get(code, "")) for code in ("a", "b", "c", "overall")),
                       *row[8:]] for row in _server_side(RAW_VISITS_SQL, [campaign_id]))
            answers = ([*row[:6], _cell(json.loads(row[6]) if row[6] else None), row[7], _local(row[8])]
                       for row in _server_side(RAW_ANSWERS_SQL, [campaign_id]))
            _write_only([("Visits", visits), ("Answers", answers)], tempfile.TemporaryFile())
        return floor

    if path in ("import-preview", "import-commit"):
        from django.core.files import File

        from units import imports
        from units.models import ImportBatch

        if side == "floor":
            return lambda: _read_only_pass(state["workbook"])
        user = get_user_model().objects.get(pk=state["coordinator"])
        if path == "import-preview":
            with open(state["workbook"], "rb") as handle:
                batch = ImportBatch.objects.create(file=File(handle, name="bench.xlsx"), original_name="bench.xlsx",
                                                   uploaded_by=user)

            def preview():
                imports.parse_import(batch)
                batch.refresh_from_db()
                if batch.status != ImportBatch.Status.READY:
                    sys.exit(f"import preview failed: {batch.message}")
            return preview
        batch = ImportBatch.objects.filter(status=ImportBatch.Status.READY).latest("pk")
        return lambda: imports.commit_import(batch, by=user, only_valid_rows=True)

    if path == "report-snapshot":
        from reports.provincial import take_snapshot

        if side == "product":
            from inspections.models import Campaign

            campaign = Campaign.objects.get(pk=campaign_id)
            user = get_user_model().objects.get(pk=state["coordinator"])
            return lambda: take_snapshot(campaign, AS_OF, user)
        from inspections.vocabulary import SHORT_OF_COMPLIANCE
        from reports.provincial import PLAN_ITEMS

        return lambda: (list(_server_side(SNAPSHOT_SQL, [campaign_id, AS_OF])),
                        list(_server_side(SNAPSHOT_ANSWERS_SQL, [campaign_id, AS_OF, list(PLAN_ITEMS)])),
                        list(_server_side(SNAPSHOT_CORRECTIONS_SQL, [campaign_id, AS_OF, list(SHORT_OF_COMPLIANCE)])))
    raise ValueError(path)


def worker(path: str, side: str, state_file: str) -> None:
    state = json.loads(Path(state_file).read_text())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    settings.DATABASES["default"]["NAME"] = state["database"]
    settings.MEDIA_ROOT = state["media"]
    translation.activate("vi")
    timed = work(path, side, state)
    started = time.perf_counter()
    timed()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb()}))


# ------------------------------------------------------------------------------ the run


def measure(path: str, side: str, state_file: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", path, side, str(state_file)],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{path} ({side}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def undo_import(database: str) -> None:
    """The registry as before the round's commit, so that every round imports the same
    new units (untimed): the units the import created, their history, the batch's rows."""
    from django.db import connection

    from units.models import ImportBatch, Unit

    batch = ImportBatch.objects.latest("pk")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM units_historicalunit WHERE source_import_id = %s", [batch.pk])
    Unit.objects.filter(source_import=batch).delete()
    ImportBatch.objects.filter(pk=batch.pk).delete()


def generate(size: int, folder: str, state_file: Path, paths) -> None:
    """The campaign of `size` visits, its draft report and an import workbook of `size` rows —
    what `paths` read: the dashboard alone needs neither answers, nor report, nor workbook."""
    from bench_import import make_workbook
    from benchmark_results import populate
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.roles import Role, group_for
    from inspections.models import Answer, Visit
    from reports import services

    started, paths = time.perf_counter(), set(paths)
    campaign, leader = populate(size, answers_too=paths != {"dashboard"})
    coordinator = get_user_model().objects.create_user("bench-coordinator", first_name="Thanh tra")
    coordinator.groups.set([group_for(Role.COORDINATOR)])
    report = workbook = None
    if paths & {"annex", "report-snapshot", "report-page"}:
        report = services.create_report(campaign, as_of=AS_OF, by=coordinator)
    if paths & {"import-preview", "import-commit"}:
        workbook = Path(folder) / "bench-import.xlsx"
        make_workbook(workbook, size)
    print(f"bench: data {Visit.objects.count():,} visits, {Answer.objects.count():,} answers, "
          f"{len(report.snapshot['visits']) if report else 0:,} visits in the report, "
          f"{size if workbook else 0:,} import rows; generated in {time.perf_counter() - started:.1f} s", flush=True)
    state_file.write_text(json.dumps({
        "database": connection.settings_dict["NAME"], "media": folder, "campaign": campaign.pk,
        "leader": leader.pk, "coordinator": coordinator.pk, "report": report and report.pk,
        "workbook": workbook and str(workbook), "paths": sorted(paths)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="visits and import rows (default 100000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds, the median reported (default 3)")
    parser.add_argument("--only", nargs="*", choices=PATHS, help="measure these paths only")
    parser.add_argument("--keep", metavar="DIR", help="keep the generated data (database and files) in DIR and "
                        "measure it again on the next run with the same DIR, instead of generating it anew")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        return worker(*options.worker)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings, setup_databases, teardown_databases
    from django.utils import translation

    from inspections.models import Answer, Visit

    paths = options.only or PATHS
    kept = Path(options.keep).resolve() if options.keep else None
    name = f"bench_keep_{kept.name}" if kept else f"bench_{os.getpid()}"
    connection.settings_dict["TEST"]["NAME"] = name  # a test run's database stays untouched
    # A kept database is migrated, not made again (a change's new migrations apply to it).
    # Not serialized: a test run keeps a copy of the data for its rollbacks, a kept data set of a
    # million visits made that copy (a gigabyte, in this process) before every measurement.
    config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, keepdb=bool(kept),
                             serialized_aliases=set())
    try:
        with (nullcontext(str(kept)) if kept else tempfile.TemporaryDirectory()) as folder, \
                override_settings(MEDIA_ROOT=folder), translation.override("vi"):
            state_file = Path(folder) / "state.json"
            if kept and state_file.exists():
                state = json.loads(state_file.read_text())
                have = {"report": bool(state["report"]), "workbook": bool(state["workbook"]),
                        "answers": Answer.objects.exists()}
                if missing := sorted(path for path in paths if NEEDS.get(path) and not have[NEEDS[path]]):
                    sys.exit(f"bench: the data kept in {folder} lacks what {missing} read")
                print(f"bench: data kept in {folder}: {Visit.objects.count():,} visits, "
                      f"{Answer.objects.count():,} answers", flush=True)
            else:
                Path(folder).mkdir(parents=True, exist_ok=True)
                generate(options.size, folder, state_file, paths)
            connection.close()  # the workers' connections are their own

            baseline = measure("baseline", "product", state_file)["peak_mb"]
            print(f"bench: baseline (a worker process with Django loaded, doing nothing) peak_mb={baseline:.0f}",
                  flush=True)
            results = {path: {"product": [], "floor": []} for path in paths}
            for _round in range(options.rounds):
                for path in paths:
                    for side in ("product", "floor"):
                        results[path][side].append(measure(path, side, state_file))
                    if path == "import-commit" or (path == "import-preview" and "import-commit" not in paths):
                        undo_import(connection.settings_dict["NAME"])
            for path in paths:
                product, floor = results[path]["product"], results[path]["floor"]
                seconds = statistics.median(run["seconds"] for run in product)
                floor_seconds = statistics.median(run["seconds"] for run in floor)
                print(f"bench: {path} product={seconds:.3f} floor={floor_seconds:.3f} "
                      f"ratio={seconds / floor_seconds:.2f} "
                      f"peak_mb={statistics.median(run['peak_mb'] for run in product):.0f} "
                      f"floor_peak_mb={statistics.median(run['peak_mb'] for run in floor):.0f}", flush=True)
    finally:
        connection.close()
        if not kept:
            teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
