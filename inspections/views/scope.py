"""The first line of every view: the object through its scope (404 outside it)."""

from django.shortcuts import get_object_or_404

from inspections.models import Campaign, Visit
from inspections.permissions import is_on_visit, require


def campaign_or_404(request, pk) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)


def visit_for_team(request, pk) -> Visit:
    """The visit, for the people travelling on it: others who may see it get 403."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("campaign", "unit"), pk=pk)
    require(is_on_visit(request.user, visit))
    return visit
