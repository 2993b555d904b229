"""The provincial report's frozen snapshot and the figures read from it.

A snapshot is the list of the visits the report counts (approved, carried out up to the
report's date), each with what the report says of it, plus the few facts around them
(the campaign, its teams, the districts and categories, the follow-ups of the units that
fell short). Every figure of the report, its DOCX and its annex is computed from that
list, so each one names the visits behind it and every total is the sum of its parts;
and since the list is stored, the report's numbers stay as issued whatever the data does
afterwards (DESIGN §3 rule 6).

Only reads live here; the report's life (drafted, taken again, approved) is written by
`reports/services.py`, and its files by `reports/provincial_documents.py`.
"""

import datetime
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connections, router, transaction
from django.db.models import Count, F, Func, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from config.sqlrows import SqlRows
from inspections.models import Answer, Correction, FollowUpStep, Organization, TeamMembership, Visit
from inspections.vocabulary import CONCLUSIONS, CRITERIA, SHORT_OF_COMPLIANCE
from reports.models import DataVersion, ProvincialReport
from units.forms import districts
from units.models import UnitCategory

VALUES = CONCLUSIONS
# The checklist items the report states in the plan's terms (inspections/checklist_2021.py):
# a1 direction documents, b2 QR board posted, b3 old non-PC-Covid codes still shown, b4 someone
# guiding visitors, b5 declaring for people without smartphones, c1 a portal account, c2 the
# portal used for statistics, c3 the portal used for F1 tracing.
PLAN_ITEMS = ("a1", "b2", "b3", "b4", "b5", "c1", "c2", "c3")
FILTERS = ("district", "commune", "category", "a", "b", "c", "overall")
# A JSON answer's text when it is a string, else "" (a number, a list, null), in SQL.
JSON_STRING_TEXT = Func(F("value"), template="CASE WHEN jsonb_typeof(%(expressions)s) = 'string' "
                                             "THEN %(expressions)s #>> '{}' ELSE '' END", output_field=TextField())


def _conclusion(code: str):
    """A visit's conclusion on criterion `code` as text, "" when it has none, in SQL."""
    return Coalesce(KeyTextTransform(code, "conclusion"), Value(""), output_field=TextField())


# The keys of a visit's row, in the order of `_visit_rows`' columns; then "items" and "direction".
ROW_KEYS = ("id", "unit_id", "unit", "district", "commune", "commune_name", "category", "day", *CRITERIA,
            "qr_codes", "scans", "staff_total", "staff_with_app", "portal_accounts")
CHUNK = 2000


def _fetched(queryset):
    """The rows of a values_list() queryset, made into tuples CHUNK at a time out of the result
    PostgreSQL sends: a loop that turns them into something else never holds them all as
    tuples as well (iterating the queryset caches them all). Not `iterator()`: PostgreSQL plans
    its server-side cursor for the first rows (nested loops, not hash joins), which made the
    snapshot of 85,000 visits 1.5 times slower. For values that need no conversion from the
    database (numbers and text)."""
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return  # a queryset that can match nothing (none()): the ORM would not run it either
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            yield from chunk


