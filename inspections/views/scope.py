"""The first line of every view: the object through its scope (404 outside it)."""

import re

from django.http import Http404
from django.shortcuts import get_object_or_404

from config.validation import INTEGER_MAX
from inspections.models import Campaign, Visit
from inspections.permissions import require, travels_on_visit


def campaign_or_404(request, pk) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)


def visit_for_team(request, pk) -> Visit:
    """The visit, for the people travelling on it: others who may see it get 403."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("campaign", "unit").annotate(
        caller_travels_on_it=travels_on_visit(request.user)), pk=pk)
    require(visit.caller_travels_on_it)
    return visit


def posted_object_or_404(queryset, pk):
    """The object a request names by an id it carries (a form's item, nominee): an id
    that is not a number, or beyond any id, is not found either, never a crash."""
    if not re.fullmatch(r"[0-9]{1,10}", str(pk or "")) or int(pk) > INTEGER_MAX:
        raise Http404
    return get_object_or_404(queryset, pk=pk)
