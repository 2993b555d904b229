from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import DIC_READERS, DIC_STAFF, display_name, has_role
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
        if has_role(user, *DIC_STAFF):
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
    legal_basis_number = models.CharField(_("legal basis: document number"), max_length=60, blank=True)
    legal_basis_date = models.DateField(_("legal basis: document date"), null=True, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=255)
    signer = models.CharField(_("signed by"), max_length=255, blank=True)
    starts_on = models.DateField(_("period from"))
    ends_on = models.DateField(_("period to"))
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.SURPRISE)
    nomination_deadline = models.DateField(_("nominations due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    checklist = models.ForeignKey("inspections.ChecklistTemplate", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="campaigns", verbose_name=_("checklist"))
    max_visits_per_day = models.PositiveSmallIntegerField(
        _("visits per day before a warning"), default=6,
        help_text=_("An itinerary with more visits than this asks for confirmation."))
    nominating_bodies = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("bodies asked to nominate"),
        help_text=_("Empty: the Department of Health and every district's VHTT division."))
    copied_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("copied from"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("closed by"))
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


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The DIC sees every team; a team member sees only their own teams and who is on
        them (another team's people would tell where it goes: plan III.1)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_role(user, *DIC_STAFF):
            return self
        return self.filter(pk__in=TeamMembership.objects.filter(user=user).values("team"))


class Team(models.Model):
    """An inspection team (Tổ kiểm tra) of a campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="teams", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=120)

    objects = TeamQuerySet.as_manager()

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
        return f"{display_name(self.user)} ({self.get_position_display()})"


# ----------------------------------------------------------------------------------------
# Nominations: the bodies asked to send staff (plan II.3: by 28/11/2021)
# ----------------------------------------------------------------------------------------


class Nomination(models.Model):
    """A body's letter naming its staff for the team."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="nominations",
                                 verbose_name=_("campaign"))
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="nominations",
                                     verbose_name=_("body"))
    letter_number = models.CharField(_("letter number"), max_length=60, blank=True)
    letter_date = models.DateField(_("letter date"), null=True, blank=True)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["campaign", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="inspections_nomination_once_per_body"),
        ]

    def __str__(self):
        return f"{self.organization} — {self.letter_number}"


