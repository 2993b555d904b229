"""The campaign's own pages: its summary and its teams."""

from django.shortcuts import render

from accounts.roles import DIC_STAFF, has_role
from inspections.models import Team
from inspections.permissions import can_schedule, require
from inspections.views.scope import campaign_or_404
from reports.dashboard import visit_figures  # the campaign's figures are the dashboard's, counted once


def campaign_detail(request, pk):
    campaign = campaign_or_404(request, pk)
    figures = visit_figures(campaign, request.user)
    return render(request, "inspections/campaign_detail.html", {
        "campaign": campaign, "figures": figures, "can_schedule": can_schedule(request.user)})


def team_list(request, pk):
    """The campaign's teams: each member's position and nominating body; an inspector
    sees their own teams only (Team.objects.visible_to)."""
    campaign = campaign_or_404(request, pk)
    teams = list(Team.objects.visible_to(request.user).filter(campaign=campaign)
                 .prefetch_related("memberships__user", "memberships__organization"))
    require(has_role(request.user, *DIC_STAFF) or teams)
    return render(request, "inspections/team_list.html", {
        "campaign": campaign, "teams": teams, "can_schedule": can_schedule(request.user)})
