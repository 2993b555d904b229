"""The confidential schedule (plan II.2, III.1): itineraries with their ordered visits,
checked against the plan's rules, confirmed by the Office, sent to exactly the people
on them; visits cancelled with a reason; the notice to the unit recorded."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import display_name
from inspections.models import Campaign, Itinerary, Organization, ScheduleNotice, TeamMembership, Vehicle, Visit
from inspections.vocabulary import can_be_cancelled, has_taken_place, is_locked, refuse_if_closed, refuse_if_locked
from units.models import Unit


@dataclass
class ScheduleCheck:
    """What the rules say about an itinerary: errors block, warnings ask to confirm."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class PlannedVisit:
    unit: Unit
    starts_at: datetime.datetime
    ends_at: datetime.datetime


def check_itinerary(*, campaign: Campaign, date: datetime.date, departs_at: datetime.time,
                    returns_at: datetime.time, vehicle: Vehicle | None, people: list[TeamMembership],
                    visits: list[PlannedVisit], itinerary: Itinerary | None = None) -> ScheduleCheck:
    """Apply the plan's rules to an itinerary before it is saved (DESIGN §3 rules 1–2).

    Errors: the day or a visit outside the campaign period; a person or the vehicle
    already on an overlapping itinerary; more people than the vehicle's seats; a
    visit outside the itinerary's hours; a visit that has taken place moved or taken
    off the itinerary, or the people of an itinerary with an approved (locked) visit
    changed. Warnings: no DIC member, no team leader, no Department of Health representative; no VHTT representative
    of a visited unit's district; more visits than the campaign's daily maximum.
    """
    check = ScheduleCheck()
    if itinerary is not None and itinerary.pk:
        check.errors.extend(_changes_to_visits_that_took_place(itinerary, visits, people))
    if not campaign.starts_on <= date <= campaign.ends_on:
        check.errors.append(_("%(day)s is outside the campaign period (%(start)s – %(end)s).") % {
            "day": f"{date:%d/%m/%Y}", "start": f"{campaign.starts_on:%d/%m/%Y}",
            "end": f"{campaign.ends_on:%d/%m/%Y}"})
    if returns_at <= departs_at:
        check.errors.append(_("The return must be after the departure."))
    tz = timezone.get_current_timezone()
    day_start = datetime.datetime.combine(date, departs_at, tzinfo=tz)
    day_end = datetime.datetime.combine(date, returns_at, tzinfo=tz)
    for visit in visits:
        if visit.ends_at <= visit.starts_at:
            check.errors.append(_("The visit to %(unit)s must end after it starts.") % {"unit": visit.unit})
        elif visit.starts_at < day_start or visit.ends_at > day_end:
            check.errors.append(_("The visit to %(unit)s is outside the itinerary's hours (%(start)s – %(end)s).") % {
                "unit": visit.unit, "start": f"{departs_at:%H:%M}", "end": f"{returns_at:%H:%M}"})
    in_order = sorted(visits, key=lambda v: v.starts_at)
    for earlier, later in zip(in_order, in_order[1:], strict=False):
        if later.starts_at < earlier.ends_at:
            check.errors.append(_("The visits to %(first)s and %(second)s overlap.") % {
                "first": earlier.unit, "second": later.unit})

    overlapping = Itinerary.objects.filter(date=date, departs_at__lt=returns_at, returns_at__gt=departs_at)
    if itinerary is not None and itinerary.pk:
        overlapping = overlapping.exclude(pk=itinerary.pk)
    users = {membership.user_id: membership for membership in people}
    for other in overlapping.prefetch_related("people__user").select_related("vehicle"):
        for membership in other.people.all():
            if membership.user_id in users:
                check.errors.append(_("%(person)s is already on the itinerary of %(other)s.") % {
                    "person": display_name(membership.user), "other": other})
        if vehicle is not None and other.vehicle_id == vehicle.pk:
            check.errors.append(_("Vehicle %(plate)s is already on the itinerary of %(other)s.") % {
                "plate": vehicle.plate, "other": other})
    if vehicle is not None and len(users) > vehicle.seats:
        check.errors.append(_("Vehicle %(plate)s has %(seats)s passenger seats for %(people)s people.") % {
            "plate": vehicle.plate, "seats": vehicle.seats, "people": len(users)})

    organizations = {membership.organization for membership in people}
    # The Inspectorate leads, with the IT Division (plan III.1): a DIC member and a leader travel.
    if people and not any(org.kind == Organization.Kind.DIC_DIVISION for org in organizations):
        check.warnings.append(_("No member of the DIC (Inspectorate or IT Division) is on this itinerary."))
    if people and not any(membership.position == TeamMembership.Position.LEADER for membership in people):
        check.warnings.append(_("No team leader is on this itinerary."))
    if not any(org.kind == Organization.Kind.HEALTH for org in organizations):
        check.warnings.append(_("No representative of the Department of Health is on this itinerary."))
    districts_with_vhtt = {org.district_id for org in organizations if org.kind == Organization.Kind.DISTRICT_VHTT}
    for district in {visit.unit.commune.parent for visit in visits}:
        if district.pk not in districts_with_vhtt:
            check.warnings.append(_("No representative of the VHTT division of %(district)s, where a visited unit "
                                    "is.") % {"district": district.name})
    if len(visits) > campaign.max_visits_per_day:
        check.warnings.append(_("%(count)s visits in one day: more than the usual %(max)s.") % {
            "count": len(visits), "max": campaign.max_visits_per_day})
    return check


