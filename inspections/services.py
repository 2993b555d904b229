import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import display_name
from inspections.models import (
    Campaign,
    Itinerary,
    Organization,
    ScheduleNotice,
    TeamMembership,
    Vehicle,
    Visit,
)
from units import text
from units.models import Division, Unit

DIC_NAME = "Sở Thông tin và Truyền thông tỉnh Hà Tĩnh"
DIC_DIVISIONS = [
    # (name, short name): the bodies the plan names (section II.3 and III.1).
    ("Thanh tra Sở Thông tin và Truyền thông", "Thanh tra Sở"),
    ("Phòng Công nghệ thông tin, Sở Thông tin và Truyền thông", "Phòng CNTT"),
    ("Văn phòng Sở Thông tin và Truyền thông", "Văn phòng Sở"),
]
HEALTH_DEPARTMENT = ("Sở Y tế tỉnh Hà Tĩnh", "Sở Y tế")


@transaction.atomic
def seed_organizations(*, province_code: int | None = None) -> int:
    """Create the bodies of the plan's team: the DIC's Inspectorate, IT Division and
    Office, the Department of Health and one Culture and Information division (Phòng
    VHTT) per district of the province. Needs the divisions loaded. Returns how many
    were created; existing ones are left as an administrator may have edited them.
    """
    province_code = province_code or settings.REGISTRY_PROVINCE_CODE
    wanted = [(name, short, Organization.Kind.DIC_DIVISION, None) for name, short in DIC_DIVISIONS]
    wanted.append((*HEALTH_DEPARTMENT, Organization.Kind.HEALTH, None))
    districts = Division.objects.filter(
        parent__level=Division.Level.PROVINCE, parent__code=province_code, level=Division.Level.DISTRICT
    )
    for district in districts.order_by("code"):
        wanted.append((f"Phòng Văn hóa và Thông tin {district.name}", "Phòng VHTT",
                       Organization.Kind.DISTRICT_VHTT, district))
    created = 0
    for name, short_name, kind, district in wanted:
        # A district's VHTT is found by its district, so a renamed one is not made twice.
        lookup = {"kind": kind, "district": district} if district else {"name": name}
        defaults = {"name": name, "short_name": short_name, "kind": kind, "district": district}
        _organization, was_created = Organization.objects.get_or_create(**lookup, defaults=defaults)
        created += was_created
    return created


# ----------------------------------------------------------------------------------------
# The schedule: itineraries, their visits, the rules of the plan, notices
# ----------------------------------------------------------------------------------------


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
    visit outside the itinerary's hours. Warnings: no Department of Health
    representative; no VHTT representative of a visited unit's district; more
    visits than the campaign's daily maximum.
    """
    check = ScheduleCheck()
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
    """Cancel a visit, keeping it and why (history)."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling."))
    visit.status, visit.status_reason = Visit.Status.CANCELLED, reason
    visit._history_user = by
    visit.save(update_fields=["status", "status_reason"])


@transaction.atomic
def record_unit_notice(visit: Visit, *, contact: str, method: str, at, by) -> None:
    """Record that the unit was told of the visit shortly before: whom the team
    contacted, when, how (phone or letter) and who did it (plan II.2)."""
    if method not in (Visit.NoticePolicy.PHONE, Visit.NoticePolicy.LETTER):
        raise ValidationError(_("Say whether the unit was told by phone or by letter."))
    visit.notice_policy, visit.unit_contact, visit.unit_notified_at, visit.unit_notified_by = method, contact, at, by
    visit._history_user = by
    visit.save(update_fields=["notice_policy", "unit_contact", "unit_notified_at", "unit_notified_by"])


@transaction.atomic
def record_nomination(*, campaign, organization, letter_number, letter_date, received_on, nominees, by):
    """Record a body's nomination letter and its nominees (plan II.3).

    Side effects: the Nomination and its Nominees. A body nominates once per campaign.
    """
    from inspections.models import Nomination, Nominee

    if Nomination.objects.filter(campaign=campaign, organization=organization).exists():
        raise ValidationError(_("%(body)s has already nominated its staff for this campaign.") % {"body": organization})
    nomination = Nomination.objects.create(campaign=campaign, organization=organization, letter_number=letter_number,
                                           letter_date=letter_date, received_on=received_on, recorded_by=by)
    Nominee.objects.bulk_create([Nominee(nomination=nomination, **data) for data in nominees])
    return nomination


