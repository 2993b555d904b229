"""The read endpoints. Each starts from the model's `visible_to(request.user)`, as the
pages do: what is out of the caller's scope is a 404 (a surprise schedule is not
revealed to anyone outside the DIC and the team on it), a list they may not read at all
is a 403. Lists are paginated and their related rows are fetched in a fixed number of
queries (select_related / prefetch_related), whatever the page's size."""

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from accounts.roles import DIC_READERS, has_role
from api.schemas import (
    CampaignOut,
    ErrorOut,
    FollowUpOut,
    ItineraryOut,
    ReportFiguresOut,
    ReportOut,
    UnitOut,
    VisitOut,
)
from inspections.models import Answer, Campaign, FollowUp, Itinerary, TeamMembership, Visit, VisitViewLog
from inspections.permissions import require
from inspections.vocabulary import criterion_label
from reports.models import REPORT_READERS, ProvincialReport
from reports.provincial import Figures
from units.models import Unit

router = Router()


class Pages(LimitOffsetPagination):
    """`limit` and `offset`, both bounded: an offset past any real list (a hundred million rows)
    is a 422 like any other bad parameter, not a number the database cannot hold."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=100_000_000)


# The refusals each endpoint may answer, documented so that clients (and the schema test) know them.
ERRORS = {frozenset({400, 401, 403, 404, 422}): ErrorOut}


def campaigns(request):
    return Campaign.objects.visible_to(request.user).order_by("-starts_on", "id")


def units(request):
    return (Unit.objects.visible_to(request.user).select_related("category", "commune__parent")
            .order_by("sort_key", "id"))


def itineraries(request):
    return (Itinerary.objects.visible_to(request.user).select_related("vehicle").order_by("date", "departs_at", "id")
            .prefetch_related(Prefetch("people", TeamMembership.objects.select_related("user").order_by("id")),
                              Prefetch("visits", Visit.objects.visible_to(request.user).select_related("unit")
                                       .order_by("position", "starts_at"))))


def visits(request):
    return (Visit.objects.visible_to(request.user).select_related("unit", "transcribed_by")
            .order_by("starts_at", "position", "id")
            .prefetch_related(Prefetch("answers", Answer.objects.select_related("item__section")
                                       .order_by("item__section__order", "item__order", "item__code")),
                              "evidence", "corrections", "signatures", "qr_scans"))


def follow_ups(request):
    require(has_role(request.user, *DIC_READERS))  # the DIC's handling of units, as /theo-doi/
    return (FollowUp.objects.visible_to(request.user).select_related("unit", "correction")
            .prefetch_related("steps").order_by("deadline", "id"))


def reports(request):
    require(has_role(request.user, *REPORT_READERS))  # the Inspectorate and leadership, as the report pages
    return ProvincialReport.objects.visible_to(request.user).order_by("-as_of", "-id")


@router.get("/campaigns", response={200: list[CampaignOut], **ERRORS}, tags=["campaigns"])
@paginate(Pages)
def campaign_list(request):
    return campaigns(request)


@router.get("/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS}, tags=["campaigns"])
def campaign_detail(request, campaign_id: int):
    return get_object_or_404(campaigns(request), pk=campaign_id)


@router.get("/units", response={200: list[UnitOut], **ERRORS}, tags=["units"])
@paginate(Pages)
def unit_list(request):
    return units(request)


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, tags=["units"])
def unit_detail(request, unit_id: int):
    return get_object_or_404(units(request), pk=unit_id)


@router.get("/itineraries", response={200: list[ItineraryOut], **ERRORS}, tags=["schedule"])
@paginate(Pages)
def itinerary_list(request, campaign: int | None = None):
    found = itineraries(request)
    return found.filter(campaign_id=campaign) if campaign else found


@router.get("/itineraries/{itinerary_id}", response={200: ItineraryOut, **ERRORS}, tags=["schedule"])
def itinerary_detail(request, itinerary_id: int):
    return get_object_or_404(itineraries(request), pk=itinerary_id)


@router.get("/visits", response={200: list[VisitOut], **ERRORS}, tags=["visits"])
@paginate(Pages)
def visit_list(request, campaign: int | None = None, status: Visit.Status | None = None):
    found = visits(request)
    if campaign:
        found = found.filter(campaign_id=campaign)
    return found.filter(status=status) if status else found


@router.get("/visits/{visit_id}", response={200: VisitOut, **ERRORS}, tags=["visits"])
def visit_detail(request, visit_id: int):
    visit = get_object_or_404(visits(request), pk=visit_id)
    if visit.status != Visit.Status.PLANNED:
        VisitViewLog.objects.create(visit=visit, user=request.user)  # who opened a scheduled visit, as the page
    return visit


@router.get("/follow-ups", response={200: list[FollowUpOut], **ERRORS}, tags=["follow-ups"])
@paginate(Pages)
def follow_up_list(request):
    return follow_ups(request)


@router.get("/follow-ups/{follow_up_id}", response={200: FollowUpOut, **ERRORS}, tags=["follow-ups"])
def follow_up_detail(request, follow_up_id: int):
    return get_object_or_404(follow_ups(request), pk=follow_up_id)


@router.get("/reports", response={200: list[ReportOut], **ERRORS}, tags=["reports"])
@paginate(Pages)
def report_list(request, campaign: int | None = None):
    found = reports(request).defer("snapshot", "digest", "short_rows")  # a list states no figures: no snapshot read
    return found.filter(campaign_id=campaign) if campaign else found


def _figure(figure) -> dict:
    return {"count": figure.count, "visit_ids": figure.ids}


@router.get("/reports/{report_id}", response={200: ReportFiguresOut, **ERRORS}, tags=["reports"])
def report_detail(request, report_id: int):
    """The report's figures as issued: read from its frozen snapshot (reports/provincial.py),
    never counted again from today's data."""
    report = get_object_or_404(reports(request), pk=report_id)
    figures = Figures(report.snapshot)
    return {
        "report": report,
        "total": _figure(figures.total), "units_inspected": figures.units_inspected,
        "pending": report.snapshot.get("pending", 0),
        "criteria": [{"criterion": {"code": code, "label": criterion_label(code)},
                      **dict(zip(("compliant", "partly", "noncompliant"), map(_figure, counts), strict=True))}
                     for code, *counts in figures.criteria()],
        "by_district": [{"district": name, "visits": _figure(total),
                         **dict(zip(("compliant", "partly", "noncompliant"), map(_figure, counts), strict=True))}
                        for name, total, *counts in figures.by_district()],
        "by_category": [{"category": name, "visits": _figure(figure), "units": unit_count}
                        for name, figure, unit_count in figures.by_category()],
    }