class Nominee(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="nominees")
    full_name = models.CharField(_("full name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    membership = models.OneToOneField(TeamMembership, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="nominee", verbose_name=_("team membership"))

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        ordering = ["nomination", "id"]

    def __str__(self):
        return self.full_name


# ----------------------------------------------------------------------------------------
# Targets: the units a campaign inspects, chosen by hand or by a recorded random draw
# ----------------------------------------------------------------------------------------


class TargetDraw(models.Model):
    """A stratified random draw: its seed, parameters and result are kept so that the
    same seed and parameters reproduce the same list."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="draws")
    seed = models.BigIntegerField(_("seed"))
    parameters = models.JSONField(_("parameters"))
    unit_ids = models.JSONField(_("units drawn"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.campaign} · {self.seed}"


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Targets are the DIC's working list: coordinators, leadership, administrators."""
        if not user.is_authenticated or not has_role(user, *DIC_READERS):
            return self.none()
        return self


class Target(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="targets")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="targets")
    draw = models.ForeignKey(TargetDraw, on_delete=models.PROTECT, null=True, blank=True, related_name="targets",
                             help_text=_("Empty when added by hand."))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["campaign", "unit__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="inspections_target_once_per_campaign"),
        ]

    def __str__(self):
        return str(self.unit)


# ----------------------------------------------------------------------------------------
# Vehicles, itineraries and visits: the confidential schedule
# ----------------------------------------------------------------------------------------


class VehicleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The DIC sees every car; a team member only the cars of the itineraries they
        may see (a car seen elsewhere would say where another team goes)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_role(user, *DIC_STAFF):
            return self
        return self.filter(pk__in=Itinerary.objects.visible_to(user).values("vehicle"))


class Vehicle(models.Model):
    """A car of the DIC Office (plan III.1: the Office provides vehicles per itinerary)."""

    plate = models.CharField(_("number plate"), max_length=20, unique=True)
    seats = models.PositiveSmallIntegerField(_("passenger seats"), help_text=_("Not counting the driver."))
    driver_name = models.CharField(_("driver"), max_length=120)
    driver_phone = models.CharField(_("driver's phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("in service"), default=True)

    objects = VehicleQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["plate"]
        constraints = [models.CheckConstraint(name="inspections_vehicle_has_seats", condition=Q(seats__gt=0))]

    def __str__(self):
        return f"{self.plate} ({self.seats})"


class DistrictDistance(models.Model):
    """Road kilometres between two districts, which the itinerary proposal's travel
    reads (inspections/proposal.py); kept by hand where the units have no coordinates.
    One row per pair, either order."""

    origin = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+", verbose_name=_("from"),
                               limit_choices_to={"level": Division.Level.DISTRICT})
    destination = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+", verbose_name=_("to"),
                                    limit_choices_to={"level": Division.Level.DISTRICT})
    km = models.PositiveSmallIntegerField(_("km"))
    is_sample = models.BooleanField(_("approximate (sample data)"), default=False,
                                    help_text=_("An estimate loaded with the demonstration: check it."))

    class Meta:
        verbose_name = _("distance between districts")
        verbose_name_plural = _("distances between districts")
        ordering = ["origin", "destination"]
        constraints = [
            models.UniqueConstraint(fields=["origin", "destination"], name="inspections_districtdistance_once"),
            models.CheckConstraint(name="inspections_districtdistance_two_districts",
                                   condition=~Q(origin=F("destination"))),
        ]

    def __str__(self):
        return f"{self.origin} – {self.destination}: {self.km} km"

    def clean(self):
        if self.origin_id and self.origin_id == self.destination_id:
            raise ValidationError({"destination": _("Choose two different districts.")})
        if self.origin_id and self.destination_id and DistrictDistance.objects.filter(
                origin_id=self.destination_id, destination_id=self.origin_id).exclude(pk=self.pk).exists():
            raise ValidationError({"destination": _("This pair is already in the table, the other way round.")})


SCHEDULE_READERS = DIC_READERS


def sees_every_visit(user) -> bool:
    """Whether `Visit.objects.visible_to(user)` is every visit: then counts may come from the
    dashboard's tallies, which know nothing of teams (reports/tallies.py)."""
    return user.is_authenticated and user.is_active and has_role(user, *SCHEDULE_READERS)


class ItineraryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A surprise schedule is confidential (plan III.1): the DIC Inspectorate,
        leadership and the Office see every itinerary; an inspector sees only the
        itineraries they travel on, and only once the schedule was sent to them."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_role(user, *DIC_STAFF):
            return self
        return self.filter(people__user=user, schedule_sent_at__isnull=False).distinct()


class Itinerary(models.Model):
    """A day's trip through several units with one vehicle and its people."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="itineraries")
    date = models.DateField(_("date"))
    departs_at = models.TimeField(_("departure"))
    returns_at = models.TimeField(_("return"))
    departure_place = models.CharField(_("departure place"), max_length=255,
                                       default="Sở Thông tin và Truyền thông tỉnh Hà Tĩnh")
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="itineraries", verbose_name=_("vehicle"))
    people = models.ManyToManyField(TeamMembership, related_name="itineraries", verbose_name=_("people"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by the Office"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    schedule_sent_at = models.DateTimeField(_("schedule sent at"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[people])

    objects = ItineraryQuerySet.as_manager()

    class Meta:
        verbose_name = _("itinerary")
        verbose_name_plural = _("itineraries")
        ordering = ["date", "departs_at"]
        constraints = [
            models.CheckConstraint(name="inspections_itinerary_returns_after_departure",
                                   condition=Q(returns_at__gt=F("departs_at"))),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.departs_at:%H:%M}"


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Visits follow their itinerary's confidentiality; a visit not yet on an
        itinerary is the Inspectorate's draft."""
        if sees_every_visit(user):
            return self
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(itinerary__in=Itinerary.objects.visible_to(user))

    def locked(self, **options):
        """The visits, locked for a change until the transaction ends (`SELECT … FOR NO KEY
        UPDATE`): each change to a visit waits for the one before it, as under `FOR UPDATE`,
        but a row that only points at the visit (the log of a page opening it, a history
        row) is written meanwhile: no change here touches a visit's id, which such a row's
        foreign key guards (docs/decisions.md, "Visits locked for no key update")."""
        return self.select_for_update(no_key=True, **options)


class Visit(models.Model):
    """One unit inspected on one day's itinerary."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        CANCELLED = "cancelled", _("Cancelled")

    class NoticePolicy(models.TextChoices):
        NOT_ANNOUNCED = "not_announced", _("Not announced")
        PHONE = "phone", _("Announced shortly before by phone")
        LETTER = "letter", _("Announced shortly before by letter")

    # The statuses of a visit that has taken place.
    INSPECTED = (Status.IN_PROGRESS, Status.SUBMITTED, Status.RETURNED, Status.APPROVED)

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="visits", verbose_name=_("unit"))
    itinerary = models.ForeignKey(Itinerary, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="visits", verbose_name=_("itinerary"))
    position = models.PositiveSmallIntegerField(_("order in the itinerary"), default=1)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    notice_policy = models.CharField(_("notice to the unit"), max_length=14, choices=NoticePolicy.choices,
                                     default=NoticePolicy.NOT_ANNOUNCED)
    unit_notified_at = models.DateTimeField(_("unit told at"), null=True, blank=True)
    unit_contact = models.CharField(_("person contacted at the unit"), max_length=120, blank=True)
    unit_notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+", verbose_name=_("told by"))
    status_reason = models.TextField(_("reason"), blank=True)
    # Field work: the checklist version the visit started with, when and where it started.
    checklist = models.ForeignKey("inspections.ChecklistTemplate", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="visits", verbose_name=_("checklist"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    start_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    # The figures the unit reports, and when they were taken.
    staff_total = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    staff_with_app = models.PositiveIntegerField(_("staff with PC-Covid installed"), null=True, blank=True)
    qr_codes = models.PositiveIntegerField(_("location QR codes"), null=True, blank=True)
    scans_last_7_days = models.PositiveIntegerField(_("scans in the last 7 days"), null=True, blank=True)
    portal_accounts = models.PositiveIntegerField(_("portal accounts"), null=True, blank=True)
    figures_taken_at = models.DateTimeField(_("figures taken at"), null=True, blank=True)
    # Conclusion: computed from the answers (docs/conclusion-rule.md), overridable with a reason.
    conclusion = models.JSONField(_("conclusion"), default=dict, blank=True)
    conclusion_override_reason = models.TextField(_("reason for changing the computed conclusion"), blank=True)
    shortcomings = models.TextField(_("shortcomings"), blank=True)
    unit_statement = models.TextField(_("the unit's statement"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    # Paper fallback: the answers were typed in later from the printed checklist (inspections/fieldtools.py).
    transcribed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", verbose_name=_("transcribed from paper by"))
    transcribed_at = models.DateTimeField(_("transcribed from paper at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["starts_at", "position"]
        constraints = [
            models.CheckConstraint(name="inspections_visit_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
        ]
        indexes = [
            # The dashboard's tiles and its day-by-day progress count a campaign's visits by status
            # and day (a date filter is a range of starts_at): read from this index alone, the unit
            # carried for the joins to the area and category, not from the table.
            models.Index(fields=["campaign", "status", "starts_at"], include=["unit"],
                         name="inspections_visit_dashboard"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.starts_at:%d/%m/%Y %H:%M}"


class ScheduleNotice(models.Model):
    """Who was told the schedule, when, how and by whom (plan III.1: the Inspectorate
    tells the schedule to the people concerned)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        IN_APP = "in_app", _("In-app notice")
        PRINTED = "printed", _("Printed notice")

    itinerary = models.ForeignKey(Itinerary, on_delete=models.PROTECT, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="schedule_notices")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.itinerary} → {self.recipient} ({self.channel})"


