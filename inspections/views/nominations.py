"""Nominations (plan II.3): the board of the bodies asked to send staff, recording a
letter, accepting a nominee into a team."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import DIC_READERS, has_role
from config.feedback import error_text
from inspections import nominations
from inspections.forms import (
    AcceptNomineeForm,
    NominationForm,
    NomineeFormSet,
)
from inspections.models import Nomination
from inspections.permissions import can_schedule, require
from inspections.views.scope import campaign_or_404, posted_object_or_404


def nomination_board(request, pk):
    campaign = campaign_or_404(request, pk)
    require(has_role(request.user, *DIC_READERS))
    board = nominations.nomination_board(campaign)
    return render(request, "inspections/nomination_board.html", {
        "campaign": campaign, "board": board.rows, "can_schedule": can_schedule(request.user),
        "missing": board.missing, "late": board.late,
    })


def nomination_create(request, pk):
    campaign = campaign_or_404(request, pk)
    require(can_schedule(request.user))
    form = NominationForm(request.POST or None)
    nominees = NomineeFormSet(request.POST or None)
    if request.method == "POST" and form.is_valid() and nominees.is_valid():
        try:
            nominations.record_nomination(campaign=campaign, by=request.user, nominees=[
                {key: f.cleaned_data[key] for key in ("full_name", "title", "phone", "email")}
                for f in nominees if f.cleaned_data.get("full_name")], **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Nomination recorded."))
            return redirect("inspections:nomination_board", pk=campaign.pk)
    return render(request, "inspections/nomination_form.html", {"campaign": campaign, "form": form,
                                                                "nominees": nominees})


def nomination_detail(request, pk, nomination_pk):
    campaign = campaign_or_404(request, pk)
    require(has_role(request.user, *DIC_READERS))
    nomination = get_object_or_404(Nomination.objects.filter(campaign=campaign).select_related(
        "organization", "recorded_by"), pk=nomination_pk)
    form = AcceptNomineeForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        require(can_schedule(request.user))
        nominee = posted_object_or_404(nomination.nominees, request.POST.get("nominee"))
        if form.is_valid():
            try:
                membership = nominations.accept_nominee(
                    nominee, team=form.cleaned_data["team"], position=form.cleaned_data["position"],
                    by=request.user, site_url=request.build_absolute_uri("/").rstrip("/"))
            except ValidationError as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("%(name)s joined %(team)s.") % {
                    "name": nominee.full_name, "team": membership.team.name})
                return redirect("inspections:nomination_detail", pk=campaign.pk, nomination_pk=nomination.pk)
    return render(request, "inspections/nomination_detail.html", {
        "campaign": campaign, "nomination": nomination, "form": form, "can_schedule": can_schedule(request.user),
        "late": nominations.is_late(nomination),
        "nominees": nomination.nominees.select_related("membership__team", "membership__user")})
