"""Campaigns as data (issue #15.1): a plan created in the product, or copied from an
earlier one; closed when it is over (read-only from then on: vocabulary.refuse_if_closed);
the campaign a person is working on, kept in their session."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import Campaign, ChecklistTemplate, Team, TeamMembership
from inspections.vocabulary import refuse_if_closed

SESSION_KEY = "campaign_id"
SESSION_TITLE_KEY = "campaign_title"

# What a campaign's plan says (the fields a copy carries over, with its bodies and teams).
PLAN_FIELDS = ("number", "title", "legal_basis", "legal_basis_number", "legal_basis_date", "issuing_body",
               "signer", "starts_on", "ends_on", "form", "nomination_deadline", "checklist", "max_visits_per_day")
# A copy keeps the shape of the earlier plan, not its dates: the new plan has its own.
COPIED_FIELDS = ("title", "legal_basis", "issuing_body", "signer", "form", "checklist", "max_visits_per_day")


def _check_checklist(checklist: ChecklistTemplate | None) -> None:
    """A campaign's visits start with its checklist: only a published version, which
    never changes afterwards, may be given to one."""
    if checklist is not None and not checklist.is_published:
        raise ValidationError(_("Publish the checklist before giving it to a campaign."))


@transaction.atomic
def create_campaign(*, plan: dict, nominating_bodies, by, copy_of: Campaign | None = None) -> Campaign:
    """Create a campaign from its plan's fields (PLAN_FIELDS), as a draft.

    With `copy_of`: its teams and their members (positions, nominating bodies) are copied
    too; targets, itineraries, visits and nominations are not (a new plan picks its own).
    Vehicles are the Office's, shared by every campaign. Side effects: the Campaign (with
    history, by `by`), its bodies asked to nominate, the copied teams and memberships.
    """
    _check_checklist(plan.get("checklist"))
    campaign = Campaign(**{name: plan[name] for name in PLAN_FIELDS if name in plan},
                        status=Campaign.Status.DRAFT, copied_from=copy_of)
    campaign.full_clean(exclude=["checklist", "copied_from"])
    campaign._history_user = by
    campaign.save()
    campaign.nominating_bodies.set(nominating_bodies)
    if copy_of is not None:
        for team in copy_of.teams.prefetch_related("memberships"):
            new_team = Team.objects.create(campaign=campaign, name=team.name)
            TeamMembership.objects.bulk_create([
                TeamMembership(team=new_team, user_id=m.user_id, position=m.position,
                               organization_id=m.organization_id) for m in team.memberships.all()])
    return campaign


def copy_initial(campaign: Campaign) -> dict:
    """The form's starting values for a copy of `campaign`: its shape, not its dates."""
    initial = {name: getattr(campaign, name) for name in COPIED_FIELDS}
    initial["nominating_bodies"] = list(campaign.nominating_bodies.all())
    return initial


@transaction.atomic
def update_campaign(campaign: Campaign, *, plan: dict, nominating_bodies, by) -> Campaign:
    """Change an open campaign's plan. Side effects: the fields, its bodies, a history row."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    refuse_if_closed(campaign)
    if plan.get("checklist") != campaign.checklist:
        _check_checklist(plan.get("checklist"))
    for name in PLAN_FIELDS:
        if name in plan:
            setattr(campaign, name, plan[name])
    campaign.full_clean(exclude=["checklist", "copied_from"])
    campaign._history_user = by
    campaign.save()
    campaign.nominating_bodies.set(nominating_bodies)
    return campaign


@transaction.atomic
def start_campaign(campaign: Campaign, *, by) -> None:
    """A draft campaign goes under way. Side effects: its status, a history row."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise ValidationError(_("Only a draft campaign can be started."))
    if campaign.checklist is None:
        raise ValidationError(_("Give the campaign a published checklist before starting it."))
    campaign.status, campaign._history_user = Campaign.Status.ACTIVE, by
    campaign.save(update_fields=["status"])


@transaction.atomic
def close_campaign(campaign: Campaign, *, by) -> bool:
    """Close the campaign: from now on its plan, nominations, targets, schedule and field
    work are read-only (every service asks vocabulary.refuse_if_closed). Returns False if it
    was closed already. Side effects: status, who and when, a history row."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == Campaign.Status.CLOSED:
        return False
    campaign.status, campaign.closed_at, campaign.closed_by = Campaign.Status.CLOSED, timezone.now(), by
    campaign._history_user = by
    campaign.save(update_fields=["status", "closed_at", "closed_by"])
    return True


def is_current(campaign: Campaign, today) -> bool:
    """Current: not closed and not over (a draft being prepared is current too)."""
    return campaign.status != Campaign.Status.CLOSED and campaign.ends_on >= today


def current_and_past(user, today):
    """The campaigns the person may see, split as the list shows them: (current, past)."""
    campaigns = Campaign.objects.visible_to(user).select_related("checklist").order_by("-starts_on", "-pk")
    current = campaigns.exclude(status=Campaign.Status.CLOSED).filter(ends_on__gte=today)
    past = campaigns.exclude(pk__in=current.values("pk"))
    return current, past


def chosen_campaign(request) -> Campaign | None:
    """The campaign the person chose in the switcher (kept in the session), else the
    latest under way they may see, else the latest they may see. Cached on the request."""
    if not hasattr(request, "_chosen_campaign"):
        visible = Campaign.objects.visible_to(request.user)
        chosen = None
        pk = request.session.get(SESSION_KEY)
        if isinstance(pk, int):
            chosen = visible.filter(pk=pk).first()
        if chosen is None:
            chosen = (visible.filter(status=Campaign.Status.ACTIVE).order_by("-starts_on", "-pk").first()
                      or visible.order_by("-starts_on", "-pk").first())
        request._chosen_campaign = chosen
    return request._chosen_campaign


def choose_campaign(request, campaign: Campaign) -> None:
    """Keep the campaign in the session: every home and menu follows it (its title kept
    too, so that the menu of every page names it without a query)."""
    request.session[SESSION_KEY] = campaign.pk
    request.session[SESSION_TITLE_KEY] = campaign.title[:120]
    request._chosen_campaign = campaign


def menu_campaign(request) -> dict | None:
    """The chosen campaign as the menu shows it: from the session, no query."""
    session = getattr(request, "session", None)
    pk = session.get(SESSION_KEY) if session is not None else None
    return {"pk": pk, "title": session.get(SESSION_TITLE_KEY, "")} if isinstance(pk, int) else None