def _visit_rows(approved) -> list[dict]:
    """The rows of the visits counted, in the report's order (day and time, then id), each with
    its answers to PLAN_ITEMS and the direction document a1 named.

    PostgreSQL hands over every value as the row holds it (the day in Hà Tĩnh as text, each
    conclusion's text): a row is a dict of a tuple, no value converted in Python. The answers
    are found by a subquery, not by a list of the visits' ids (Django writes and PostgreSQL
    parses one parameter per id: at 85,000 visits, most of the snapshot's time). Both are
    read in chunks (`_fetched`), so only the rows are held, not the tuples they came from as well."""
    counted = approved.order_by("starts_at", "id").annotate(
        day_text=Func(TruncDate("starts_at", tzinfo=timezone.get_current_timezone()), Value("YYYY-MM-DD"),
                      function="to_char", output_field=TextField()),
        **{f"conclusion_{code}": _conclusion(code) for code in CRITERIA},
    ).values_list(
        "id", "unit_id", "unit__name", "unit__commune__parent__code", "unit__commune__code", "unit__commune__name",
        "unit__category__code", "day_text", *(f"conclusion_{code}" for code in CRITERIA), "qr_codes",
        "scans_last_7_days", "staff_total", "staff_with_app", "portal_accounts")
    rows, by_id = [], {}
    for values in _fetched(counted):
        row = dict(zip(ROW_KEYS, values, strict=True))
        row["items"], row["direction"] = {}, ""
        rows.append(row)
        by_id[row["id"]] = row
    # a string answer's text, "" for any other answer, in the checklist's order (Answer's)
    answers = Answer.objects.filter(visit__in=approved.values("id"), item__code__in=PLAN_ITEMS).annotate(
        text=JSON_STRING_TEXT).values_list("visit_id", "item__code", "text", "note")
    for visit_id, code, value, note in _fetched(answers):
        row = by_id[visit_id]
        row["items"][code] = value
        if code == "a1" and value == "yes":
            row["direction"] = note.strip()
    return rows


def take_snapshot(campaign, as_of: datetime.date, user) -> dict:
    """The campaign's approved visits carried out up to `as_of`, as this person may see
    them, with the facts the report states around them. Ten queries whatever the size.

    Each visit row also holds the unit's staff figures (PC-Covid installations), its answers
    to `PLAN_ITEMS` ("items") and the note of a1 (the direction document it named); around
    them: the follow-up steps of the units short of compliance ("steps") and the bodies of
    the people on the itineraries of the visits counted ("team_bodies")."""
    visits = (Visit.objects.visible_to(user).filter(campaign=campaign, starts_at__date__lte=as_of))
    approved = visits.filter(status=Visit.Status.APPROVED)
    rows = _visit_rows(approved)
    pending = visits.filter(status__in=[Visit.Status.IN_PROGRESS, Visit.Status.SUBMITTED,
                                        Visit.Status.RETURNED]).count()

    # the visits short of compliance, by a subquery too (`row["overall"]` is this conclusion)
    short = approved.annotate(overall=_conclusion("overall")).filter(overall__in=SHORT_OF_COMPLIANCE).values("id")
    corrections = {}
    for visit_id, description, deadline, outcome, follow_deadline, steps in (
            Correction.objects.filter(visit__in=short).order_by("visit_id", "deadline", "id")
            .annotate(steps=Count("follow_up__steps"))
            .values_list("visit_id", "description", "deadline", "follow_up__outcome", "follow_up__deadline",
                         "steps")):
        corrections.setdefault(visit_id, []).append({
            "description": description, "deadline": (follow_deadline or deadline).isoformat(),
            "outcome": outcome or "", "steps": steps})

    steps = [{"visit": visit_id, "kind": kind, "date": date.isoformat()} for visit_id, kind, date in (
        FollowUpStep.objects.filter(follow_up__correction__visit__in=short)
        .order_by("date", "id").values_list("follow_up__correction__visit_id", "kind", "date"))]
    people = (TeamMembership.objects.filter(team__campaign=campaign)
              .values_list("team_id", "organization__name").order_by("team_id"))
    travelled = sorted({(kind, name) for kind, name in Organization.objects.filter(
        memberships__itineraries__visits__in=approved.values("id")).values_list("kind", "name")})
    return {
        "campaign": {"id": campaign.pk, "title": campaign.title, "number": campaign.number,
                     "starts_on": campaign.starts_on.isoformat(), "ends_on": campaign.ends_on.isoformat(),
                     "form": campaign.form, "legal_basis": campaign.legal_basis,
                     "issuing_body": campaign.issuing_body},
        "as_of": as_of.isoformat(),
        "teams": len({team for team, _org in people}),
        "members": len(people),
        "organizations": sorted({org for _team, org in people if org}),
        "districts": [[code, name] for code, name in districts().values_list("code", "name")],
        "categories": [[c.code, c.name] for c in UnitCategory.objects.order_by("order", "code")],
        "visits": rows,
        "pending": pending,
        "corrections": {str(visit_id): items for visit_id, items in corrections.items()},
        "steps": steps,
        "team_bodies": [[kind, name] for kind, name in travelled],
    }


