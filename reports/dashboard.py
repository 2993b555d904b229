"""The leadership dashboard's figures, each a small table built in one query, from
the visits the viewer may see (so nothing confidential is counted for anyone else)."""

import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from inspections.fieldwork import COMPLIANT, NONCOMPLIANT, PARTLY
from inspections.models import Campaign, FollowUp, Target, Visit
from units.models import Unit
from units.reconciliation import qr_coverage

DONE = (Visit.Status.SUBMITTED, Visit.Status.APPROVED)
CRITERIA = ("a", "b", "c", "overall")


def progress_by_day(campaign: Campaign, visits) -> list[tuple]:
    """(day, scheduled that day, visited that day, approved that day, cumulative visited) over the period."""
    rows = {row["day"]: row for row in visits.filter(campaign=campaign).exclude(status=Visit.Status.CANCELLED)
            .values(day=TruncDate("starts_at"))  # the local day (TIME_ZONE)
            .annotate(
                scheduled=Count("id"), visited=Count("id", filter=Q(status__in=Visit.INSPECTED)),
                approved=Count("id", filter=Q(status=Visit.Status.APPROVED)))}
    table, total, day = [], 0, campaign.starts_on
    while day <= campaign.ends_on:
        row = rows.get(day, {"scheduled": 0, "visited": 0, "approved": 0})
        total += row["visited"]
        table.append((day, row["scheduled"], row["visited"], row["approved"], total))
        day += datetime.timedelta(days=1)
    return table


def compliance(visits, by: str) -> list[tuple]:
    """Per district or category: approved visits and how many are Đạt / Đạt một phần / Chưa đạt
    overall; totals equal the sum of the rows."""
    group = {"district": ("unit__commune__parent__name", "unit__commune__parent__code"),
             "category": ("unit__category__name", "unit__category__order")}[by]
    rows = (visits.filter(status=Visit.Status.APPROVED).values(*group).annotate(
        total=Count("id"),
        compliant=Count("id", filter=Q(conclusion__overall=COMPLIANT)),
        partly=Count("id", filter=Q(conclusion__overall=PARTLY)),
        noncompliant=Count("id", filter=Q(conclusion__overall=NONCOMPLIANT)),
    ).order_by(group[1]))
    return [(row[group[0]], row["total"], row["compliant"], row["partly"], row["noncompliant"]) for row in rows]


def criteria(visits) -> list[tuple]:
    """Per criterion a, b, c and overall: Đạt / Đạt một phần / Chưa đạt among approved visits."""
    approved = visits.filter(status=Visit.Status.APPROVED)
    counts = approved.aggregate(**{
        f"{code}_{value}": Count("id", filter=Q(**{f"conclusion__{code}": value}))
        for code in CRITERIA for value in (COMPLIANT, PARTLY, NONCOMPLIANT)})
    return [(code, counts[f"{code}_{COMPLIANT}"], counts[f"{code}_{PARTLY}"], counts[f"{code}_{NONCOMPLIANT}"])
            for code in CRITERIA]


def visit_figures(campaign: Campaign, user) -> dict:
    """Targets, visits scheduled, units visited and visits approved, as this person may see them
    (the campaign page and the dashboard both show them)."""
    figures = Visit.objects.visible_to(user).filter(campaign=campaign).aggregate(
        scheduled=Count("id", filter=~Q(status__in=[Visit.Status.PLANNED, Visit.Status.CANCELLED])),
        visited=Count("id", filter=Q(status__in=Visit.INSPECTED)),
        approved=Count("id", filter=Q(status=Visit.Status.APPROVED)))
    figures["targets"] = Target.objects.visible_to(user).filter(campaign=campaign).count()
    return figures


def headline(campaign: Campaign, user, today) -> dict:
    figures = visit_figures(campaign, user)
    follow_ups = FollowUp.objects.visible_to(user).aggregate(
        open=Count("id", filter=Q(outcome=FollowUp.Outcome.OPEN)),
        overdue=Count("id", filter=Q(outcome=FollowUp.Outcome.OPEN, deadline__lt=today)),
        fixed=Count("id", filter=Q(outcome=FollowUp.Outcome.FIXED)),
        not_fixed=Count("id", filter=Q(outcome=FollowUp.Outcome.NOT_FIXED)))
    figures.update({f"follow_ups_{key}": value for key, value in follow_ups.items()})
    figures["never_inspected"] = Unit.objects.visible_to(user).filter(is_active=True).never_inspected().count()
    return figures


def dashboard(campaign: Campaign, user, today) -> dict:
    visits = Visit.objects.visible_to(user).filter(campaign=campaign)
    units = Unit.objects.visible_to(user)
    return {
        "headline": headline(campaign, user, today),
        "progress": progress_by_day(campaign, visits),
        "criteria": criteria(visits),
        "by_district": compliance(visits, "district"),
        "by_category": compliance(visits, "category"),
        "qr_by_district": qr_coverage(units, "district"),
    }

