"""The audit, as the Inspectorate and leadership read it (issue #11): who opened which
confidential visit, itinerary or document and when (`VisitViewLog`), and who changed
which record (the `simple_history` records of the legally meaningful models), one dated
list, newest first.

Reads only. `audit_entries` is one UNION over the logs and the history tables, filtered
in each branch, so a page is one count and one slice however many tables it spans;
`describe` then reads the page's rows back: per kind, one query for the rows and one
for the versions they follow, and the names of changed related records (units/history.py:
`readable_changes`, one query per related model) — never a query per row.
"""

from dataclasses import dataclass

from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import DIC_READERS, display_name
from inspections.models import Answer, Campaign, Correction, FollowUp, Itinerary, Visit, VisitViewLog
from inspections.vocabulary import conclusion_in_words
from units.exporters import ListExporter
from units.history import readable_changes
from units.models import Unit

AUDIT_READERS = DIC_READERS  # the Inspectorate, leadership, administrators: they see every campaign


class Kind:
    """What an entry is: an opening, or a change of one kind of record."""

    OPENED = "opened"
    CHOICES = [
        (OPENED, gettext_lazy("Opened")),
        ("visit", gettext_lazy("Visit")),
        ("answer", gettext_lazy("Answer")),
        ("itinerary", gettext_lazy("Itinerary")),
        ("correction", gettext_lazy("Correction")),
        ("follow_up", gettext_lazy("Follow-up")),
        ("unit", gettext_lazy("Unit")),
        ("campaign", gettext_lazy("Campaign")),
    ]
    LABELS = dict(CHOICES)


# The models whose history the audit shows, and the path from their history record to a campaign
# (None: a unit belongs to the registry, not to a campaign).
HISTORIES = {
    "visit": (Visit, "campaign"),
    "answer": (Answer, "visit__campaign"),
    "itinerary": (Itinerary, "campaign"),
    "correction": (Correction, "visit__campaign"),
    "follow_up": (FollowUp, "correction__visit__campaign"),
    "unit": (Unit, None),
    "campaign": (Campaign, "id"),
}
# Related records the page names each entry by, read with the history rows.
RECORD_RELATIONS = {
    "visit": ["unit"], "answer": ["visit__unit", "item"], "itinerary": [], "correction": ["visit__unit"],
    "follow_up": ["unit"], "unit": [], "campaign": [],
}
HIDDEN = {"updated_by", "saved_by", "source_import"}  # the entry's "who" already says them
ACTIONS = {"+": gettext_lazy("Created"), "-": gettext_lazy("Deleted")}


@dataclass
class Entry:
    at: object  # datetime
    person: object  # a user, or None for the system
    kind: str
    record: str
    url: str | None
    what: str = ""  # an opening's document, or "Created"/"Deleted"
    changes: tuple = ()  # (field label, old, new), labels and names rather than codes
    reason: str = ""

    @property
    def kind_label(self) -> str:
        return Kind.LABELS[self.kind]


def audit_entries(*, person=None, campaign=None, date_from=None, date_to=None, kind=None):
    """The matching entries as rows (at, person, kind, ref), newest first: a queryset to
    count and slice. `ref` is the log's id or the history record's `history_id`."""
    branches = []
    if kind in (None, "", Kind.OPENED):
        logs = VisitViewLog.objects.all()
        if campaign is not None:
            logs = logs.filter(visit__campaign=campaign)
        branches.append(_dated(logs, "viewed_at", "user", person, date_from, date_to)
                        .values(at=F("viewed_at"), person=F("user_id"),
                                kind=Value(Kind.OPENED, output_field=CharField()), ref=F("id")))
    for name, (model, to_campaign) in HISTORIES.items():
        if kind not in (None, "", name) or (campaign is not None and to_campaign is None):
            continue
        records = model.history.all()
        if campaign is not None:
            records = records.filter(**{to_campaign: campaign.pk})
        branches.append(_dated(records, "history_date", "history_user", person, date_from, date_to)
                        .values(at=F("history_date"), person=F("history_user_id"),
                                kind=Value(name, output_field=CharField()), ref=F("history_id")))
    if not branches:
        return VisitViewLog.objects.none().values("id")
    first, *others = branches
    combined = first.union(*others, all=True) if others else first
    return combined.order_by("-at", "kind", "-ref")


def _dated(queryset, moment, who, person, date_from, date_to):
    if person is not None:
        queryset = queryset.filter(**{who: person})
    if date_from is not None:
        queryset = queryset.filter(**{f"{moment}__date__gte": date_from})  # in Hà Tĩnh time (TIME_ZONE)
    if date_to is not None:
        queryset = queryset.filter(**{f"{moment}__date__lte": date_to})
    return queryset.order_by()


