"""The leadership dashboard's figures, each a small table built in one query, from
the visits the viewer may see (so nothing confidential is counted for anyone else). A viewer
who sees every visit gets the visits', follow-ups' and targets' figures from the tallies
(reports/tallies.py), which give the same tables without scanning the rows; the scans below
serve everyone else, the units of a commune, and the tests that hold the tallies to them."""

import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from inspections.models import Campaign, FollowUp, Target, Visit, sees_every_visit
from inspections.vocabulary import COMPLIANT, CONCLUSIONS, CRITERIA, NONCOMPLIANT, PARTLY
from units.forms import districts
from units.models import Unit, sees_every_unit
from units.reconciliation import qr_coverage

from . import tallies


def progress_by_day(campaign: Campaign, visits) -> list[tuple]:
    """(day, scheduled that day, visited that day, approved that day, cumulative visited) over the period."""
    return over_the_period(campaign, visits.filter(campaign=campaign).exclude(status=Visit.Status.CANCELLED)
                           .values(day=TruncDate("starts_at"))  # the local day (TIME_ZONE)
                           .annotate(scheduled=Count("id"), visited=Count("id", filter=Q(status__in=Visit.INSPECTED)),
                                     approved=Count("id", filter=Q(status=Visit.Status.APPROVED))))


def over_the_period(campaign: Campaign, days) -> list[tuple]:
    """Every day of the campaign's period from rows of (day, scheduled, visited, approved), the
    days without visits as zeros, and the visited cumulated."""
    rows = {row["day"]: row for row in days}
    table, total, day = [], 0, campaign.starts_on
    while day <= campaign.ends_on:
        row = rows.get(day, {"scheduled": 0, "visited": 0, "approved": 0})
        total += row["visited"]
        table.append((day, row["scheduled"], row["visited"], row["approved"], total))
        day += datetime.timedelta(days=1)
    return table


# Per level: the name shown, the key a link filters on, the order of the rows.
GROUPS = {
    "district": ("unit__commune__parent__name", "unit__commune__parent__code", "unit__commune__parent__code"),
    "commune": ("unit__commune__name", "unit__commune__code", "unit__commune__code"),
    "unit": ("unit__name", "unit_id", "unit__sort_key"),
    "category": ("unit__category__name", "unit__category__code", "unit__category__order"),
}


def compliance(visits, by: str) -> list[tuple]:
    """Per district, commune, unit or category: (name, approved visits, Đạt, Đạt một phần,
    Chưa đạt overall, the key its links filter on); totals equal the sum of the rows."""
    name, key, order = GROUPS[by]
    rows = (visits.filter(status=Visit.Status.APPROVED).values(name, key, order).annotate(
        total=Count("id"),
        compliant=Count("id", filter=Q(conclusion__overall=COMPLIANT)),
        partly=Count("id", filter=Q(conclusion__overall=PARTLY)),
        noncompliant=Count("id", filter=Q(conclusion__overall=NONCOMPLIANT)),
    ).order_by(order, key))
    return [(row[name], row["total"], row["compliant"], row["partly"], row["noncompliant"], row[key])
            for row in rows]


def every_district(rows: list[tuple]) -> list[tuple]:
    """The province's districts, all of them in national order, those with no approved
    visit as zeros (one query)."""
    found = {row[5]: row for row in rows}
    return [found.get(code, (name, 0, 0, 0, 0, code)) for name, code in districts().values_list("name", "code")]


def criteria(visits) -> list[tuple]:
    """Per criterion a, b, c and overall: Đạt / Đạt một phần / Chưa đạt among approved visits."""
    approved = visits.filter(status=Visit.Status.APPROVED)
    counts = approved.aggregate(**{
        f"{code}_{value}": Count("id", filter=Q(**{f"conclusion__{code}": value}))
        for code in CRITERIA for value in CONCLUSIONS})
    return [(code, counts[f"{code}_{COMPLIANT}"], counts[f"{code}_{PARTLY}"], counts[f"{code}_{NONCOMPLIANT}"])
            for code in CRITERIA]


