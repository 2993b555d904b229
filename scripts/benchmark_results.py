"""Benchmark (not a test): the leadership dashboard and the analysts' raw export over a
campaign of N visits (100,000 by default) with about ten answers each.

    .venv/bin/python -m config.localdb -- .venv/bin/python scripts/benchmark_results.py [--visits N]

Works in a throwaway database of its own (created here under a name of its own, dropped
at the end) and a temporary media folder: never the demo's data or files. The visits
and answers go in through COPY, so that 100,000 visits take well under three minutes.
Prints the sizes, the dashboard's time and number of queries, the report's (drafting,
its figures, the Word draft and the annex), and the raw export's
time and the process's peak RSS before and after; then the export again under
tracemalloc for its peak Python memory (tracemalloc makes it 4-5 times slower, hence a
separate run, which --no-tracemalloc skips).
"""

import argparse
import datetime
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import zoneinfo
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

LOCAL = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
AGENCIES = ["so_ban_nganh", "co_quan_trung_uong", "ubnd_huyen", "ubnd_xa"]
AGENCY_SHARE = 0.4  # agencies answer 13 items, the others 8: about ten answers a visit
VISITS_PER_UNIT = 4
CHUNK = 10_000  # visits per COPY (with their answers)
STATUSES = [("approved", 85), ("submitted", 5), ("in_progress", 3), ("scheduled", 5), ("cancelled", 2)]
CONCLUSION_SHARES = (70, 20, 10)  # compliant, partly, non-compliant: inspections.vocabulary.CONCLUSIONS' order


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def copy_text(value, *, as_json=False) -> str:
    """A value in PostgreSQL's COPY text format (None is NULL, as the ORM stores it)."""
    if value is None:
        return r"\N"
    if as_json:
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        return "t" if value else "f"
    elif isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class CopyWriter:
    """Rows of one model's table, buffered then sent with one COPY; a column not given
    takes the field's default, as the ORM would."""

    def __init__(self, model, *, with_pk=False):
        from django.db.models import JSONField

        self.fields = [field for field in model._meta.concrete_fields if with_pk or not field.primary_key]
        self.json = {field.attname for field in self.fields if isinstance(field, JSONField)}
        self.defaults = {field.attname: self.text(field.attname, field.get_default()) for field in self.fields}
        columns = ", ".join(f'"{field.column}"' for field in self.fields)
        self.sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
        self.buffer = io.StringIO()
        self.rows = 0

    def add(self, **values) -> None:
        self.buffer.write("\t".join(self.text(field.attname, values[field.attname]) if field.attname in values
                                    else self.defaults[field.attname] for field in self.fields))
        self.buffer.write("\n")
        self.rows += 1

    def text(self, attname: str, value) -> str:
        return copy_text(value, as_json=attname in self.json)

    def flush(self, connection) -> None:
        # psycopg's COPY, under Django's cursor wrapper
        with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
            copy.write(self.buffer.getvalue())
        self.buffer = io.StringIO()


def weighted(choices):
    values, weights = zip(*choices, strict=True)
    return random.choices(values, weights)[0]


def overall(conclusion: dict) -> str:
    from inspections.vocabulary import COMPLIANT, NONCOMPLIANT, PARTLY  # Django is set up in main()

    values = set(conclusion.values())  # docs/conclusion-rule.md
    return values.pop() if len(values) == 1 and values <= {COMPLIANT, NONCOMPLIANT} else PARTLY


