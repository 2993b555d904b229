"""The confidential schedule (plan II.2, III.1): the Office's vehicles, the calendar,
itineraries built, sent and confirmed."""

import calendar
import datetime
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from config.feedback import error_text, form_error_text
from inspections.forms import (
    ItineraryForm,
    ResendForm,
    ScheduleFilterForm,
    VehicleForm,
    VisitLineFormSet,
    planned_visits,
)
from inspections.models import Itinerary, Vehicle, Visit, VisitViewLog
from inspections.permissions import can_keep_vehicles, can_schedule, require
from inspections.schedule import confirm_itinerary, save_itinerary, send_schedule
from inspections.views.scope import campaign_or_404
from units.models import Unit


def vehicle_list(request):
    require(can_keep_vehicles(request.user) or can_schedule(request.user))
    form = VehicleForm(request.POST or None)
    if request.method == "POST":
        require(can_keep_vehicles(request.user))
        if form.is_valid():
            form.save()
            messages.success(request, _("Vehicle saved."))
            return redirect("inspections:vehicle_list")
    return render(request, "inspections/vehicle_list.html", {
        "vehicles": Vehicle.objects.all(), "form": form, "can_edit": can_keep_vehicles(request.user)})


def schedule(request, pk):
    """The itineraries this person may see: a month calendar of the campaign period with
    a list below, filtered by district, person, vehicle, day or week."""
    campaign = campaign_or_404(request, pk)
    visible = Itinerary.objects.visible_to(request.user).filter(campaign=campaign)
    filters = ScheduleFilterForm(request.GET or None, campaign=campaign, user=request.user)
    visible = filters.filter(visible)
    per_day = dict(visible.values_list("date").annotate(n=Count("id", distinct=True)).order_by())
    listed = filters.filter_period(visible)
    itineraries = (listed.select_related("vehicle").prefetch_related("people__user", "visits__unit__commune__parent")
                   .order_by("date", "departs_at"))
    page = Paginator(itineraries, 31).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "inspections/schedule.html", {
        "campaign": campaign, "page": page, "can_schedule": can_schedule(request.user), "filters": filters,
        "months": _month_grid(campaign, per_day), "query": query.urlencode(),
    })


def _month_grid(campaign, per_day):
    """[(month's first day, [[(day, in_month, count), …] per week])] for the campaign period."""
    months, month = [], campaign.starts_on.replace(day=1)
    while month <= campaign.ends_on:
        weeks = [[(day, day.month == month.month, per_day.get(day, 0)) for day in week]
                 for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)]
        months.append((month, weeks))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _itinerary_forms(request, campaign, itinerary=None):
    targets = (campaign.targets.select_related("unit").values_list("unit", flat=True))
    units = Unit.objects.filter(pk__in=targets).select_related("commune__parent").in_vietnamese_order()
    initial, lines = None, None
    if itinerary is not None:
        initial = {"date": itinerary.date, "departs_at": itinerary.departs_at, "returns_at": itinerary.returns_at,
                   "departure_place": itinerary.departure_place, "vehicle": itinerary.vehicle,
                   "people": list(itinerary.people.all())}
        lines = [{"unit": v.unit, "starts": v.starts_at.astimezone().time(), "ends": v.ends_at.astimezone().time()}
                 for v in itinerary.visits.exclude(status=Visit.Status.CANCELLED).select_related("unit")]
    form = ItineraryForm(request.POST or None, campaign=campaign, initial=initial)
    formset = VisitLineFormSet(request.POST or None, initial=lines or [{}] * 4,
                               form_kwargs={"targets": units}, prefix="visits")
    if request.method == "GET" and not lines:
        formset = VisitLineFormSet(initial=None, form_kwargs={"targets": units}, prefix="visits")
        formset.extra = 4
    return form, formset


def itinerary_edit(request, pk, itinerary_pk=None):
    campaign = campaign_or_404(request, pk)
    itinerary = None
    if itinerary_pk is not None:
        itinerary = get_object_or_404(Itinerary.objects.visible_to(request.user).filter(campaign=campaign),
                                      pk=itinerary_pk)
    require(can_schedule(request.user))
    form, formset = _itinerary_forms(request, campaign, itinerary)
    check = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        saved, check = save_itinerary(
            campaign=campaign, date=data["date"], departs_at=data["departs_at"], returns_at=data["returns_at"],
            vehicle=data["vehicle"], people=data["people"], visits=planned_visits(formset, data["date"]),
            departure_place=data["departure_place"], itinerary=itinerary, by=request.user,
            warnings_confirmed=data["confirm_warnings"])
        if saved is not None:
            messages.success(request, _("Itinerary saved."))
            return redirect("inspections:itinerary_detail", pk=saved.pk)
    return render(request, "inspections/itinerary_form.html", {
        "campaign": campaign, "form": form, "formset": formset, "check": check, "itinerary": itinerary})


def itinerary_detail(request, pk):
    itinerary = get_object_or_404(
        Itinerary.objects.visible_to(request.user).select_related("campaign", "vehicle", "confirmed_by"), pk=pk)
    visits = list(Visit.objects.visible_to(request.user).filter(itinerary=itinerary).select_related(
        "unit__commune__parent").order_by("position"))
    # Opening the itinerary reads its in-app notice.
    itinerary.notices.filter(recipient=request.user, channel="in_app", read_at__isnull=True).update(
        read_at=timezone.now())
    # The route sheet shows its visits: each showing is logged like an opened visit.
    VisitViewLog.objects.record(visits, user=request.user, opened=VisitViewLog.Opened.ROUTE_SHEET)
    people = list(itinerary.people.select_related("user", "organization"))
    on_team = any(membership.user_id == request.user.pk for membership in people)
    return render(request, "inspections/itinerary_detail.html", {
        "itinerary": itinerary, "visits": visits, "people": people,
        # The team's phones keep the day's visits for working offline (static/js/outbox.js).
        "offline_pages": json.dumps([{"url": reverse("inspections:visit_detail", args=[visit.pk]),
                                      "title": visit.unit.name} for visit in visits], ensure_ascii=False)
        if on_team else "",
        "notices": itinerary.notices.select_related("recipient", "sent_by")[:50] if can_schedule(request.user) else [],
        "can_schedule": can_schedule(request.user), "can_confirm": can_keep_vehicles(request.user),
        "resend_form": ResendForm(),
    })


@require_POST
def itinerary_send(request, pk):
    itinerary = get_object_or_404(Itinerary.objects.visible_to(request.user), pk=pk)
    require(can_schedule(request.user))
    if itinerary.schedule_sent_at and not (form := ResendForm(request.POST)).is_valid():
        # Sent already: every person would be told again, only on purpose.
        messages.error(request, form_error_text(form))
        return redirect("inspections:itinerary_detail", pk=itinerary.pk)
    try:
        count = send_schedule(itinerary, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, ngettext("Schedule sent to %(count)s person.", "Schedule sent to %(count)s people.",
                                           count) % {"count": count})
    return redirect("inspections:itinerary_detail", pk=itinerary.pk)


@require_POST
def itinerary_confirm(request, pk):
    itinerary = get_object_or_404(Itinerary.objects.visible_to(request.user), pk=pk)
    require(can_keep_vehicles(request.user))
    try:
        confirm_itinerary(itinerary, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Vehicle confirmed."))
    return redirect("inspections:itinerary_detail", pk=itinerary.pk)