def describe(rows) -> list[Entry]:
    """The rows of `audit_entries` (a page of them) as entries people read, in the same order."""
    rows = list(rows)
    refs = {}
    for row in rows:
        refs.setdefault(row["kind"], []).append(row["ref"])
    described = {}
    if Kind.OPENED in refs:
        described.update(_openings(refs.pop(Kind.OPENED)))
    for kind, kind_refs in refs.items():
        described.update(_changes(kind, kind_refs))
    return [described[(row["kind"], row["ref"])] for row in rows]


def _openings(refs):
    logs = VisitViewLog.objects.filter(pk__in=refs).select_related("user", "visit__unit")
    return {(Kind.OPENED, log.pk): Entry(
        at=log.viewed_at, person=log.user, kind=Kind.OPENED, record=_visit_name(log.visit),
        url=reverse("inspections:visit_detail", args=[log.visit_id]), what=log.get_opened_display())
        for log in logs}


def _changes(kind, refs):
    model, _to_campaign = HISTORIES[kind]
    history = model.history.model
    earlier = (history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
               .order_by("-history_id").values("history_id")[:1])
    records = list(history.objects.filter(history_id__in=refs).select_related("history_user", *RECORD_RELATIONS[kind])
                   .annotate(previous_id=Subquery(earlier)))
    previous = history.objects.in_bulk([r.previous_id for r in records if r.previous_id])
    fields = {f.name for f in history.tracked_fields if f.editable} - HIDDEN
    deltas = []
    for record in records:
        before = previous.get(record.previous_id)
        changed = record.history_type == "~" and before is not None
        delta = record.diff_against(before, included_fields=fields).changes if changed else []
        deltas.append([(model._meta.get_field(change.field), change.old, change.new) for change in delta])
    entries = {}
    for record, changes in zip(records, readable_changes(deltas), strict=True):
        record_name, url = _record(kind, record)
        entries[(kind, record.history_id)] = Entry(
            at=record.history_date, person=record.history_user, kind=kind, record=record_name, url=url,
            what=str(ACTIONS.get(record.history_type, "")),
            changes=tuple((str(label), _plain(old), _plain(new)) for label, old, new in changes),
            reason=record.history_change_reason or "")
    return entries


def _visit_name(visit) -> str:
    return f"{visit.unit.name} · {timezone.localtime(visit.starts_at):%d/%m/%Y}"


def _record(kind, record) -> tuple[str, str | None]:
    """The record an entry is about, by name, and its page."""
    if kind == "visit":
        return _visit_name(record), reverse("inspections:visit_detail", args=[record.id])
    if kind == "answer":
        return (f"{_visit_name(record.visit)} · {record.item.code}",
                reverse("inspections:visit_detail", args=[record.visit_id]))
    if kind == "correction":
        return _visit_name(record.visit), reverse("inspections:visit_detail", args=[record.visit_id])
    if kind == "itinerary":
        return (_("Itinerary of %(date)s") % {"date": f"{record.date:%d/%m/%Y}"},
                reverse("inspections:itinerary_detail", args=[record.id]))
    if kind == "follow_up":
        return record.unit.name, reverse("inspections:follow_up_detail", args=[record.id])
    if kind == "unit":
        return record.name, reverse("units:unit_detail", args=[record.id])
    return record.title, reverse("inspections:campaign_detail", args=[record.id])


def _plain(value):
    """A conclusion (criterion → code) by its labels; a label in the language of now; any
    other value as readable_changes gave it."""
    if isinstance(value, dict):
        return conclusion_in_words(value)
    if isinstance(value, Promise):
        return str(value)
    return value


class AuditExporter(ListExporter):
    """The filtered audit as a sheet, one row per entry, read a batch at a time."""

    BATCH = 500

    def __init__(self, entries):
        self.entries = entries  # audit_entries(...)

    def title(self):
        return _("Audit")

    def headers(self):
        return [_("When"), _("Person"), _("Kind"), _("Record"), _("What"), _("Reason")]

    def count(self):
        return self.entries.count()

    def rows(self):
        total = self.count()
        for start in range(0, total, self.BATCH):
            for entry in describe(self.entries[start:start + self.BATCH]):
                what = "; ".join(f"{label}: {_shown(old)} → {_shown(new)}" for label, old, new in entry.changes)
                yield [timezone.localtime(entry.at).replace(tzinfo=None), display_name(entry.person) if entry.person
                       else _("the system"), str(entry.kind_label), entry.record, what or entry.what, entry.reason]


def _shown(value) -> str:
    return "—" if value in (None, "") else str(value)