@transaction.atomic
def accept_nominee(nominee, *, team, position, by, site_url: str):
    """Put a nominated person on a team: link the account with the same e-mail, or
    create one with the inspector role, and invite them to set a password.

    Side effects: maybe a user (no usable password until they set one), the inspector
    group, a TeamMembership for the nominating body, the nominee linked to it; an
    invitation e-mail with a set-password link (after the commit) when the account
    has no password yet. Returns the membership.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.roles import Role, group_for
    from inspections.models import TeamMembership

    if nominee.membership_id:
        raise ValidationError(_("%(name)s is already on a team.") % {"name": nominee.full_name})
    if team.campaign_id != nominee.nomination.campaign_id:
        raise ValidationError(_("Choose a team of the same campaign."))
    User = get_user_model()
    user = User.objects.filter(email__iexact=nominee.email).first() if nominee.email else None
    if user is None:
        base = (nominee.email.split("@")[0] if nominee.email else text.name_key(nominee.full_name).replace(" ", "."))
        username, number = base[:140] or "canbo", 1
        while User.objects.filter(username=username).exists():
            number += 1
            username = f"{base[:140]}{number}"
        user = User.objects.create_user(username=username, email=nominee.email, first_name=nominee.full_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(group_for(Role.INSPECTOR))
    if TeamMembership.objects.filter(team=team, user=user).exists():
        raise ValidationError(_("%(name)s is already on this team.") % {"name": nominee.full_name})
    membership = TeamMembership.objects.create(team=team, user=user, position=position,
                                               organization=nominee.nomination.organization)
    nominee.membership = membership
    nominee.save(update_fields=["membership"])
    if user.email and not user.has_usable_password():
        link = site_url + reverse("password_reset_confirm", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
        body = "\n".join([
            _("You have been nominated to %(team)s of the inspection campaign “%(campaign)s”.") % {
                "team": team.name, "campaign": team.campaign.title},
            "", _("Your user name: %(username)s") % {"username": user.username},
            _("Set your password here: %(link)s") % {"link": link}, "",
            _("The inspection schedule will be sent to you by the DIC Inspectorate. Keep it confidential.")])
        message = EmailMessage(_("Invitation to the inspection team"), body, to=[user.email])
        transaction.on_commit(message.send)
    return membership


@transaction.atomic
def add_targets(*, campaign, units, by) -> int:
    """Add units chosen by hand (e.g. the registry's filtered list) to the campaign's
    targets. Side effects: Target rows; units already targets are left as they are.
    Returns how many were added."""
    from inspections.models import Target

    existing = set(campaign.targets.values_list("unit_id", flat=True))
    new = [Target(campaign=campaign, unit_id=pk, added_by=by)
           for pk in units.filter(is_active=True).values_list("pk", flat=True) if pk not in existing]
    Target.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def new_checklist_version(template):
    """Copy a checklist into its next, unpublished version for editing (a published
    version never changes; visits keep the version they started with)."""
    from inspections.models import ChecklistSection, ChecklistTemplate

    latest = ChecklistTemplate.objects.filter(name=template.name).order_by("-version").first()
    copy = ChecklistTemplate.objects.create(name=template.name, version=latest.version + 1, based_on=template)
    for section in template.sections.prefetch_related("items__categories"):
        new_section = ChecklistSection.objects.create(template=copy, code=section.code, title=section.title,
                                                      order=section.order)
        for item in section.items.all():
            categories = list(item.categories.all())
            item.pk, item.section = None, new_section
            item._state.adding = True
            item._prefetched_objects_cache = {}  # else set() compares with the original's categories
            item.save()
            item.categories.set(categories)
    return copy
