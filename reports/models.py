from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import APPROVERS, DIC_READERS, INSPECTORATE, Role, has_role
from inspections.models import Campaign

# Who writes, reads and approves the province's reports: the Inspectorate drafts, leadership signs.
REPORT_READERS = DIC_READERS
REPORT_WRITERS = INSPECTORATE
REPORT_APPROVERS = APPROVERS


class DataVersion(models.Model):
    """A counter per campaign of the changes to what a report's snapshot counts (its approved
    and pending visits, their corrections and follow-ups, the units they visited, the
    campaign and its teams, the districts and categories). Bumped by the database's triggers
    (migration reports 0005) in the same transaction as each change, whichever path makes it
    (a service, the admin, an import, a queryset update): never written by the code."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.campaign_id}: {self.version}"

    @classmethod
    def of(cls, campaign_id: int) -> int:
        return cls.objects.filter(campaign_id=campaign_id).values_list("version", flat=True).first() or 0


class VisitTally(models.Model):
    """How many of a campaign's visits stand at each stage, and how many of its approved ones
    reached each conclusion, per local day, commune and unit category: what the dashboard sums
    (reports/tallies.py) instead of scanning the visits. Its rows are bounded by days × communes
    × categories (about 80,000 for a month in Hà Tĩnh) whatever the number of visits.

    Kept exact by the database's triggers (migration reports 0011) in the same statement as
    each change to a visit (created, scheduled, started, submitted, returned, approved,
    amended, cancelled, moved, deleted) or to a unit's commune or category, whichever path
    makes it — a service, the admin, an import, a queryset update: never written by the code."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # the local day of the visit's start (TIME_ZONE)
    commune = models.ForeignKey("units.Division", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("units.UnitCategory", on_delete=models.CASCADE, related_name="+")
    # Visits by status (Visit.Status).
    planned = models.IntegerField(default=0)
    scheduled = models.IntegerField(default=0)
    in_progress = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    # Approved visits by criterion and conclusion (CRITERIA × CONCLUSIONS).
    a_dat = models.IntegerField(default=0)
    a_dat_mot_phan = models.IntegerField(default=0)
    a_chua_dat = models.IntegerField(default=0)
    b_dat = models.IntegerField(default=0)
    b_dat_mot_phan = models.IntegerField(default=0)
    b_chua_dat = models.IntegerField(default=0)
    c_dat = models.IntegerField(default=0)
    c_dat_mot_phan = models.IntegerField(default=0)
    c_chua_dat = models.IntegerField(default=0)
    overall_dat = models.IntegerField(default=0)
    overall_dat_mot_phan = models.IntegerField(default=0)
    overall_chua_dat = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day", "commune", "category"],
                                               name="reports_visittally_one_row_per_cell")]

    def __str__(self):
        return f"{self.campaign_id} {self.day} {self.commune_id} {self.category_id}"


class UnitInspections(models.Model):
    """How many visits, of any campaign, have inspected each unit (under way, submitted,
    returned or approved): what tells a unit never inspected without looking at its visits.
    Kept by the database's triggers (migration reports 0012), never written by the code."""

    unit = models.OneToOneField("units.Unit", on_delete=models.CASCADE, primary_key=True, related_name="+")
    visits = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.unit_id}: {self.visits}"


class UnitTally(models.Model):
    """Per commune and category: the registry's active units, those of them with a location QR
    code (created or posted) and those never inspected — the dashboard's registry figures
    (units.reconciliation.qr_coverage, UnitQuerySet.never_inspected) summed over communes ×
    categories rows rather than counted over the units. Kept exact by the database's triggers
    (migration reports 0012) on units and on visits, never written by the code."""

    commune = models.ForeignKey("units.Division", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("units.UnitCategory", on_delete=models.CASCADE, related_name="+")
    active = models.IntegerField(default=0)
    with_qr = models.IntegerField(default=0)
    never_inspected = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "category"], name="reports_unittally_one_row_per_cell")]

    def __str__(self):
        return f"{self.commune_id} {self.category_id}"


