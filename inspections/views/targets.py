"""The campaign's targets: the list, the draw, units added from the registry's filters."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.roles import DIC_READERS, has_role
from inspections import targets
from inspections.forms import DrawForm
from inspections.models import Target
from inspections.permissions import can_schedule, require
from inspections.views.scope import campaign_or_404
from units.forms import UnitFilterForm
from units.models import Unit


def target_list(request, pk):
    campaign = campaign_or_404(request, pk)
    require(has_role(request.user, *DIC_READERS))
    listed = Target.objects.visible_to(request.user).filter(campaign=campaign)
    form = DrawForm(request.POST or None)
    if request.method == "POST":
        require(can_schedule(request.user))
        if form.is_valid():
            try:
                draw = targets.draw_targets(campaign=campaign, seed=form.cleaned_data["seed"],
                                            parameters=form.parameters(), by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The message tells the change made: the draw may pick units that were already targets.
                added = draw.targets.count()
                messages.success(request, ngettext(
                    "%(count)s unit drawn: %(added)s added to the targets, %(already)s already were.",
                    "%(count)s units drawn: %(added)s added to the targets, %(already)s already were.",
                    len(draw.unit_ids)) % {"count": len(draw.unit_ids), "added": added,
                                           "already": len(draw.unit_ids) - added})
                return redirect("inspections:target_list", pk=campaign.pk)
    page = Paginator(listed.select_related("unit__commune__parent", "unit__category", "draw"), 50).get_page(
        request.GET.get("page"))
    return render(request, "inspections/target_list.html", {
        "campaign": campaign, "page": page, "form": form, "can_schedule": can_schedule(request.user),
        "draws": campaign.draws.select_related("created_by")[:5],
    })


@require_POST
def target_add(request, pk):
    """Add the units of the registry's current filters to the campaign's targets; with no
    filter, only if the number of units (the whole registry) is confirmed."""
    campaign = campaign_or_404(request, pk)
    require(can_schedule(request.user))
    filters = UnitFilterForm(request.POST)
    if not filters.is_valid():
        messages.error(request, _("The filters could not be read; nothing was added."))
        return redirect("units:unit_list")
    units = filters.filter(Unit.objects.visible_to(request.user))
    if not filters.is_filtered() and request.POST.get("confirm_count") != str(count := units.count()):
        # No filter is the whole registry: only on purpose, the number confirmed as shown.
        messages.error(request, _("No filter is chosen: this would add all %(count)s units of the registry to the "
                                  "targets. Choose a filter, or tick the box that confirms the number.")
                       % {"count": count})
        return redirect("units:unit_list")
    result = targets.add_targets(campaign=campaign, units=units, by=request.user)
    messages.success(request, ngettext("%(count)s unit added to the targets; %(already)s already were.",
                                       "%(count)s units added to the targets; %(already)s already were.",
                                       result.added) % {"count": result.added, "already": result.already})
    return redirect("inspections:target_list", pk=campaign.pk)
