"""The provincial report's frozen snapshot and the figures read from it.

A snapshot is the list of the visits the report counts (approved, carried out up to the
report's date), each with what the report says of it, plus the few facts around them
(the campaign, its teams, the districts and categories, the follow-ups of the units that
fell short). Every figure of the report, its DOCX and its annex is computed from that
list, so each one names the visits behind it and every total is the sum of its parts;
and since the list is stored, the report's numbers stay as issued whatever the data does
afterwards (DESIGN §3 rule 6).
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import has_role
from inspections.models import Correction, TeamMembership, Visit
from inspections.permissions import require
from inspections.vocabulary import CONCLUSIONS, CRITERIA, NONCOMPLIANT, PARTLY
from reports.models import REPORT_APPROVERS, REPORT_WRITERS, ProvincialReport
from units.forms import districts
from units.models import UnitCategory

VALUES = CONCLUSIONS
FILTERS = ("district", "commune", "category", "a", "b", "c", "overall")


def _local_day(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def take_snapshot(campaign, as_of: datetime.date, user) -> dict:
    """The campaign's approved visits carried out up to `as_of`, as this person may see
    them, with the facts the report states around them. Seven queries whatever the size."""
    visits = (Visit.objects.visible_to(user).filter(campaign=campaign, starts_at__date__lte=as_of))
    counted = visits.filter(status=Visit.Status.APPROVED).order_by("starts_at", "id").values_list(
        "id", "unit_id", "unit__name", "unit__commune__parent__code", "unit__commune__code", "unit__commune__name",
        "unit__category__code", "starts_at", "conclusion", "qr_codes", "scans_last_7_days")
    rows = [{"id": pk, "unit_id": unit_id, "unit": name, "district": district, "commune": commune,
             "commune_name": commune_name, "category": category, "day": _local_day(starts_at),
             **{code: (conclusion or {}).get(code, "") for code in CRITERIA},
             "qr_codes": qr_codes, "scans": scans}
            for (pk, unit_id, name, district, commune, commune_name, category, starts_at, conclusion, qr_codes,
                 scans) in counted]
    pending = visits.filter(status__in=[Visit.Status.IN_PROGRESS, Visit.Status.SUBMITTED,
                                        Visit.Status.RETURNED]).count()

    short_ids = [row["id"] for row in rows if row["overall"] in (PARTLY, NONCOMPLIANT)]
    corrections = {}
    for visit_id, description, deadline, outcome, follow_deadline, steps in (
            Correction.objects.filter(visit_id__in=short_ids).order_by("visit_id", "deadline", "id")
            .annotate(steps=Count("follow_up__steps"))
            .values_list("visit_id", "description", "deadline", "follow_up__outcome", "follow_up__deadline",
                         "steps")):
        corrections.setdefault(visit_id, []).append({
            "description": description, "deadline": (follow_deadline or deadline).isoformat(),
            "outcome": outcome or "", "steps": steps})

    people = (TeamMembership.objects.filter(team__campaign=campaign)
              .values_list("team_id", "organization__name").order_by("team_id"))
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
        districts, categories = dict(self.snapshot["districts"]), dict(self.snapshot["categories"])
        self.rows = [{**row, "district_name": districts.get(row["district"], ""),
                      "category_name": categories.get(row["category"], "")} for row in self.snapshot["visits"]]
        self._indexes = {}

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
        return [{**row, "corrections": corrections.get(str(row["id"]), [])}
                for row in self.rows if row["overall"] in (PARTLY, NONCOMPLIANT)]

    def visits_for(self, query) -> list[dict]:
        """The visits behind a figure, from its filter (a query string's keys)."""
        return self.matching(**{key: query[key] for key in FILTERS if query.get(key)})


# ------------------------------------------------------------------------------ the report's life


def _changed(report) -> ProvincialReport:
    """A new revision of the report: its files are built again in the background (the
    task row commits with the change; a worker never sees a revision that did not)."""
    from reports.tasks import report_files_task

    ProvincialReport.objects.filter(pk=report.pk).update(revision=F("revision") + 1)
    report.refresh_from_db(fields=["revision"])
    report_files_task.enqueue(report.pk, report.revision)
    return report


def build_files(report_id: int, revision: int) -> bool:
    """Write the Word draft and the annex of this revision of the report, unless the report
    has changed since (then a later task builds them). Returns whether they were stored."""
    from reports.provincial_documents import report_annex, report_docx

    report = ProvincialReport.objects.select_related("approved_by").get(pk=report_id)
    if report.revision != revision:
        return False
    stem = f"bao-cao-{report.pk}-r{revision}"
    document = default_storage.save(f"reports/{stem}.docx", ContentFile(report_docx(report)))
    annex = default_storage.save(f"reports/{stem}-phu-luc.xlsx", ContentFile(report_annex(report)))
    stored = ProvincialReport.objects.filter(pk=report_id, revision=revision).update(
        document=document, annex=annex, files_revision=revision)
    old = [] if not stored else [report.document.name, report.annex.name]
    for name in (old if stored else [document, annex]):
        if name:
            default_storage.delete(name)
    return bool(stored)


@transaction.atomic
def create_report(campaign, *, as_of: datetime.date, by, is_sample: bool = False, **texts) -> ProvincialReport:
    require(has_role(by, *REPORT_WRITERS))
    if as_of < campaign.starts_on:
        raise ValidationError(_("The report's date cannot be before the campaign starts (%(day)s).")
                              % {"day": campaign.starts_on.strftime("%d/%m/%Y")})
    snapshot = take_snapshot(campaign, as_of, by)
    return _changed(ProvincialReport.objects.create(
        campaign=campaign, as_of=as_of, snapshot=snapshot, fingerprint=fingerprint(snapshot),
        taken_at=timezone.now(), created_by=by, is_sample=is_sample,
        recommendations=texts.pop("recommendations", DEFAULT_RECOMMENDATIONS), **texts))


def _locked(report) -> ProvincialReport:
    report = ProvincialReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_draft:
        raise ValidationError(_("This report has been approved: its figures and text can no longer change. "
                                "Create a new report to count later data."))
    return report


@transaction.atomic
def retake(report, *, by) -> ProvincialReport:
    """A draft takes the figures anew (an approved report never does)."""
    require(has_role(by, *REPORT_WRITERS))
    report = _locked(report)
    report.snapshot = take_snapshot(report.campaign, report.as_of, by)
    report.fingerprint = fingerprint(report.snapshot)
    report.taken_at = timezone.now()
    report.save(update_fields=["snapshot", "fingerprint", "taken_at"])
    return _changed(report)


@transaction.atomic
def update_texts(report, *, by, **texts) -> ProvincialReport:
    require(has_role(by, *REPORT_WRITERS))
    report = _locked(report)
    for name, value in texts.items():
        setattr(report, name, value)
    report.save(update_fields=list(texts))
    return _changed(report)


@transaction.atomic
def approve(report, *, by) -> ProvincialReport:
    require(has_role(by, *REPORT_APPROVERS))
    report = _locked(report)
    report.status, report.approved_by, report.approved_at = ProvincialReport.Status.APPROVED, by, timezone.now()
    report.save(update_fields=["status", "approved_by", "approved_at"])
    return _changed(report)


def changed_since(report, user) -> bool:
    """Whether the data the report counts has changed since its figures were taken."""
    return fingerprint(take_snapshot(report.campaign, report.as_of, user)) != report.fingerprint


DEFAULT_RECOMMENDATIONS = (
    "1. Đối với UBND tỉnh: …\n"
    "2. Đối với các sở, ban, ngành: …\n"
    "3. Đối với UBND các huyện, thành phố, thị xã: …\n"
    "4. Đối với các cơ quan, đơn vị, địa điểm được kiểm tra: …"
)