def _changes_to_visits_that_took_place(itinerary: Itinerary, visits: list[PlannedVisit],
                                       people: list[TeamMembership]) -> list[str]:
    """A visit that has taken place keeps its time and its place; the people of an
    itinerary whose visit is approved are the team its minutes name."""
    errors = []
    planned = {visit.unit.pk: visit for visit in visits}
    taken_place = [visit for visit in itinerary.visits.select_related("unit") if has_taken_place(visit)]
    for visit in taken_place:
        wanted = planned.get(visit.unit_id)
        if wanted is None:
            errors.append(_("The visit to %(unit)s has taken place (%(status)s): it stays on the itinerary.") % {
                "unit": visit.unit, "status": visit.get_status_display()})
        elif (wanted.starts_at, wanted.ends_at) != (visit.starts_at, visit.ends_at):
            errors.append(_("The visit to %(unit)s has taken place (%(status)s): its time cannot change.") % {
                "unit": visit.unit, "status": visit.get_status_display()})
    if any(is_locked(visit) for visit in taken_place) and (
            {membership.pk for membership in people} != set(itinerary.people.values_list("pk", flat=True))):
        errors.append(_("A visit of this itinerary is approved: the team its minutes name cannot change."))
    return errors


@transaction.atomic
def save_itinerary(*, campaign: Campaign, date, departs_at, returns_at, vehicle, people, visits, by,
                   departure_place: str = "", itinerary: Itinerary | None = None,
                   warnings_confirmed: bool = False) -> tuple[Itinerary | None, ScheduleCheck]:
    """Create or change an itinerary with its ordered visits, if the rules allow.

    Returns (itinerary, check); the itinerary is None when an error, or an unconfirmed
    warning, stopped it. Side effects: the itinerary, its people, its visits (replaced
    when their units change: cancelled with a reason, history kept); a changed
    itinerary that had been sent is sent again.
    """
    refuse_if_closed(campaign)
    people = list(people)
    check = check_itinerary(campaign=campaign, date=date, departs_at=departs_at, returns_at=returns_at,
                            vehicle=vehicle, people=people, visits=visits, itinerary=itinerary)
    if check.errors or (check.warnings and not warnings_confirmed):
        return None, check
    was_sent = bool(itinerary and itinerary.schedule_sent_at)
    itinerary = itinerary or Itinerary(campaign=campaign, created_by=by)
    itinerary.date, itinerary.departs_at, itinerary.returns_at = date, departs_at, returns_at
    itinerary.vehicle = vehicle
    if departure_place:
        itinerary.departure_place = departure_place
    itinerary.confirmed_by = itinerary.confirmed_at = None  # a changed trip needs the Office again
    itinerary._history_user = by
    itinerary.save()
    itinerary.people.set(people)
    kept = {visit.unit_id: visit for visit in itinerary.visits.exclude(status=Visit.Status.CANCELLED)}
    wanted = {planned.unit.pk for planned in visits}
    for unit_id, visit in kept.items():
        if unit_id not in wanted:
            cancel_visit(visit, reason=_("Removed from the itinerary."), by=by)
    for position, planned in enumerate(sorted(visits, key=lambda v: v.starts_at), start=1):
        visit = kept.get(planned.unit.pk) or Visit(campaign=campaign, unit=planned.unit, itinerary=itinerary)
        if has_taken_place(visit):
            continue  # its time was checked unchanged; its record is not written again
        visit.position, visit.starts_at, visit.ends_at = position, planned.starts_at, planned.ends_at
        if visit.status == Visit.Status.PLANNED and itinerary.schedule_sent_at:
            visit.status = Visit.Status.SCHEDULED
        visit._history_user = by
        visit.save()
    if was_sent:
        send_schedule(itinerary, by=by)
    return itinerary, check


