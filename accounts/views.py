from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import Role, primary_role
from inspections.campaigns import SESSION_KEY, choose_campaign, chosen_campaign
from inspections.models import Campaign, Itinerary, Nomination, Organization, TeamMembership
from inspections.nominations import bodies_to_nominate
from inspections.notifications import visits_returned, visits_to_review
from reports.models import ProvincialReport
from units.models import Division, Unit, UnitCategory


def home(request):
    """Each role's home page: where the campaign stands and what this person does next."""
    role = primary_role(request.user)
    if role is None:
        raise PermissionDenied
    # The home follows the campaign chosen in the switcher (kept in the session), by
    # default the latest under way: the 2021 campaign in the demonstration.
    campaign = chosen_campaign(request)
    if campaign is not None and request.session.get(SESSION_KEY) != campaign.pk:
        choose_campaign(request, campaign)
    choices = list(Campaign.objects.visible_to(request.user).order_by("-starts_on", "-pk")[:20])
    context = {"role": role, "campaigns": [campaign] if campaign else [], "campaign": campaign,
               "campaign_choices": choices, "today": timezone.localdate()}
    context.update(HOME_CONTEXT[role](request.user, campaign))
    return render(request, f"accounts/home_{role.value}.html", context)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a log-in refused after too many wrong passwords (its
    AXES_LOCKOUT_CALLABLE): how many, and for how many minutes."""
    return render(request, "registration/lockout.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }, status=429)


def _registry_figures():
    return Unit.objects.aggregate(
        units=Count("id", filter=Q(is_active=True)),
        sample_units=Count("id", filter=Q(is_sample=True)),
        without_qr=Count("id", filter=Q(is_active=True, qr_status=Unit.QRStatus.NONE)),
    )


def _coordinator(user, campaign):
    return {
        "registry": _registry_figures(),
        "expected_bodies": bodies_to_nominate(campaign).count(),
        "nominations": Nomination.objects.filter(campaign=campaign).count(),
    }


def _team_member(user, campaign):
    memberships = (TeamMembership.objects.filter(user=user, team__campaign=campaign)
                   .select_related("team__campaign", "organization").order_by("team__campaign", "team"))
    # Only the itineraries sent to this person: a surprise schedule stays hidden until then.
    itineraries = Itinerary.objects.visible_to(user).filter(campaign=campaign).annotate(
        visit_count=Count("visits", distinct=True),
        unread=Count("notices", distinct=True, filter=Q(notices__recipient=user, notices__channel="in_app",
                                                        notices__read_at__isnull=True)),
    ).order_by("date")[:10]
    return {"memberships": list(memberships), "itineraries": list(itineraries),
            "returned": list(visits_returned(user).filter(campaign=campaign)[:20])}


def _team_leader(user, campaign):
    context = _team_member(user, campaign)
    context["to_review"] = list(visits_to_review(user).filter(campaign=campaign)[:50])
    led = [m.team_id for m in context["memberships"] if m.position == TeamMembership.Position.LEADER]
    context["team_members"] = list(
        TeamMembership.objects.filter(team_id__in=led).exclude(user=user)
        .select_related("user", "organization", "team"))
    return context


def _administrator(user, campaign):
    return {
        "division_counts": dict(Division.objects.values_list("level").annotate(n=Count("id"))),
        "category_count": UnitCategory.objects.count(),
        "organization_count": Organization.objects.count(),
        "registry": _registry_figures(),
    }


def _leadership(user, campaign):
    drafts = (ProvincialReport.objects.visible_to(user).filter(status=ProvincialReport.Status.DRAFT, campaign=campaign)
              .select_related("campaign").order_by("-as_of")[:10])
    return {"registry": _registry_figures(), "draft_reports": list(drafts)}


def _office(user, campaign):
    return {"unconfirmed": list(Itinerary.objects.visible_to(user).filter(confirmed_at__isnull=True, campaign=campaign)
                                .select_related("vehicle").order_by("date")[:10])}


HOME_CONTEXT = {
    Role.ADMINISTRATOR: _administrator,
    Role.LEADERSHIP: _leadership,
    Role.COORDINATOR: _coordinator,
    Role.OFFICE: _office,
    Role.TEAM_LEADER: _team_leader,
    Role.INSPECTOR: _team_member,
}