class FollowUpTally(models.Model):
    """The follow-ups of a campaign's corrections by outcome, per local day, commune and
    category of the visit that asked for the correction and per deadline: the headline's
    follow-up tiles (reports/dashboard.py: follow_up_figures) summed over these rows rather
    than counted over FollowUp → Correction → Visit. "Overdue today" is the sum of `open` over
    the rows whose deadline is before today (FollowUp.overdue_on).

    Kept exact by the database's triggers (migration reports 0013) on follow-ups, corrections,
    visits and units, whichever path makes the change: never written by the code."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # the local day of the visit's start (TIME_ZONE), as VisitTally's
    commune = models.ForeignKey("units.Division", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("units.UnitCategory", on_delete=models.CASCADE, related_name="+")
    deadline = models.DateField()  # the follow-up's (FollowUp.deadline)
    # Follow-ups by outcome (FollowUp.Outcome).
    open = models.IntegerField(default=0)
    fixed = models.IntegerField(default=0)
    not_fixed = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day", "commune", "category", "deadline"],
                                               name="reports_followuptally_one_row_per_cell")]

    def __str__(self):
        return f"{self.campaign_id} {self.day} {self.commune_id} {self.category_id} {self.deadline}"


class TargetTally(models.Model):
    """A campaign's targets per commune and category of their unit: the headline's targets
    tile summed over these rows rather than counted over the targets. Kept exact by the
    database's triggers (migration reports 0013) on targets and units, never written by the code."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey("units.Division", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("units.UnitCategory", on_delete=models.CASCADE, related_name="+")
    targets = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "commune", "category"],
                                               name="reports_targettally_one_row_per_cell")]

    def __str__(self):
        return f"{self.campaign_id} {self.commune_id} {self.category_id}"


class ProvincialReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The reports of the campaigns this person sees, for the DIC's Inspectorate and leadership."""
        if not user.is_authenticated or not user.is_active or not has_role(user, *REPORT_READERS):
            return self.none()
        return self.filter(campaign__in=Campaign.objects.visible_to(user))


class ProvincialReport(models.Model):
    """The report to the Provincial People's Committee on a campaign (Báo cáo kết quả kiểm
    tra): a frozen snapshot of the approved visits up to a date, so that its numbers stay
    as issued whatever happens to the data afterwards (DESIGN §3 rule 6)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    campaign = models.ForeignKey("inspections.Campaign", on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("campaign"))
    as_of = models.DateField(_("figures as of"),
                             help_text=_("Visits carried out up to this day and approved count."))
    number = models.CharField(_("number"), max_length=20, blank=True,
                              help_text=_("Left empty for the records office to fill."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField(_("date of issue"), null=True, blank=True,
                                 help_text=_("Left empty, the report is dated the day it is approved."))
    snapshot = models.JSONField(_("figures"), default=dict)
    fingerprint = models.CharField(max_length=64, editable=False)
    # What the report's page shows of the figures (reports/provincial.py: digest_of), computed
    # when they are taken: the page reads these few kilobytes, never the snapshot in Python.
    digest = models.JSONField(default=dict, editable=False)
    # The units short of compliance as the page lists them (each with its corrections as they
    # stood), in the snapshot's order: the page slices its 50 out of this, in PostgreSQL.
    short_rows = models.JSONField(default=list, editable=False)
    # The campaign's DataVersion when the figures were taken (read before them): the page's
    # "data changed?" is one comparison, whatever the snapshot's size. Empty on reports
    # taken before versions existed, which compare fingerprints.
    data_version = models.BigIntegerField(null=True, blank=True, editable=False)
    taken_at = models.DateTimeField(_("figures taken at"))
    direction_documents = models.TextField(
        _("direction documents issued"), blank=True,
        help_text=_("The documents issued to direct the deployment (plan II.1 a), one a line."))
    strengths = models.TextField(_("strengths"), blank=True)
    shortcomings = models.TextField(_("shortcomings and limits"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    recommendations = models.TextField(_("recommendations and proposals"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("drafted by"))
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)
    # The Word draft and the annex are built in the background whenever the report changes
    # (its figures, its text, its approval): `revision` counts the changes, `files_revision`
    # says which one the stored files show.
    revision = models.PositiveIntegerField(default=0, editable=False)
    files_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The queue's task that builds the latest revision's files: a page finds out from it
    # whether the worker died (config/jobs.py) and queues the build again.
    files_task_id = models.CharField(max_length=64, blank=True, editable=False)
    document = models.FileField(upload_to="reports/%Y/", blank=True)
    annex = models.FileField(upload_to="reports/%Y/", blank=True)

    objects = ProvincialReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("provincial report")
        verbose_name_plural = _("provincial reports")
        ordering = ["-as_of", "-id"]
        constraints = [
            models.CheckConstraint(
                name="reports_provincialreport_approved_has_approver",
                condition=Q(status="draft") | Q(approved_by__isnull=False, approved_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.as_of:%d/%m/%Y}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def files_ready(self) -> bool:
        return self.files_revision == self.revision and bool(self.document) and bool(self.annex)


class RawExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is its requester's (it holds what they may see); an administrator sees all."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        exports = self.filter(campaign__in=Campaign.objects.visible_to(user))
        return exports if has_role(user, Role.ADMINISTRATOR) else exports.filter(requested_by=user)


class RawExport(models.Model):
    """One analyst's export of a campaign's visits and answers, built in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey("inspections.Campaign", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("campaign"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The queue's task writing it (config/jobs.py).
    task_id = models.CharField(max_length=64, blank=True, editable=False)

    objects = RawExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("raw data export")
        verbose_name_plural = _("raw data exports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.campaign} · {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))
