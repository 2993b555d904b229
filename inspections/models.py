from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role, has_role
from units.models import Division


class Organization(models.Model):
    """A body that takes part in a campaign: a DIC division, the Department of
    Health, a district's Culture and Information division (Phòng VHTT)..."""

    class Kind(models.TextChoices):
        DIC_DIVISION = "dic_division", _("DIC division")
        HEALTH = "health", _("Department of Health")
        DISTRICT_VHTT = "district_vhtt", _("District Culture and Information division")
        OTHER = "other", _("Other body")

    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    district = models.ForeignKey(
        Division, on_delete=models.PROTECT, null=True, blank=True, related_name="organizations",
        verbose_name=_("district"), limit_choices_to={"level": Division.Level.DISTRICT},
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            # The VHTT representative joins visits in their own district (plan III.1).
            models.CheckConstraint(
                name="inspections_organization_vhtt_has_district",
                condition=~Q(kind="district_vhtt") | Q(district__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["district"], condition=Q(kind="district_vhtt"),
                name="inspections_organization_one_vhtt_per_district",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.DISTRICT_VHTT and not self.district_id:
            raise ValidationError({"district": _("A district VHTT division belongs to a district.")})


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The DIC sees every campaign; a team member sees the campaigns of their teams."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_role(user, Role.ADMINISTRATOR, Role.LEADERSHIP, Role.COORDINATOR, Role.OFFICE):
            return self
        return self.filter(teams__memberships__user=user).distinct()


class Campaign(models.Model):
    """An inspection plan (kế hoạch kiểm tra), such as the DIC's plan of November 2021."""

    class Form(models.TextChoices):
        SURPRISE = "surprise", _("Surprise")
        PERIODIC = "periodic", _("Periodic")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Under way")
        CLOSED = "closed", _("Closed")

    number = models.CharField(
        _("number and symbol"), max_length=60, blank=True,
        help_text=_("Left blank until the records office numbers the plan."),
    )
    title = models.CharField(_("title"), max_length=500)
    legal_basis = models.TextField(_("legal basis"))
    issuing_body = models.CharField(_("issuing body"), max_length=255)
    signer = models.CharField(_("signed by"), max_length=255, blank=True)
    starts_on = models.DateField(_("period from"))
    ends_on = models.DateField(_("period to"))
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.SURPRISE)
    nomination_deadline = models.DateField(_("nominations due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_sample = models.BooleanField(_("sample data"), default=False)
    history = HistoricalRecords()

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="inspections_campaign_period_in_order", condition=Q(ends_on__gte=F("starts_on"))
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The period must end on or after the day it starts.")})


class Team(models.Model):
    """An inspection team (Tổ kiểm tra) of a campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="teams", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("inspection team")
        verbose_name_plural = _("inspection teams")
        ordering = ["campaign", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="inspections_team_unique_name"),
        ]

    def __str__(self):
        return self.name


class TeamMembership(models.Model):
    class Position(models.TextChoices):
        LEADER = "leader", _("Team leader")
        DEPUTY = "deputy", _("Deputy team leader")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Secretary")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships",
        verbose_name=_("person"),
    )
    position = models.CharField(_("position"), max_length=10, choices=Position.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships",
        verbose_name=_("nominating body"),
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="inspections_membership_once_per_team"),
        ]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username} ({self.get_position_display()})"
