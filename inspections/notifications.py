"""Who is told when a visit moves through its review (submitted → returned / approved):
the team leader when a member submits, the visit's people when it is returned or
approved. In-app, the homes list these visits (accounts/views.py); this module sends
the e-mail, after the commit, to those who have an address."""

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import TeamMembership, Visit


def visits_to_review(user):
    """Submitted visits of the itineraries this person leads, oldest first."""
    return (Visit.objects.visible_to(user)
            .filter(status=Visit.Status.SUBMITTED, itinerary__people__user=user,
                    itinerary__people__position=TeamMembership.Position.LEADER)
            .select_related("unit", "submitted_by").order_by("submitted_at").distinct())


def visits_returned(user):
    """Visits returned to a team this person travels with, with the leader's comment."""
    return (Visit.objects.visible_to(user)
            .filter(status=Visit.Status.RETURNED, itinerary__people__user=user)
            .select_related("unit", "reviewed_by").order_by("-reviewed_at").distinct())


def _recipients(visit: Visit, *, leaders_only: bool, besides) -> list[str]:
    people = visit.itinerary.people.select_related("user") if visit.itinerary_id else []
    return sorted({membership.user.email for membership in people
                   if membership.user.email and membership.user_id != getattr(besides, "pk", None)
                   and (not leaders_only or membership.position == TeamMembership.Position.LEADER)})


def tell_review_step(visit: Visit, *, by) -> int:
    """E-mail the people concerned by the visit's new status (submitted: the team leader;
    returned or approved: the team). Returns how many addresses; sent after the commit."""
    submitted = visit.status == Visit.Status.SUBMITTED
    to = _recipients(visit, leaders_only=submitted, besides=by)
    if not to:
        return 0
    day = f"{timezone.localtime(visit.starts_at):%d/%m/%Y}"
    subjects = {
        Visit.Status.SUBMITTED: _("Visit submitted for review: %(unit)s (%(day)s)"),
        Visit.Status.RETURNED: _("Visit returned to the team: %(unit)s (%(day)s)"),
        Visit.Status.APPROVED: _("Visit approved: %(unit)s (%(day)s)"),
    }
    subject = subjects[visit.status] % {"unit": visit.unit.name, "day": day}
    lines = [subject]
    if visit.status == Visit.Status.RETURNED and visit.review_comment:
        lines += ["", _("What must be corrected: %(comment)s") % {"comment": visit.review_comment}]
    message = EmailMessage(subject, "\n".join(lines), to=to)
    transaction.on_commit(lambda: get_connection().send_messages([message]))
    return len(to)