@transaction.atomic
def confirm_itinerary(itinerary: Itinerary, *, by) -> None:
    """The Office confirms the vehicle and driver for the trip. Side effects: who and when."""
    if itinerary.vehicle_id is None:
        raise ValidationError(_("Assign a vehicle before confirming."))
    itinerary.confirmed_by, itinerary.confirmed_at = by, timezone.now()
    itinerary._history_user = by
    itinerary.save(update_fields=["confirmed_by", "confirmed_at"])


@transaction.atomic
def send_schedule(itinerary: Itinerary, *, by) -> int:
    """Tell the itinerary's people their schedule: an e-mail and an in-app notice each.

    Side effects: one ScheduleNotice per person and channel (who sent it, to whom,
    when); e-mails (after the commit); the itinerary marked sent; its planned visits
    become scheduled. Returns the number of people told. Only these people receive it:
    the schedule of a surprise inspection goes to no one else.
    """
    refuse_if_closed(itinerary.campaign)
    people = list(itinerary.people.select_related("user"))
    if not people:
        raise ValidationError(_("The itinerary has nobody to send it to."))
    itinerary.schedule_sent_at = timezone.now()
    itinerary.save(update_fields=["schedule_sent_at"])
    for visit in itinerary.visits.filter(status=Visit.Status.PLANNED):
        visit.status, visit._history_user = Visit.Status.SCHEDULED, by
        visit.save(update_fields=["status"])
    visits = list(itinerary.visits.exclude(status=Visit.Status.CANCELLED).select_related("unit").order_by("position"))
    messages = []
    for membership in people:
        user = membership.user
        ScheduleNotice.objects.create(itinerary=itinerary, recipient=user, channel=ScheduleNotice.Channel.IN_APP,
                                      sent_by=by)
        if user.email:
            ScheduleNotice.objects.create(itinerary=itinerary, recipient=user, channel=ScheduleNotice.Channel.EMAIL,
                                          sent_by=by)
            messages.append(_schedule_email(itinerary, visits, user))
    transaction.on_commit(lambda: get_connection().send_messages(messages))
    return len(people)


def _schedule_email(itinerary, visits, user) -> EmailMessage:
    lines = [_("Inspection schedule (confidential: do not pass it on)."), "",
             _("Day: %(day)s, departure %(time)s from %(place)s.") % {
                 "day": f"{itinerary.date:%d/%m/%Y}", "time": f"{itinerary.departs_at:%H:%M}",
                 "place": itinerary.departure_place}]
    if itinerary.vehicle:
        lines.append(_("Vehicle: %(plate)s, driver %(driver)s %(phone)s") % {
            "plate": itinerary.vehicle.plate, "driver": itinerary.vehicle.driver_name,
            "phone": itinerary.vehicle.driver_phone})
    lines.append("")
    for visit in visits:
        local = timezone.localtime(visit.starts_at)
        lines.append(f"{visit.position}. {local:%H:%M} — {visit.unit.name}")
    subject = _("Inspection schedule for %(day)s") % {"day": f"{itinerary.date:%d/%m/%Y}"}
    return EmailMessage(subject, "\n".join(lines), to=[user.email])


@transaction.atomic
def cancel_visit(visit: Visit, *, reason: str, by) -> None:
    """Cancel a visit, keeping it and why (history): refused once it is submitted or
    approved (inspections.vocabulary.can_be_cancelled)."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling."))
    visit = Visit.objects.locked().get(pk=visit.pk)
    refuse_if_locked(visit)
    if not can_be_cancelled(visit):
        raise ValidationError(_("This visit cannot be cancelled now (%(status)s).") % {
            "status": visit.get_status_display()})
    visit.status, visit.status_reason = Visit.Status.CANCELLED, reason
    visit._history_user = by
    visit.save(update_fields=["status", "status_reason"])


@transaction.atomic
def record_unit_notice(visit: Visit, *, contact: str, method: str, at, by) -> None:
    """Record that the unit was told of the visit shortly before: whom the team
    contacted, when, how (phone or letter) and who did it (plan II.2)."""
    if method not in (Visit.NoticePolicy.PHONE, Visit.NoticePolicy.LETTER):
        raise ValidationError(_("Say whether the unit was told by phone or by letter."))
    visit = Visit.objects.locked().get(pk=visit.pk)
    refuse_if_locked(visit)
    visit.notice_policy, visit.unit_contact, visit.unit_notified_at, visit.unit_notified_by = method, contact, at, by
    visit._history_user = by
    visit.save(update_fields=["notice_policy", "unit_contact", "unit_notified_at", "unit_notified_by"])
