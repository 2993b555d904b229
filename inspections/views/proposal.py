"""The itinerary proposal for the coordinator (plan II.2, III.1): ask for one, drop a
day, move a visit to another proposed day, accept all or part as draft itineraries.

The proposal waits in the coordinator's session between requests; the solver is bounded
(10 s) and runs in the request: a province's campaign fits (docs/decisions.md §19)."""

import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from inspections.models import Team, TeamMembership, Vehicle
from inspections.permissions import can_schedule, require
from inspections.proposal import (
    accept_trip,
    campaign_input,
    move_visit,
    propose_trips,
    trip_as_data,
    trip_from_data,
)
from inspections.views.scope import campaign_or_404
from units.models import Unit

SOLVER_SECONDS = 10


def _key(campaign) -> str:
    return f"itinerary-proposal-{campaign.pk}"


def schedule_proposal(request, pk):
    """The proposal kept for this campaign, each day with its people, car and visits."""
    campaign = campaign_or_404(request, pk)
    require(can_schedule(request.user))
    stored = request.session.get(_key(campaign))
    trips = [trip_from_data(trip) for trip in stored["trips"]] if stored else []
    units = Unit.objects.select_related("commune__parent").in_bulk(
        [v.unit_id for trip in trips for v in trip.visits] + (stored["unscheduled"] if stored else []))
    people = TeamMembership.objects.select_related("user", "organization").in_bulk(
        [p.membership_id for trip in trips for p in trip.people])
    teams = Team.objects.in_bulk({trip.team_id for trip in trips})
    vehicles = Vehicle.objects.in_bulk({trip.vehicle_id for trip in trips})
    days = [{"index": index, "trip": trip, "team": teams.get(trip.team_id), "vehicle": vehicles.get(trip.vehicle_id),
             "people": [people[p.membership_id] for p in trip.people if p.membership_id in people],
             "visits": [(visit, units.get(visit.unit_id)) for visit in trip.visits]}
            for index, trip in enumerate(trips)]
    return render(request, "inspections/schedule_proposal.html", {
        "campaign": campaign, "stored": stored, "days": days,
        "unscheduled": [units[pk] for pk in stored["unscheduled"] if pk in units] if stored else []})


@require_POST
def schedule_proposal_make(request, pk):
    campaign = campaign_or_404(request, pk)
    require(can_schedule(request.user))
    try:  # typed dd/mm/yyyy like every date of the product (the language's input formats)
        first_day = forms.DateField(required=False).clean(request.POST.get("first_day", ""))
    except ValidationError:
        first_day = None
    seed = secrets.randbits(31)  # the surprise order: no one can work it out from the names
    proposal = propose_trips(campaign_input(campaign, seed=seed, first_day=first_day), seconds=SOLVER_SECONDS)
    request.session[_key(campaign)] = {
        "seed": seed, "trips": [trip_as_data(trip) for trip in proposal.trips], "unscheduled": proposal.unscheduled,
        "km": proposal.km, "method": proposal.method, "status": proposal.status, "seconds": proposal.seconds}
    messages.success(request, _("Proposal ready: %(days)s itineraries, %(km)s km; %(left)s targets left out.") % {
        "days": len(proposal.trips), "km": proposal.km, "left": len(proposal.unscheduled)})
    return redirect("inspections:schedule_proposal", pk=campaign.pk)


@require_POST
def schedule_proposal_change(request, pk):
    """Drop a proposed day, or move one visit to another proposed day."""
    campaign = campaign_or_404(request, pk)
    require(can_schedule(request.user))
    stored = request.session.get(_key(campaign))
    if not stored:
        return redirect("inspections:schedule_proposal", pk=campaign.pk)
    trips = [trip_from_data(trip) for trip in stored["trips"]]
    try:
        day = int(request.POST.get("day", ""))
        trips[day]
        if request.POST.get("action") == "drop":
            dropped = trips.pop(day)
            stored["unscheduled"] = sorted(stored["unscheduled"] + [v.unit_id for v in dropped.visits])
            messages.success(request, _("Day dropped: its targets are left out."))
        else:
            unit, to = int(request.POST["unit"]), int(request.POST["to"])
            trips[to]
            receiving = (trips[to].day, trips[to].session, trips[to].team_id)
            trips = move_visit(campaign_input(campaign, seed=stored["seed"]), trips, unit_id=unit, to=to)
            messages.success(request, _("Visit moved."))
            # Said now rather than only when the day is accepted and refused.
            trip = next(t for t in trips if (t.day, t.session, t.team_id) == receiving)
            if trip.visits[-1].ends > trip.returns:
                messages.warning(request, _("%(day)s now ends at %(ends)s, after its return at %(returns)s: move a "
                                            "visit away or the day will be refused when accepted.") % {
                    "day": f"{trip.day:%d/%m/%Y}", "ends": f"{trip.visits[-1].ends:%H:%M}",
                    "returns": f"{trip.returns:%H:%M}"})
    except (KeyError, ValueError, IndexError, StopIteration):
        messages.error(request, _("Choose a proposed day."))
        return redirect("inspections:schedule_proposal", pk=campaign.pk)
    stored["trips"] = [trip_as_data(trip) for trip in trips]
    stored["km"] = round(sum(trip.km for trip in trips), 1)
    request.session[_key(campaign)] = stored
    return redirect("inspections:schedule_proposal", pk=campaign.pk)


@require_POST
def schedule_proposal_accept(request, pk):
    """The ticked days become draft itineraries (the schedule's rules check each; the
    acceptance confirms their warnings); the others stay proposed."""
    campaign = campaign_or_404(request, pk)
    require(can_schedule(request.user))
    stored = request.session.get(_key(campaign)) or {"trips": []}
    trips = [trip_from_data(trip) for trip in stored["trips"]]
    ticked = {int(value) for value in request.POST.getlist("accept") if value.isdigit()}
    kept, saved = [], 0
    for index, trip in enumerate(trips):
        if index not in ticked:
            kept.append(trip)
            continue
        itinerary, check = accept_trip(campaign, trip, by=request.user)
        if itinerary is None:
            kept.append(trip)
            messages.error(request, _("%(day)s: %(errors)s") % {"day": f"{trip.day:%d/%m/%Y}",
                                                                 "errors": " ".join(check.errors)})
        else:
            saved += 1
    if stored["trips"]:
        stored["trips"] = [trip_as_data(trip) for trip in kept]
        request.session[_key(campaign)] = stored
    # The count is what was saved: a refused day says so above, none ticked is said here.
    if saved:
        messages.success(request, ngettext("%(count)s draft itinerary created.", "%(count)s draft itineraries created.",
                                           saved) % {"count": saved})
    elif not ticked:
        messages.error(request, _("Tick the days to accept."))
    return redirect("inspections:schedule", pk=campaign.pk) if saved and not kept else redirect(
        "inspections:schedule_proposal", pk=campaign.pk)