def populate(visits_wanted: int, *, answers_too: bool = True):
    """The campaign of December 2021 over the 13 districts: units spread over the
    communes and categories, visits mostly approved, answers for every visit under way
    or done (unless `answers_too` is false: the dashboard reads none, and at a million
    visits they are ten million rows); the campaign's targets, and the corrections and
    follow-ups of the visits short of compliance (`follow_up`). Returns (campaign, leadership user)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.roles import Role, group_for
    from inspections.checklist_2021 import seed_checklist_2021
    from inspections.models import Answer, Campaign, ChecklistItem, Visit
    from inspections.vocabulary import COMPLIANT, CONCLUSIONS
    from units.models import Division, Unit, UnitCategory
    from units.services import load_divisions

    random.seed(2021)
    load_divisions()
    checklist = seed_checklist_2021()
    users = get_user_model().objects
    leader = users.create_user("bench-leader", first_name="Lãnh đạo")
    leader.groups.set([group_for(Role.LEADERSHIP)])
    inspector = users.create_user("bench-inspector", first_name="Kiểm tra viên")
    inspector.groups.set([group_for(Role.INSPECTOR)])
    campaign = Campaign.objects.create(
        title="Kiểm tra việc triển khai PC-Covid (benchmark)", legal_basis="Văn bản số 7641/UBND-VX ngày 12/11/2021",
        issuing_body="Sở Thông tin và Truyền thông tỉnh Hà Tĩnh", starts_on=datetime.date(2021, 12, 1),
        ends_on=datetime.date(2021, 12, 31), status=Campaign.Status.ACTIVE, checklist=checklist)

    communes = list(Division.objects.filter(level=Division.Level.COMMUNE).values_list("pk", flat=True))
    categories = {category.code: category.pk for category in UnitCategory.objects.all()}
    agencies = [categories[code] for code in AGENCIES]
    others = [pk for code, pk in categories.items() if code not in AGENCIES]
    units = []
    for number in range(1, max(1, visits_wanted // VISITS_PER_UNIT) + 1):
        unit = Unit(name=f"Đơn vị thử số {number}", address=f"Số {number} đường Trần Phú",
                    category_id=random.choice(agencies if random.random() < AGENCY_SHARE else others),
                    commune_id=random.choice(communes), staff_count=random.randint(5, 200))
        unit.set_derived_fields()
        units.append(unit)
    Unit.objects.bulk_create(units, batch_size=5000)
    units = [(unit.pk, unit.category_id) for unit in units]

    items = list(ChecklistItem.objects.filter(section__template=checklist).prefetch_related("categories")
                 .order_by("section__order", "order"))
    applicable = {category: [item for item in items if not item.categories.all()
                             or category in {c.pk for c in item.categories.all()}]
                  for category in categories.values()}

    visits, answers = CopyWriter(Visit, with_pk=True), CopyWriter(Answer)
    outcomes = list(zip(CONCLUSIONS, CONCLUSION_SHARES, strict=True))
    inspected = set(Visit.INSPECTED)
    for number in range(1, visits_wanted + 1):
        unit_id, category_id = random.choice(units)
        starts_at = datetime.datetime(2021, 12, random.randint(1, 31), random.randint(7, 16),
                                      random.choice((0, 15, 30, 45)), tzinfo=LOCAL)
        status = weighted(STATUSES)
        values = {"id": number, "campaign_id": campaign.pk, "unit_id": unit_id, "position": random.randint(1, 6),
                  "starts_at": starts_at, "ends_at": starts_at + datetime.timedelta(hours=1), "status": status}
        if status in inspected:
            values.update(checklist_id=checklist.pk, started_at=starts_at, figures_taken_at=starts_at)
            staff = random.randint(5, 200)
            values.update(staff_total=staff, staff_with_app=random.randint(0, staff), qr_codes=random.randint(0, 5),
                          scans_last_7_days=random.randint(0, 2000), portal_accounts=random.randint(0, 3))
            for item in applicable[category_id] if answers_too else ():
                answers.add(visit_id=number, item_id=item.pk, value=answer_value(item.kind),
                            note="Ghi chú của tổ kiểm tra" if random.random() < 0.05 else "",
                            saved_by_id=inspector.pk, saved_at=starts_at + datetime.timedelta(minutes=20))
        if status in ("submitted", "approved"):
            criteria = ("a", "b", "c") if category_id in agencies else ("a", "b")  # (c) is the agencies' only
            conclusion = {code: weighted(outcomes) for code in criteria}
            conclusion["overall"] = overall(conclusion)
            values.update(conclusion=conclusion, submitted_at=starts_at + datetime.timedelta(hours=1),
                          submitted_by_id=inspector.pk)
            if conclusion["overall"] != COMPLIANT:
                values.update(shortcomings="Chưa bố trí người hướng dẫn quét mã QR",
                              recommendations="Niêm yết mã QR ở lối vào, cử người nhắc quét mã")
        visits.add(**values)
        if number % CHUNK == 0 or number == visits_wanted:
            visits.flush(connection)
            answers.flush(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('inspections_visit', 'id'), %s)", [visits_wanted])
    follow_up(campaign, visits_wanted, added_by=leader, asked_by=inspector)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have done on a live database
    return campaign, leader


# A correction's deadline: the first, second or third of these not before the visit's day (by
# its id); a follow-up's outcome by its visit's id: five in ten open, three fixed, two not fixed.
DEADLINES = [datetime.date(2021, 12, 15), datetime.date(2021, 12, 31), datetime.date(2022, 1, 15),
             datetime.date(2022, 1, 31)]
TARGETS_SQL = (
    "INSERT INTO inspections_target (campaign_id, unit_id, added_by_id, added_at) "
    "SELECT %(campaign)s, u.id, %(by)s, now() FROM units_unit u WHERE u.id %% 2 = 0 "
    "OR EXISTS (SELECT FROM inspections_visit v WHERE v.unit_id = u.id AND v.campaign_id = %(campaign)s) "
    "ORDER BY u.id")
CORRECTIONS_SQL = (
    "INSERT INTO inspections_correction (visit_id, description, deadline, added_by_id, added_at) "
    "SELECT v.id, 'Niêm yết mã QR ở lối vào, cử người nhắc quét mã', "
    "(ARRAY(SELECT d FROM unnest(%(deadlines)s::date[]) d "
    "WHERE d >= (v.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date ORDER BY d))[1 + v.id %% 3], %(by)s, v.ends_at "
    "FROM inspections_visit v WHERE v.campaign_id = %(campaign)s AND v.id BETWEEN %(first)s AND %(last)s "
    "AND v.status IN ('submitted', 'approved') AND v.conclusion ->> 'overall' <> %(compliant)s ORDER BY v.id")
FOLLOW_UPS_SQL = (
    "INSERT INTO inspections_followup (correction_id, unit_id, deadline, outcome, closed_by_id, closed_at) "
    "SELECT c.id, v.unit_id, c.deadline, o.outcome, CASE WHEN o.outcome <> 'open' THEN %(by)s END, "
    "CASE WHEN o.outcome <> 'open' THEN (c.deadline + time '16:00') AT TIME ZONE 'Asia/Ho_Chi_Minh' END "
    "FROM inspections_correction c JOIN inspections_visit v ON v.id = c.visit_id, LATERAL (SELECT CASE "
    "WHEN (v.id * 7) %% 10 < 5 THEN 'open' WHEN (v.id * 7) %% 10 < 8 THEN 'fixed' ELSE 'not_fixed' END AS outcome) o "
    "WHERE v.campaign_id = %(campaign)s AND v.id BETWEEN %(first)s AND %(last)s AND v.status = 'approved' "
    "ORDER BY c.id")


def follow_up(campaign, visits_wanted: int, *, added_by, asked_by) -> None:
    """The campaign's targets (every unit visited, and one in two of the others), a correction
    asked at each visit submitted or approved short of compliance, and its follow-up once the
    visit is approved. INSERT … SELECT by CHUNK visits (a transaction each, as the COPY of the
    visits), so that the triggers (the tallies', the data version's) fire as they would."""
    from django.db import connection

    from inspections.vocabulary import COMPLIANT

    with connection.cursor() as cursor:
        cursor.execute(TARGETS_SQL, {"campaign": campaign.pk, "by": added_by.pk})
        for first in range(1, visits_wanted + 1, CHUNK):
            chunk = {"campaign": campaign.pk, "first": first, "last": first + CHUNK - 1, "by": asked_by.pk,
                     "compliant": COMPLIANT, "deadlines": DEADLINES}
            cursor.execute(CORRECTIONS_SQL, chunk)
            cursor.execute(FOLLOW_UPS_SQL, chunk)


def answer_value(kind: str):
    if kind == "yes_no":
        return weighted([("yes", 80), ("no", 15), ("na", 5)])
    if kind == "percentage":
        return random.randint(0, 100)
    if kind == "number":
        return random.randint(0, 500)
    if kind == "text":
        return "Đã khai thác thống kê phục vụ chỉ đạo"
    return None


def evaluated(value):
    """Everything the dashboard returns, evaluated (querysets, generators)."""
    if isinstance(value, dict):
        return {key: evaluated(item) for key, item in value.items()}
    if isinstance(value, str | bytes | int | float | datetime.date) or value is None:
        return value
    try:
        return [evaluated(item) for item in value]
    except TypeError:
        return value


def measure_dashboard(campaign, leader_pk: int, label: str) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reports.dashboard import dashboard

    leader = get_user_model().objects.get(pk=leader_pk)  # no cached roles, as in a request
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        evaluated(dashboard(campaign, leader, timezone.localdate()))
        seconds = time.perf_counter() - started
    print(f"dashboard ({label}):{'':<{9 - len(label)}} {seconds:7.2f} s   {len(queries)} queries", flush=True)


def measure_export(campaign, leader, *, traced: bool) -> None:
    from reports.models import RawExport
    from reports.rawdata import write_raw_export

    export = RawExport.objects.create(campaign=campaign, requested_by=leader)
    export = RawExport.objects.select_related("campaign", "requested_by").get(pk=export.pk)
    before = rss_mb()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    write_raw_export(export)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    if traced:
        tracemalloc.stop()
    after = rss_mb()
    export.refresh_from_db()
    if export.status != RawExport.Status.DONE:
        sys.exit(f"raw export failed: {export.message}")
    label = "raw export (tracemalloc on)" if traced else "raw export"
    memory = f"traced peak {peak / 1e6:6.1f} MB" if traced else f"peak RSS {before:5.0f} → {after:5.0f} MB"
    print(f"{label:28} {seconds:7.1f} s   {memory}   {export.progress_total:,} rows, "
          f"{export.file.size / 1e6:.1f} MB ({export.file.name.rsplit('/', 1)[-1]})", flush=True)


def measure_report(campaign) -> None:
    """The report to the People's Committee over every approved visit: drafting it (the
    snapshot), the page's check for changed data, its figures, the Word draft and the annex."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.roles import Role, group_for
    from reports import provincial, services
    from reports.provincial_documents import report_annex, report_docx

    coordinator = get_user_model().objects.create_user("bench-coordinator", first_name="Thanh tra")
    coordinator.groups.set([group_for(Role.COORDINATOR)])
    coordinator = get_user_model().objects.get(pk=coordinator.pk)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = services.create_report(campaign, as_of=datetime.date(2021, 12, 31), by=coordinator)
        seconds = time.perf_counter() - started
    counted = len(report.snapshot["visits"])
    print(f"report drafted (snapshot)  {seconds:7.2f} s   {len(queries)} queries   {counted:,} visits counted",
          flush=True)
    for label, work in (
            ("report: data changed?", lambda: provincial.changed_since(report, coordinator)),
            ("report: page's figures", lambda: evaluated([
                (figures := provincial.Figures(report.snapshot, link="/x/")).by_category(), figures.criteria(),
                figures.by_district(), figures.short_of_compliance()])),
            ("report: Word draft", lambda: report_docx(report)),
            ("report: Excel annex", lambda: report_annex(report))):
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        size = f"   {len(result) / 1e6:.1f} MB" if isinstance(result, bytes) else ""
        print(f"{label:26} {seconds:7.2f} s{size}   peak RSS so far {rss_mb():5.0f} MB", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=100_000, help="visits to generate (default 100000)")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced run of the export")
    parser.add_argument("--no-report", action="store_true", help="skip the report to the People's Committee")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings, setup_databases, teardown_databases
    from django.utils import translation

    from inspections.models import Answer, Visit

    # A name of our own, so that a test run on the same server keeps its test database.
    connection.settings_dict["TEST"]["NAME"] = f"bench_results_{os.getpid()}"
    config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media), \
                translation.override("vi"):
            started = time.perf_counter()
            campaign, leader = populate(options.visits)
            print(f"data: {Visit.objects.count():,} visits, {Answer.objects.count():,} answers, "
                  f"generated in {time.perf_counter() - started:.1f} s (database {connection.settings_dict['NAME']})",
                  flush=True)
            measure_dashboard(campaign, leader.pk, "cold")
            measure_dashboard(campaign, leader.pk, "warm")
            if not options.no_report:
                measure_report(campaign)
            measure_export(campaign, leader, traced=False)
            if not options.no_tracemalloc:
                measure_export(campaign, leader, traced=True)
    finally:
        teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