class VisitViewLogQuerySet(models.QuerySet):
    def record(self, visits, *, user, opened) -> None:
        """Log that `user` opened `opened` showing these visits: one row each, in one insert.
        A visit still being planned is the Inspectorate's draft, not yet a confidential
        schedule, and is not logged."""
        rows = [self.model(visit=visit, user=user, opened=opened) for visit in visits
                if visit.status != Visit.Status.PLANNED]
        if len(rows) == 1:
            # One row (a visit's page, on every opening): a lone INSERT, without the
            # BEGIN and COMMIT round trips bulk_create's transaction adds.
            rows[0].save(force_insert=True)
        else:
            self.bulk_create(rows)


class VisitViewLog(models.Model):
    """Every opening of a scheduled visit, on a page or in a document: who, what and when
    (confidentiality); the audit page (reports/audit.py) reads them."""

    class Opened(models.TextChoices):
        VISIT_PAGE = "visit_page", _("Visit page")
        ROUTE_SHEET = "route_sheet", _("Route sheet")
        MINUTES_PDF = "minutes_pdf", _("Minutes (PDF)")
        MINUTES_PRINT = "minutes_print", _("Minutes (print view)")
        NOTICE_PDF = "notice_pdf", _("Schedule notice (PDF)")
        PAPER_CHECKLIST = "paper_checklist", _("Paper checklist (PDF)")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="view_logs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened = models.CharField(_("opened"), max_length=20, choices=Opened.choices)
    viewed_at = models.DateTimeField(auto_now_add=True)

    objects = VisitViewLogQuerySet.as_manager()

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.visit} · {self.user}"


