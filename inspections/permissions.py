"""Who may do what with a campaign and its schedule (plan III.1)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from accounts.roles import INSPECTORATE, OFFICE, has_role
from inspections import vocabulary
from inspections.models import TeamMembership, Visit

SCHEDULERS = INSPECTORATE  # the Inspectorate builds and sends the schedule
VEHICLE_KEEPERS = OFFICE  # the Office provides vehicles and confirms trips


def can_schedule(user) -> bool:
    return has_role(user, *SCHEDULERS)


def can_keep_vehicles(user) -> bool:
    return has_role(user, *VEHICLE_KEEPERS)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def is_on_visit(user, visit: Visit, *, people=None) -> bool:
    """Whether the person travels on the visit's itinerary (and so fills its checklist).
    `people`: the itinerary's memberships already read (the visit's page), else a query."""
    if people is not None:
        return any(member.user_id == user.pk for member in people)
    # The itinerary's people by its id: the itinerary itself need not be read (one query, not two).
    return bool(visit.itinerary_id) and TeamMembership.objects.filter(itineraries=visit.itinerary_id,
                                                                      user=user).exists()


def travels_on_visit(user) -> Exists:
    """`is_on_visit` as a column of a query of visits: the team's writes read it with the
    visit (inspections/views/scope.py: visit_for_team), one query where two were. No
    itinerary, no one on it."""
    return Exists(TeamMembership.objects.filter(itineraries=OuterRef("itinerary_id"), user=user))


def leads_visit(user, visit: Visit, *, people=None) -> bool:
    if people is not None:
        return any(member.user_id == user.pk and member.position == TeamMembership.Position.LEADER
                   for member in people)
    return bool(visit.itinerary_id) and TeamMembership.objects.filter(
        itineraries=visit.itinerary_id, user=user, position=TeamMembership.Position.LEADER).exists()


def approved_in_place_of_leader(visit: Visit) -> bool:
    """An approved visit whose approver does not lead its team: the Inspectorate approved
    it in place of the team leader (plan III.1; issue #14), which its history and its
    minutes say."""
    return (visit.status == Visit.Status.APPROVED and bool(visit.reviewed_by_id)
            and not leads_visit(visit.reviewed_by, visit))


def can_review(user, visit: Visit, *, people=None) -> bool:
    """The team leader reviews the visit, or the Inspectorate (plan III.1)."""
    return leads_visit(user, visit, people=people) or can_schedule(user)


def visit_capabilities(user, visit: Visit, *, people=None) -> dict:
    """What this person may do with the visit now, for its page: one place that joins
    who they are (role, team, position) with what the visit's status allows
    (inspections.vocabulary), so that no template compares statuses. `people`: the
    itinerary's memberships, when the caller has read them."""
    on_visit, schedules = is_on_visit(user, visit, people=people), can_schedule(user)
    fillable = on_visit and vocabulary.is_fillable(visit)
    return {
        "on_visit": on_visit, "can_schedule": schedules, "can_fill": fillable,
        "can_start": on_visit and vocabulary.can_start(visit),
        "can_review": vocabulary.can_be_reviewed(visit) and can_review(user, visit, people=people),
        "can_amend": vocabulary.is_locked(visit) and can_review(user, visit, people=people),
        "can_cancel": schedules and vocabulary.can_be_cancelled(visit),
        "has_minutes": vocabulary.has_minutes(visit),
    }