def visit_figures(campaign: Campaign, user, visits=None, targets=None) -> dict:
    """Targets, visits scheduled, units visited and visits approved, as this person may see them
    (the campaign page and the dashboard both show them; the dashboard passes its filtered
    visits and targets)."""
    every = sees_every_visit(user)  # every visit, hence every target (Target.objects.visible_to)
    if targets is not None:
        targets = targets.count()
    elif every:
        targets = tallies.targets(tallies.target_cells(campaign))
    else:
        targets = Target.objects.visible_to(user).filter(campaign=campaign).count()
    if visits is None and every:
        figures = tallies.visit_figures(tallies.cells(campaign))
    else:
        figures = counted(Visit.objects.visible_to(user).filter(campaign=campaign) if visits is None else visits)
    return {**figures, "targets": targets}


def counted(visits) -> dict:
    """Visits scheduled (neither a draft nor cancelled), visited and approved."""
    return visits.aggregate(
        scheduled=Count("id", filter=~Q(status__in=[Visit.Status.PLANNED, Visit.Status.CANCELLED])),
        visited=Count("id", filter=Q(status__in=Visit.INSPECTED)),
        approved=Count("id", filter=Q(status=Visit.Status.APPROVED)))


def follow_up_figures(user, today, visits) -> dict:
    """Follow-ups open, overdue, fixed and not fixed: those this person may see of the
    corrections asked at `visits` (a follow-up counts when the visit that asked for its
    correction does)."""
    return FollowUp.objects.visible_to(user).filter(correction__visit__in=visits.values("id")).aggregate(
        open=Count("id", filter=Q(outcome=FollowUp.Outcome.OPEN)),
        overdue=Count("id", filter=FollowUp.overdue_on(today)),
        fixed=Count("id", filter=Q(outcome=FollowUp.Outcome.FIXED)),
        not_fixed=Count("id", filter=Q(outcome=FollowUp.Outcome.NOT_FIXED)))


def headline(figures: dict, *, targets: int, never_inspected: int, follow_ups: dict) -> dict:
    """The tiles, each from the page's filtered rows: the visits' `figures` (campaign, dates,
    category, area), the follow-ups of their corrections (the same), the campaign's targets and
    the registry's units never inspected (category and area: neither is dated)."""
    return {**figures, "targets": targets, "never_inspected": never_inspected,
            **{f"follow_ups_{key}": value for key, value in follow_ups.items()}}


def dashboard(campaign: Campaign, user, today, filters=None) -> dict:
    """Every panel, from the visits this person may see. `filters` (a bound
    DashboardFilterForm) narrows the visits, the targets and the registry's units (filter
    once, then aggregate: every panel reads these three) and sets the level of the area
    table: districts, a district's communes, or a commune's units."""
    visits = Visit.objects.visible_to(user).filter(campaign=campaign)
    targets = Target.objects.visible_to(user).filter(campaign=campaign)
    units = Unit.objects.visible_to(user)
    level = "district"
    if filters is not None:
        visits, level = filters.filter(visits), filters.level
        targets, units = filters.filter_units(targets, "unit__"), filters.filter_units(units)
    if sees_every_visit(user):  # every visit, hence every follow-up and every target
        cells = tallies.cells(campaign, filters)
        figures, progress = tallies.visit_figures(cells), over_the_period(campaign, tallies.daily(cells))
        by_area = compliance(visits, level) if level == "unit" else tallies.compliance(cells, GROUPS[level])
        by_category, criteria_rows = tallies.compliance(cells, GROUPS["category"]), tallies.criteria(cells)
        follow_ups = tallies.follow_ups(tallies.follow_up_cells(campaign, filters), today)
        targets = tallies.targets(tallies.target_cells(campaign, filters))
    else:
        figures, progress = counted(visits), progress_by_day(campaign, visits)
        by_area, by_category = compliance(visits, level), compliance(visits, "category")
        criteria_rows = criteria(visits)
        follow_ups, targets = follow_up_figures(user, today, visits), targets.count()
    if sees_every_unit(user):
        registry = tallies.registry_cells(filters)
        never_inspected, qr_by_district = tallies.never_inspected(registry), tallies.qr_by_district(registry)
    else:
        never_inspected = units.filter(is_active=True).never_inspected().count()
        qr_by_district = qr_coverage(units, "district")
    return {
        "headline": headline(figures, targets=targets, never_inspected=never_inspected, follow_ups=follow_ups),
        "progress": progress,
        "criteria": criteria_rows,
        "level": level,
        "by_area": every_district(by_area) if level == "district" else by_area,
        "by_category": by_category,
        "qr_by_district": qr_by_district,
    }