def fingerprint(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ------------------------------------------------------------------------------ the figures


@dataclass
class Figure:
    """A count and the visits behind it, with the filter that lists them and, on a page,
    the address of that list."""

    ids: list = field(default_factory=list)
    query: dict = field(default_factory=dict)
    href: str = ""

    @property
    def count(self) -> int:
        return len(self.ids)

    def __str__(self):
        return str(self.count)


@dataclass
class Figures:
    """Everything the report states, read from one snapshot. Given `link` (the address
    of the page listing a snapshot's visits), each figure knows the address of its own."""

    snapshot: dict
    link: str = ""

    def __post_init__(self):
        # The snapshot's rows as stored, not copied (85,000 visits are 85,000 dicts): a row
        # shown with its district's and category's names is `named(row)`, for the few shown.
        self.district_names, self.category_names = dict(self.snapshot["districts"]), dict(self.snapshot["categories"])
        self.rows = self.snapshot["visits"]
        self._indexes = {}

    def named(self, row: dict) -> dict:
        """A row with the names of its district and category."""
        return {**row, "district_name": self.district_names.get(row["district"], ""),
                "category_name": self.category_names.get(row["category"], "")}

    @property
    def total(self) -> Figure:
        return self.figure()

    @property
    def units_inspected(self) -> int:
        return len({row["unit_id"] for row in self.rows})

    @property
    def categories(self) -> list[tuple]:
        """(code, name) of the categories with at least one visit, in display order."""
        used = {row["category"] for row in self.rows}
        return [(code, name) for code, name in self.snapshot["categories"] if code in used]

    def matching(self, **criteria) -> list[dict]:
        """The rows meeting every criterion, in the snapshot's order: the smallest group of
        one criterion from an index (built once per key), then the others compared."""
        if not criteria:
            return self.rows
        groups = {key: self._index(key).get(str(value), []) for key, value in criteria.items()}
        first = min(groups, key=lambda key: len(groups[key]))
        rest = {key: str(value) for key, value in criteria.items() if key != first}
        return [row for row in groups[first] if all(str(row[key]) == value for key, value in rest.items())]

    def _index(self, key: str) -> dict:
        if key not in self._indexes:
            index = {}
            for row in self.rows:
                index.setdefault(str(row[key]), []).append(row)
            self._indexes[key] = index
        return self._indexes[key]

    def figure(self, **criteria) -> Figure:
        href = f"{self.link}?{urlencode(criteria)}" if self.link else ""
        return Figure([row["id"] for row in self.matching(**criteria)], criteria, href)

    def by_category(self) -> list[tuple]:
        """(name, visits, distinct units) per category inspected: "units inspected, by kind"."""
        return [(name, self.figure(category=code),
                 len({row["unit_id"] for row in self.matching(category=code)}))
                for code, name in self.categories]

    def matrix(self) -> list[tuple]:
        """Every district (all of them, zeros included) × the categories inspected."""
        return [(name, [self.figure(district=code, category=category) for category, _n in self.categories],
                 self.figure(district=code))
                for code, name in self.snapshot["districts"]]

    def column_totals(self) -> list[Figure]:
        return [self.figure(category=code) for code, _name in self.categories]

    def criteria(self) -> list[tuple]:
        """Per criterion a, b, c and overall: (code, Đạt, Đạt một phần, Chưa đạt)."""
        return [(code, *(self.figure(**{code: value}) for value in VALUES)) for code in CRITERIA]

    def by_district(self) -> list[tuple]:
        return [(name, self.figure(district=code),
                 *(self.figure(district=code, overall=value) for value in VALUES))
                for code, name in self.snapshot["districts"]]

    def short_of_compliance(self) -> list[dict]:
        """The visits not fully compliant, each with its corrections and their follow-up
        status as they stood when the snapshot was taken."""
        corrections = self.snapshot["corrections"]
        return [{**self.named(row), "corrections": corrections.get(str(row["id"]), [])}
                for row in self.rows if row["overall"] in SHORT_OF_COMPLIANCE]

    # ---------------------------------------------------------------- the plan's terms (II.1 a, b, c)
    # Snapshots taken before these keys existed read as having no answers, figures or steps.

    def visited_districts(self) -> list[tuple]:
        """(code, name) of the districts with at least one visit counted, in the list's order."""
        return [(code, name) for code, name in self.snapshot["districts"] if self.matching(district=code)]

    def answered(self, rows: list[dict], code: str, value: str = "yes") -> int:
        """How many of these visits answered item `code` with `value`."""
        return sum(1 for row in rows if row.get("items", {}).get(code) == value)

    def assessed(self, rows: list[dict], code: str) -> int:
        """How many of these visits answered item `code` at all (yes or no)."""
        return sum(1 for row in rows if row.get("items", {}).get(code) in ("yes", "no"))

    @staticmethod
    def installations(rows: list[dict]) -> tuple[int, int, int]:
        """(units that gave their figures, staff with PC-Covid installed, staff) of these visits."""
        given = [row for row in rows if row.get("staff_total")]
        return (len(given), sum(row.get("staff_with_app") or 0 for row in given),
                sum(row["staff_total"] for row in given))

    def directions(self) -> list[dict]:
        """The visits whose unit had issued a direction document (a1 "yes"), with the document
        its note named."""
        return [row for row in self.rows if row.get("items", {}).get("a1") == "yes"]

    def plan_by_district(self) -> list[dict]:
        """Per district visited: units, installations (a), the QR board, guide, declaring for
        others and old codes (b2, b4, b5, b3), QR codes and scans (b), the portal (c1–c3)."""
        out = []
        for code, name in self.visited_districts():
            rows = self.matching(district=code)
            given, with_app, staff = self.installations(rows)
            out.append({"code": code, "name": name, "units": len({row["unit_id"] for row in rows}), "visits": rows,
                        "given": given, "with_app": with_app, "staff": staff,
                        **{item: self.answered(rows, item) for item in PLAN_ITEMS},
                        **{f"{item}_assessed": self.assessed(rows, item) for item in PLAN_ITEMS},
                        "qr_codes": sum(row["qr_codes"] or 0 for row in rows),
                        "scans": sum(row["scans"] or 0 for row in rows)})
        return out

    def follow_up(self) -> dict:
        """The follow-up (đôn đốc, nhắc nhở, xử lý) in distinct units: asked to correct, urged
        again (a new deadline or a re-inspection), reminded by letter, proposed to the competent
        body for handling; and how the corrections stood (fixed, not fixed, open)."""
        unit_of = {row["id"]: row["unit_id"] for row in self.rows}
        short = self.short_of_compliance()
        by_kind = {}
        for step in self.snapshot.get("steps", []):
            if step["visit"] in unit_of:
                by_kind.setdefault(step["kind"], set()).add(unit_of[step["visit"]])
        corrections = [item for row in short for item in row["corrections"]]
        return {
            "asked": len({row["unit_id"] for row in short if row["corrections"]}),
            "corrections": len(corrections),
            "urged": len(by_kind.get("correction_due", set()) | by_kind.get("reinspection", set())),
            "reminded": len(by_kind.get("reminder", set())),
            "handled": len(by_kind.get("proposal", set())),
            "fixed": sum(1 for item in corrections if item["outcome"] == "fixed"),
            "not_fixed": sum(1 for item in corrections if item["outcome"] == "not_fixed"),
            "open": sum(1 for item in corrections if item["outcome"] in ("open", "")),
            "open_units": len({row["unit_id"] for row in short
                               if any(item["outcome"] in ("open", "") for item in row["corrections"])}),
        }

    def visits_for(self, query) -> list[dict]:
        """The visits behind a figure, from its filter (a query string's keys)."""
        return [self.named(row) for row in self.matching(**{key: query[key] for key in FILTERS if query.get(key)})]


# ------------------------------------------------------------------------------ the page's reading
# The snapshot of a national campaign is tens of megabytes of JSON: the report's page reads
# none of it in Python. Its tables come from the digest (a few kilobytes, computed once when
# the figures are taken), and its lists are sliced by PostgreSQL out of the stored jsonb.


@dataclass
class Counted:
    """A figure of the digest: its count and the filter listing its visits, as `Figure` has."""

    count: int
    query: dict
    href: str = ""

    def __str__(self):
        return str(self.count)


def digest_of(snapshot: dict) -> dict:
    """What the report's page shows of the snapshot's figures, computed by `Figures`: the
    counts and their filters, and the names of the districts and categories."""
    figures = Figures(snapshot)

    def counted(figure):
        return [figure.count, figure.query]

    return {
        "units_inspected": figures.units_inspected, "total": counted(figures.total),
        "by_category": [[name, counted(figure), units] for name, figure, units in figures.by_category()],
        "criteria": [[code, *map(counted, rest)] for code, *rest in figures.criteria()],
        "by_district": [[name, *map(counted, rest)] for name, *rest in figures.by_district()],
        "districts": figures.snapshot["districts"], "categories": figures.snapshot["categories"],
        "pending": figures.snapshot["pending"],
        "short_count": sum(1 for row in figures.rows if row["overall"] in SHORT_OF_COMPLIANCE),
        # visits by district and category, the annex's first table: [district, category, visits]
        "matrix": [[*pair, count] for pair, count in Counter(
            (row["district"], row["category"]) for row in figures.rows).items()],
    }


def short_rows_of(snapshot: dict) -> list[dict]:
    """The units short of compliance as the report's page lists them, in the snapshot's order."""
    return [{key: row[key] for key in ("id", "unit", "district_name", "overall", "corrections")}
            for row in Figures(snapshot).short_of_compliance()]


class Digest:
    """The report's page's figures, read from its stored digest (the same names as `Figures`)."""

    def __init__(self, data: dict, link: str = ""):
        self.data, self.link = data, link
        self.units_inspected, self.pending = data["units_inspected"], data["pending"]
        self.total = self._counted(data["total"])
        self.district_names, self.category_names = dict(data["districts"]), dict(data["categories"])

    def _counted(self, pair) -> Counted:
        count, query = pair
        return Counted(count, query, f"{self.link}?{urlencode(query)}" if self.link else "")

    def by_category(self) -> list[tuple]:
        return [(name, self._counted(figure), units) for name, figure, units in self.data["by_category"]]

    def criteria(self) -> list[tuple]:
        return [(code, *map(self._counted, rest)) for code, *rest in self.data["criteria"]]

    def by_district(self) -> list[tuple]:
        return [(name, *map(self._counted, rest)) for name, *rest in self.data["by_district"]]

    named = Figures.named  # the same names, from the digest's copy of them


def stored_digest(report) -> dict:
    """The report's digest (`digest_of` its snapshot); one taken before digests existed gets it
    computed once and stored (derived from the frozen snapshot, it changes nothing the report
    states)."""
    data = report.digest
    if "short_count" not in data:
        snapshot = ProvincialReport.objects.only("snapshot").get(pk=report.pk).snapshot
        data = digest_of(snapshot)
        ProvincialReport.objects.filter(pk=report.pk).update(digest=data, short_rows=short_rows_of(snapshot))
        report.digest = data
    elif "matrix" not in data:
        # a digest taken before it held the visits by district and category: PostgreSQL counts
        # them once out of the stored snapshot, which stays in the database
        with connections[router.db_for_write(ProvincialReport)].cursor() as cursor:
            cursor.execute(DIGEST_MATRIX_SQL, [report.pk, report.pk])
            data = report.digest = json.loads(cursor.fetchone()[0])
    return data


def report_database(report=None) -> str:
    """The database a report's reads go to: the one it was read from, else the router's
    choice (the replica, when one is set: config/dbrouter.py)."""
    return (report is not None and report._state.db) or router.db_for_read(ProvincialReport)


class ShortRows(SqlRows):
    """The report's units short of compliance, for a Paginator: counted by the digest, and a
    page sliced by PostgreSQL out of the stored list (one query, the page's rows only)."""

    def __init__(self, report_id: int, count: int):
        super().__init__(count)
        self.report_id = report_id

    def counted(self) -> int:
        """The stored list's length (the page gives the digest's count: this is read only without it)."""
        with connections[report_database()].cursor() as cursor:
            cursor.execute("SELECT jsonb_array_length(short_rows) FROM reports_provincialreport WHERE id = %s",
                           [self.report_id])
            return cursor.fetchone()[0]

    def rows(self, offset: int, limit: int | None) -> list[dict]:
        with connections[report_database()].cursor() as cursor:
            cursor.execute("SELECT jsonb_path_query_array(short_rows, 'strict $[$first to $last]', "
                           "jsonb_build_object('first', %s, 'last', %s))::text FROM reports_provincialreport "
                           "WHERE id = %s", [offset, offset + limit - 1, self.report_id])
            return json.loads(cursor.fetchone()[0])


class SnapshotRows(SqlRows):
    """The snapshot's visit rows meeting filters (FILTERS' keys), in the snapshot's order, for a
    Paginator: PostgreSQL counts and slices them out of the stored jsonb, so a page costs its 50
    rows whatever the snapshot's size."""

    def __init__(self, report_id: int, filters: dict):
        super().__init__()
        self.report_id = report_id
        self.where, self.params = ["r.id = %s"], [report_id]
        for key, value in filters.items():
            assert key in FILTERS  # noqa: S101 (keys are the code's, never the request's)
            self.where.append(f"e.v->>'{key}' = %s")
            self.params.append(str(value))

    def _query(self, select: str, tail: str = "", params=()):
        with connections[report_database()].cursor() as cursor:
            cursor.execute(
                f"SELECT {select} FROM reports_provincialreport r CROSS JOIN LATERAL "  # noqa: S608
                f"jsonb_array_elements(r.snapshot->'visits') WITH ORDINALITY AS e(v, n) "
                f"WHERE {' AND '.join(self.where)} {tail}", [*self.params, *params])
            return cursor.fetchall()

    def counted(self) -> int:
        return self._query("count(*)")[0][0]

    def rows(self, offset: int, limit: int | None) -> list[dict]:
        rows = self._query("e.v::text", "ORDER BY e.n OFFSET %s LIMIT %s", (offset, limit))
        return [json.loads(text) for (text,) in rows]


def changed_since(report, user) -> bool:
    """Whether the data the report counts has changed since its figures were taken: one
    query, the campaign's data version against the one read with the figures (a report
    taken before versions existed takes its snapshot again and compares fingerprints)."""
    if report.data_version is not None:
        return DataVersion.of(report.campaign_id) != report.data_version
    return fingerprint(take_snapshot(report.campaign, report.as_of, user)) != report.fingerprint


# ------------------------------------------------------------------------------ the annex's reading
# The annex lists every visit counted. Its rows are read out of the stored jsonb by PostgreSQL,
# CHUNK at a time through a server-side cursor, each value as the annex writes it (days as
# dates, numbers as numbers): the worker holds a chunk, never the snapshot (tens of megabytes
# of JSON, hundreds once made into Python objects).

# One row per visit counted, in the snapshot's order: jsonb_array_elements runs once for the
# report, and no other expression reads the snapshot row by row (each reading of a stored
# jsonb value in a row's expression would unpack all of it again).
ANNEX_VISITS_SQL = (
    "SELECT (e.v->>'id')::int, e.v->>'unit', (e.v->>'district')::int, e.v->>'commune_name', e.v->>'category', "
    "(e.v->>'day')::date, e.v->>'a', e.v->>'b', e.v->>'c', e.v->>'overall', (e.v->>'qr_codes')::bigint, "
    "(e.v->>'scans')::bigint "
    "FROM reports_provincialreport r CROSS JOIN LATERAL "
    "jsonb_array_elements(r.snapshot->'visits') WITH ORDINALITY AS e(v, n) WHERE r.id = %s ORDER BY e.n")
# The visits short of compliance with their corrections (a JSON list, "[]" for none), joined
# by the visit's id to the snapshot's map of corrections, read once.
ANNEX_SHORT_SQL = (
    "WITH r AS (SELECT snapshot FROM reports_provincialreport WHERE id = %s) "
    "SELECT (e.v->>'id')::int, e.v->>'unit', (e.v->>'district')::int, e.v->>'category', (e.v->>'day')::date, "
    "e.v->>'overall', COALESCE(c.items, '[]'::jsonb)::text "
    "FROM r CROSS JOIN LATERAL jsonb_array_elements(r.snapshot->'visits') WITH ORDINALITY AS e(v, n) "
    "LEFT JOIN (SELECT key, value AS items FROM r, jsonb_each(r.snapshot->'corrections')) c ON c.key = e.v->>'id' "
    "WHERE e.v->>'overall' = ANY(%s) ORDER BY e.n")
# The digest's visits by district and category ([district, category, visits]: `digest_of`), added
# to a digest stored before it had them, counted once out of the stored snapshot.
DIGEST_MATRIX_SQL = (
    "UPDATE reports_provincialreport SET digest = digest || jsonb_build_object('matrix', ("
    "SELECT COALESCE(jsonb_agg(jsonb_build_array(m.district, m.category, m.visits)), '[]'::jsonb) FROM ("
    "SELECT (e.v->>'district')::int AS district, e.v->>'category' AS category, count(*) AS visits "
    "FROM reports_provincialreport r CROSS JOIN LATERAL jsonb_array_elements(r.snapshot->'visits') AS e(v) "
    "WHERE r.id = %s GROUP BY 1, 2) m)) WHERE id = %s RETURNING digest::text")


def streamed(report, sql: str, params) -> Iterator[tuple]:
    """The rows of a statement over a stored report, CHUNK at a time from a server-side
    cursor (a plain one where the deployment turns them off, DISABLE_SERVER_SIDE_CURSORS:
    PgBouncer in transaction mode), on the database the report was read from."""
    alias = report_database(report)
    with transaction.atomic(using=alias), connections[alias].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            yield from chunk


@dataclass
class AnnexReading:
    """What the annex prints besides its lists, without the snapshot: the stored digest's
    tables, names and visits by district and category."""

    digest: Digest
    counts: dict  # (district, category) → visits

    @classmethod
    def of(cls, report) -> "AnnexReading":
        digest = Digest(stored_digest(report))
        return cls(digest, {(district, category): count for district, category, count in digest.data["matrix"]})

    @property
    def categories(self) -> list[tuple]:
        """The categories inspected, in the registry's order (as `Figures.categories`)."""
        used = {category for _district, category in self.counts}
        return [(code, name) for code, name in self.digest.data["categories"] if code in used]

    def matrix(self) -> list[tuple]:
        """Every district (all of them, zeros included) × the categories inspected: counts."""
        return [(name, [self.counts.get((code, category), 0) for category, _name in self.categories])
                for code, name in self.digest.data["districts"]]

    def visits(self, report) -> Iterator[tuple]:
        """(id, unit, district, commune's name, category, day, a, b, c, overall, QR codes, scans)
        of every visit counted, in the snapshot's order."""
        return streamed(report, ANNEX_VISITS_SQL, [report.pk])

    def short_of_compliance(self, report) -> Iterator[tuple]:
        """(id, unit, district, category, day, overall, corrections) of the visits not fully
        compliant, in the snapshot's order, each with its list of corrections as taken."""
        for *row, corrections in streamed(report, ANNEX_SHORT_SQL, [report.pk, list(SHORT_OF_COMPLIANCE)]):
            yield (*row, json.loads(corrections))
