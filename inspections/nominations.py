"""Nominations (plan II.3): the bodies asked to send staff for the team, their letters
and nominees, who is missing or late, and accepting a nominee into a team."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.roles import Role, group_for
from inspections.models import Campaign, Nomination, Nominee, Organization, TeamMembership
from inspections.vocabulary import refuse_if_closed
from units import text

# The bodies asked to send staff to the team (plan II.3): the Department of Health and
# each district's Culture and Information division; the DIC's own divisions are the team.
NOMINATING_KINDS = (Organization.Kind.HEALTH, Organization.Kind.DISTRICT_VHTT)


def bodies_to_nominate(campaign: Campaign | None = None):
    """Who must nominate, the Department of Health first, then the districts by code: the
    bodies the campaign's plan names, or by default the plan II.3 kinds."""
    bodies = Organization.objects.filter(kind__in=NOMINATING_KINDS)
    if campaign is not None and campaign.nominating_bodies.exists():
        bodies = campaign.nominating_bodies.all()
    return bodies.select_related("district").order_by("-kind", "district__code")


def is_late(nomination: Nomination) -> bool:
    """A letter received after the campaign's nomination deadline (plan II.3: 28/11/2021)."""
    deadline = nomination.campaign.nomination_deadline
    return bool(deadline and nomination.received_on > deadline)


@dataclass
class NominationBoard:
    """Each body asked to nominate with its letter (or None) and whether it came late."""

    rows: list[tuple[Organization, Nomination | None, bool]]

    @property
    def missing(self) -> int:
        return sum(1 for _body, nomination, _late in self.rows if nomination is None)

    @property
    def late(self) -> int:
        return sum(1 for _body, _nomination, late in self.rows if late)


def nomination_board(campaign: Campaign) -> NominationBoard:
    received = {n.organization_id: n for n in Nomination.objects.filter(campaign=campaign).select_related("campaign")
                .annotate(nominee_count=Count("nominees"))}
    rows = []
    for body in bodies_to_nominate(campaign):
        nomination = received.get(body.pk)
        rows.append((body, nomination, bool(nomination and is_late(nomination))))
    return NominationBoard(rows=rows)


@transaction.atomic
def record_nomination(*, campaign, organization, letter_number, letter_date, received_on, nominees, by):
    """Record a body's nomination letter and its nominees (plan II.3).

    Side effects: the Nomination and its Nominees. A body nominates once per campaign.
    """
    refuse_if_closed(campaign)
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
    refuse_if_closed(team.campaign)
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
