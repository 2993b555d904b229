"""The dashboard's figures read from the tallies (reports.models.VisitTally, UnitTally,
FollowUpTally, TargetTally) rather than from the visits, the units, the follow-ups and the
targets: the same tables as reports/dashboard.py's scans, summed over at most days × communes ×
categories rows (× deadlines for the follow-ups) whatever the number of visits and units. Only
for a viewer who sees every visit of the campaign (`sees_every_visit`: then every follow-up and
every target too) or the whole registry (`sees_every_unit`): the tallies know nothing of teams."""

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from inspections.models import Visit
from inspections.vocabulary import CONCLUSIONS, CRITERIA
from reports.models import FollowUpTally, TargetTally, UnitTally, VisitTally
from units.reconciliation import qr_table

APPROVED = Visit.Status.APPROVED
NOT_CANCELLED = [status for status in Visit.Status.values if status != Visit.Status.CANCELLED]
SCHEDULED = [status for status in NOT_CANCELLED if status != Visit.Status.PLANNED]


def cells(campaign, filters=None, tally=VisitTally):
    """The campaign's tallies of visits (or of the follow-ups they asked for: FollowUpTally)
    narrowed as the dashboard's filters narrow its visits: the local days, the category, the
    district or commune drilled to."""
    rows = tally.objects.filter(campaign=campaign)
    if filters is None:
        return rows
    if filters.filters.get("date_from"):
        rows = rows.filter(day__gte=filters.filters["date_from"])
    if filters.filters.get("date_to"):
        rows = rows.filter(day__lte=filters.filters["date_to"])
    return filters.filter_units(rows)


def total(*columns):
    """The sum over the rows of these columns (0 when there is no row)."""
    added = F(columns[0])
    for column in columns[1:]:
        added += F(column)
    return Coalesce(Sum(added), 0)


def visit_figures(rows) -> dict:
    return rows.aggregate(scheduled=total(*SCHEDULED), visited=total(*Visit.INSPECTED), approved=total(APPROVED))


def daily(rows):
    """Per local day: visits not cancelled, visited, approved (dashboard.progress_by_day's rows)."""
    return rows.values("day").annotate(
        scheduled=total(*NOT_CANCELLED), visited=total(*Visit.INSPECTED), approved=total(APPROVED))


def criteria(rows) -> list[tuple]:
    columns = [f"{code}_{value}" for code in CRITERIA for value in CONCLUSIONS]
    counts = rows.aggregate(**{column: total(column) for column in columns})
    return [(code, *(counts[f"{code}_{value}"] for value in CONCLUSIONS)) for code in CRITERIA]


def compliance(rows, group: tuple[str, str, str]) -> list[tuple]:
    """Per district, commune or category (dashboard.GROUPS without its "unit__"): rows as
    dashboard.compliance() gives them, only the groups with an approved visit."""
    name, key, order = (path.removeprefix("unit__") for path in group)
    grouped = (rows.values(name, key, order)
               .annotate(total=total(APPROVED), **{value: total(f"overall_{value}") for value in CONCLUSIONS})
               .filter(total__gt=0).order_by(order, key))
    return [(row[name], row["total"], *(row[value] for value in CONCLUSIONS), row[key]) for row in grouped]


def follow_up_cells(campaign, filters=None):
    """The tallies of the follow-ups asked at the campaign's visits, narrowed as its visits are."""
    return cells(campaign, filters, FollowUpTally)


def follow_ups(rows, today) -> dict:
    """Follow-ups open, overdue (open, deadline before `today`: FollowUp.overdue_on), fixed and
    not fixed (dashboard.follow_up_figures) over FollowUpTally's rows."""
    sums = rows.aggregate(open_=total("open"), overdue=Coalesce(Sum("open", filter=Q(deadline__lt=today)), 0),
                          fixed_=total("fixed"), not_fixed_=total("not_fixed"))  # aliases are not the columns'
    return {key.removesuffix("_"): value for key, value in sums.items()}


def target_cells(campaign, filters=None):
    """The campaign's targets' tallies narrowed to the dashboard's category and area (not dated)."""
    rows = TargetTally.objects.filter(campaign=campaign)
    return rows if filters is None else filters.filter_units(rows)


def targets(rows) -> int:
    return rows.aggregate(targets=total("targets"))["targets"]


def registry_cells(filters=None):
    """The registry's tallies narrowed to the dashboard's category and area (they are not dated)."""
    return UnitTally.objects.all() if filters is None else filters.filter_units(UnitTally.objects.all())


def never_inspected(rows) -> int:
    return rows.aggregate(units=total("never_inspected"))["units"]


def qr_by_district(rows):
    """units.reconciliation.qr_coverage(units, "district") from the tallies."""
    grouped = (rows.values("commune__parent__name", "commune__parent__code")
               .annotate(total=total("active"), with_qr=total("with_qr")).filter(total__gt=0)
               .order_by("commune__parent__code"))
    return qr_table([(row["commune__parent__name"], row["total"], row["with_qr"]) for row in grouped])
