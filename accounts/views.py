from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import Role, primary_role
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
    campaigns = list(Campaign.objects.visible_to(request.user).order_by("-starts_on")[:3])
    context = {"role": role, "campaigns": campaigns, "today": timezone.localdate()}
    context.update(HOME_CONTEXT[role](request.user))
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


def _coordinator(user):
    return {
        "registry": _registry_figures(),
        "expected_bodies": bodies_to_nominate().count(),
        "nominations": Nomination.objects.filter(campaign__status=Campaign.Status.ACTIVE).count(),
    }


def _team_member(user):
    memberships = (TeamMembership.objects.filter(user=user)
                   .select_related("team__campaign", "organization").order_by("team__campaign", "team"))
    # Only the itineraries sent to this person: a surprise schedule stays hidden until then.
    itineraries = Itinerary.objects.visible_to(user).annotate(
        visit_count=Count("visits", distinct=True),
        unread=Count("notices", distinct=True, filter=Q(notices__recipient=user, notices__channel="in_app",
                                                        notices__read_at__isnull=True)),
    ).order_by("date")[:10]
    return {"memberships": list(memberships), "itineraries": list(itineraries),
            "returned": list(visits_returned(user)[:20])}


def _team_leader(user):
    context = _team_member(user)
    context["to_review"] = list(visits_to_review(user)[:50])
    led = [m.team_id for m in context["memberships"] if m.position == TeamMembership.Position.LEADER]
    context["team_members"] = list(
        TeamMembership.objects.filter(team_id__in=led).exclude(user=user)
        .select_related("user", "organization", "team"))
    return context


def _administrator(user):
    return {
        "division_counts": dict(Division.objects.values_list("level").annotate(n=Count("id"))),
        "category_count": UnitCategory.objects.count(),
        "organization_count": Organization.objects.count(),
        "registry": _registry_figures(),
    }


def _leadership(user):
    drafts = (ProvincialReport.objects.visible_to(user).filter(status=ProvincialReport.Status.DRAFT)
              .select_related("campaign").order_by("-as_of")[:10])
    return {"registry": _registry_figures(), "draft_reports": list(drafts)}


def _office(user):
    return {"unconfirmed": list(Itinerary.objects.visible_to(user).filter(confirmed_at__isnull=True)
                                .select_related("vehicle").order_by("date")[:10])}


HOME_CONTEXT = {
    Role.ADMINISTRATOR: _administrator,
    Role.LEADERSHIP: _leadership,
    Role.COORDINATOR: _coordinator,
    Role.OFFICE: _office,
    Role.TEAM_LEADER: _team_leader,
    Role.INSPECTOR: _team_member,
}