# ----------------------------------------------------------------------------------------
# Checklists: templates (sections a, b, c of the plan), items, answers
# ----------------------------------------------------------------------------------------


def in_language(vietnamese: str, english: str) -> str:
    """A checklist text as the interface shows it: the English label when the interface
    is in English and the label was written, else the Vietnamese text (issue #14.5)."""
    return english if english and (get_language() or "").startswith("en") else vietnamese


class ChecklistTemplateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Checklists are the DIC's reference data; a team member sees the versions of the
        campaigns of their teams and of the visits they may see."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_role(user, *DIC_STAFF):
            return self
        return self.filter(Q(campaigns__in=Campaign.objects.visible_to(user))
                           | Q(visits__in=Visit.objects.visible_to(user))).distinct()


class ChecklistTemplate(models.Model):
    """A versioned checklist. A published version never changes: editing makes a new
    version, and a visit keeps the version it started with."""

    name = models.CharField(_("name"), max_length=255)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ChecklistTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="inspections_checklist_unique_version"),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ChecklistSection(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("criterion"), max_length=4, help_text=_("a, b or c, as in the plan (II.1)."))
    title = models.CharField(_("title"), max_length=255)
    title_en = models.CharField(_("title in English"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["template", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="inspections_section_unique_code"),
        ]

    def __str__(self):
        return f"{self.code}) {self.title}"

    @property
    def label(self) -> str:
        """The title in the interface's language (English when there is one)."""
        return in_language(self.title, self.title_en)


class ChecklistItem(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no / not applicable")
        NUMBER = "number", _("Number")
        PERCENTAGE = "percentage", _("Percentage")
        TEXT = "text", _("Text")
        CHOICE = "choice", _("Choice")
        PHOTO = "photo", _("Photo")

    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=10)
    text = models.TextField(_("question"))
    text_en = models.TextField(_("question in English"), blank=True)
    help_text = models.TextField(_("help"), blank=True)
    help_text_en = models.TextField(_("help in English"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.YES_NO)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    categories = models.ManyToManyField("units.UnitCategory", blank=True, related_name="+",
                                        verbose_name=_("applies to"),
                                        help_text=_("Empty: every kind of unit."))
    # Rules by answer: the answer (e.g. "no") or bound ({"lt": 50}) that marks the item
    # non-compliant, and the answer that requires a photo.
    noncompliant_if = models.JSONField(_("non-compliant when"), null=True, blank=True)
    photo_required_if = models.JSONField(_("photo required when"), null=True, blank=True)
    note_required_if = models.JSONField(_("note required when"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["section__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="inspections_item_unique_code"),
        ]

    def __str__(self):
        return f"{self.code}. {self.text}"

    @property
    def label(self) -> str:
        return in_language(self.text, self.text_en)

    @property
    def help_label(self) -> str:
        return in_language(self.help_text, self.help_text_en)


class Answer(models.Model):
    """One answer of one visit to one item, saved as it is entered."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(_("answer"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(_("saved at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["visit", "item__section__order", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="inspections_answer_once_per_item"),
        ]

    def __str__(self):
        return f"{self.visit} · {self.item.code}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(visit__in=Visit.objects.visible_to(user))


class Evidence(models.Model):
    """A photo taken at the site, downscaled on the server; its SHA-256 is that of the
    stored file, so anyone can check a copy against it."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="evidence")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("question"))
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class TimeSource(models.TextChoices):
        """Where the photo's time comes from, most trusted first (inspections/evidence.py)."""

        EXIF = "exif", _("from the photo")
        CAPTURE = "capture", _("at capture")
        UPLOAD = "upload", _("at upload")

    class PlaceSource(models.TextChoices):
        EXIF = "exif", _("from the photo")
        DEVICE = "device", _("from the phone")

    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    taken_at_source = models.CharField(_("time from"), max_length=8, choices=TimeSource.choices,
                                       default=TimeSource.UPLOAD)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_source = models.CharField(_("location from"), max_length=8, choices=PlaceSource.choices, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        ordering = ["visit", "uploaded_at"]

    def __str__(self):
        return f"{self.visit} · {self.original_name}"


class SignatureQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(visit__in=Visit.objects.visible_to(user))


class Signature(models.Model):
    """A signature drawn on the phone (or a photo of one signed on paper) for the
    minutes: the unit's representative and the team leader, one each per visit. Stored
    as PNG; its SHA-256 is that of the stored file. Replaced while the visit can be
    filled; the earlier one stays in the history."""

    class Role(models.TextChoices):
        UNIT_REPRESENTATIVE = "unit_representative", _("Representative of the unit")
        TEAM_LEADER = "team_leader", _("Team leader")

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(_("signs as"), max_length=20, choices=Role.choices)
    signer_name = models.CharField(_("signer's name"), max_length=120)
    image = models.FileField(_("signature"), upload_to="signatures/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField(_("signed at"))
    captured_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("captured by"))
    history = HistoricalRecords()

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["visit", "role"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "role"], name="inspections_signature_once_per_role"),
        ]

    def __str__(self):
        return f"{self.visit} · {self.get_role_display()}: {self.signer_name}"


class QrScanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(visit__in=Visit.objects.visible_to(user))


class QrScan(models.Model):
    """The location QR code posted at the unit's entrance, read by the inspector's camera
    or typed, compared with the registry's portal code (plan II.1 b): evidence for
    criterion b. The registry's code at that moment is kept beside what was read."""

    class Result(models.TextChoices):
        MATCH = "match", _("Matches the unit's code in the registry")
        OTHER_CODE = "other_code", _("The code of another place")
        NOT_PCCOVID = "not_pccovid", _("Not a PC-Covid code")

    class Method(models.TextChoices):
        CAMERA = "camera", _("Camera")
        TYPED = "typed", _("Typed")

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="qr_scans")
    code_read = models.CharField(_("code read"), max_length=512)
    registry_code = models.CharField(_("code in the registry"), max_length=64, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    method = models.CharField(_("read by"), max_length=8, choices=Method.choices)
    scanned_at = models.DateTimeField(_("scanned at"))
    scanned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("scanned by"))

    objects = QrScanQuerySet.as_manager()

    class Meta:
        verbose_name = _("QR code scan")
        verbose_name_plural = _("QR code scans")
        ordering = ["visit", "scanned_at", "id"]

    def __str__(self):
        return f"{self.visit} · {self.code_read[:40]} ({self.result})"


class Correction(models.Model):
    """A correction the team requires of the unit, with its deadline (yêu cầu khắc
    phục, thời hạn khắc phục); the results issue follows it up."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="corrections")
    description = models.TextField(_("correction required"))
    deadline = models.DateField(_("deadline"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("required correction")
        verbose_name_plural = _("required corrections")
        ordering = ["visit", "deadline", "id"]

    def __str__(self):
        return f"{self.description[:40]} ({self.deadline:%d/%m/%Y})"


# ----------------------------------------------------------------------------------------
# Follow-up: urging, reminding and handling units (plan I: đôn đốc, nhắc nhở, xử lý)
# ----------------------------------------------------------------------------------------


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The DIC's handling of units: the Inspectorate, leadership and administrators."""
        if not user.is_authenticated or not has_role(user, *SCHEDULE_READERS):
            return self.none()
        return self

    def overdue(self, today):
        return self.filter(FollowUp.overdue_on(today))


class FollowUp(models.Model):
    """The handling of one required correction until the unit has fixed it, or not.

    The software records handling; it never issues fines or fills legal clauses itself
    (DESIGN §3 rule 7)."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("Being followed up")
        FIXED = "fixed", _("Fixed")
        NOT_FIXED = "not_fixed", _("Not fixed")

    correction = models.OneToOneField(Correction, on_delete=models.PROTECT, related_name="follow_up")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="follow_ups",
                             verbose_name=_("unit"))
    deadline = models.DateField(_("deadline"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["deadline", "id"]

    def __str__(self):
        return f"{self.unit} · {self.deadline:%d/%m/%Y}"

    @staticmethod
    def overdue_on(today) -> Q:
        """Still open after its deadline: the one rule for lists, counts and badges."""
        return Q(outcome=FollowUp.Outcome.OPEN, deadline__lt=today)

    def is_overdue(self, today) -> bool:
        return self.outcome == self.Outcome.OPEN and self.deadline < today


class FollowUpStep(models.Model):
    """One dated step of the ladder, who acted and on what evidence."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder letter")
        CORRECTION_DUE = "correction_due", _("New correction deadline")
        REINSPECTION = "reinspection", _("Re-inspection")
        PROPOSAL = "proposal", _("Proposal to the competent body")

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("date"))
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("acted by"))
    note = models.TextField(_("note"), blank=True)
    evidence = models.CharField(_("evidence (document number, photo…)"), max_length=255, blank=True)
    competent_body = models.CharField(_("competent body"), max_length=255, blank=True)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("re-inspection visit"))

    class Meta:
        ordering = ["follow_up", "date", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.date:%d/%m/%Y}"
