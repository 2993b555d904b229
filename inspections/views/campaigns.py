"""The campaign's own pages: the list, a new plan or a copy, its summary, closing it, its teams,
and the switcher every home follows."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import DIC_STAFF, has_role
from config.feedback import error_text, form_error_text
from inspections import campaigns
from inspections.forms import CampaignCloseForm, CampaignForm
from inspections.models import Campaign, Team
from inspections.permissions import can_schedule, require
from inspections.views.scope import campaign_or_404, posted_object_or_404
from inspections.vocabulary import is_closed
from reports.dashboard import visit_figures  # the campaign's figures are the dashboard's, counted once


def campaign_detail(request, pk):
    campaign = campaign_or_404(request, pk)
    figures = visit_figures(campaign, request.user)
    return render(request, "inspections/campaign_detail.html", {
        "campaign": campaign, "figures": figures, "can_schedule": can_schedule(request.user),
        "is_closed": is_closed(campaign), "close_form": CampaignCloseForm(),
        "bodies": list(campaign.nominating_bodies.all())})


def team_list(request, pk):
    """The campaign's teams: each member's position and nominating body; an inspector
    sees their own teams only (Team.objects.visible_to)."""
    campaign = campaign_or_404(request, pk)
    teams = list(Team.objects.visible_to(request.user).filter(campaign=campaign)
                 .prefetch_related("memberships__user", "memberships__organization"))
    require(has_role(request.user, *DIC_STAFF) or teams)
    return render(request, "inspections/team_list.html", {
        "campaign": campaign, "teams": teams, "can_schedule": can_schedule(request.user)})


def campaign_list(request):
    """The campaigns the person may see: current ones, then past ones, paginated."""
    require(has_role(request.user, *DIC_STAFF))
    current, past = campaigns.current_and_past(request.user, timezone.localdate())
    page = Paginator(past, 20).get_page(request.GET.get("page"))
    return render(request, "inspections/campaign_list.html", {
        "current": list(current[:50]), "page": page, "can_schedule": can_schedule(request.user),
        "chosen": campaigns.chosen_campaign(request)})


def campaign_create(request):
    """A new campaign from its plan, or (?copy=<id>) as a copy of an earlier one: its bodies,
    teams and checklist carried over, its dates, targets and visits not."""
    source = None
    if "copy" in request.GET:
        source = posted_object_or_404(Campaign.objects.visible_to(request.user), request.GET["copy"])
    require(can_schedule(request.user))
    form = CampaignForm(request.POST or None, initial=campaigns.copy_initial(source) if source else None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.create_campaign(plan=form.plan(), nominating_bodies=form.cleaned_data[
                "nominating_bodies"], by=request.user, copy_of=source)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            campaigns.choose_campaign(request, campaign)
            messages.success(request, _("The campaign was created as a draft."))
            return redirect("inspections:campaign_detail", pk=campaign.pk)
    return render(request, "inspections/campaign_form.html", {"form": form, "source": source})


def campaign_edit(request, pk):
    campaign = campaign_or_404(request, pk)
    require(can_schedule(request.user))
    form = CampaignForm(request.POST or None, instance=Campaign.objects.get(pk=campaign.pk))
    if request.method == "POST" and form.is_valid():
        try:
            campaigns.update_campaign(campaign, plan=form.plan(),
                                      nominating_bodies=form.cleaned_data["nominating_bodies"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The campaign's plan was saved."))
            return redirect("inspections:campaign_detail", pk=campaign.pk)
    return render(request, "inspections/campaign_form.html", {"form": form, "campaign": campaign})


@require_POST
def campaign_start(request, pk):
    campaign = campaign_or_404(request, pk)
    require(can_schedule(request.user))
    try:
        campaigns.start_campaign(campaign, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The campaign is under way."))
    return redirect("inspections:campaign_detail", pk=campaign.pk)


@require_POST
def campaign_close(request, pk):
    campaign = campaign_or_404(request, pk)
    require(can_schedule(request.user))
    form = CampaignCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    elif campaigns.close_campaign(campaign, by=request.user):
        messages.success(request, _("The campaign is closed: its record can be read but no longer changed."))
    return redirect("inspections:campaign_detail", pk=campaign.pk)


@require_POST
def campaign_choose(request):
    """The switcher of the menu: every home and menu follows the campaign chosen."""
    campaign = posted_object_or_404(Campaign.objects.visible_to(request.user), request.POST.get("campaign"))
    campaigns.choose_campaign(request, campaign)
    return redirect("home")
