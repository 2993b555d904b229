"""The provincial report's life, draft → approved: the only writes to a ProvincialReport.

Every change counts a new revision of the report and queues the building of its files
(`reports/provincial_documents.py: report_files_task`) in the same transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import has_role
from inspections.permissions import require
from reports.models import REPORT_APPROVERS, REPORT_WRITERS, DataVersion, ProvincialReport
from reports.provincial import digest_of, fingerprint, short_rows_of, take_snapshot
from reports.provincial_documents import default_direction_documents, proposed_recommendations, queue_files
from webhooks import services as webhooks
from webhooks.models import Event


def _changed(report) -> ProvincialReport:
    """A new revision of the report: its files are built again in the background (the
    task row commits with the change; a worker never sees a revision that did not)."""
    ProvincialReport.objects.filter(pk=report.pk).update(revision=F("revision") + 1)
    report.refresh_from_db(fields=["revision"])
    queue_files(report)
    return report


@transaction.atomic
def create_report(campaign, *, as_of: datetime.date, by, is_sample: bool = False, **texts) -> ProvincialReport:
    """A draft report on the campaign as of a date, by the Inspectorate. Side effects:
    the snapshot of the visits it counts is taken and stored with its fingerprint and the
    campaign's data version read before it; the recommendations default to those the
    figures support, by addressee, and the direction documents to the province's and the
    plan's (drafts the Inspectorate edits); its files are queued."""
    require(has_role(by, *REPORT_WRITERS))
    if as_of < campaign.starts_on:
        raise ValidationError(_("The report's date cannot be before the campaign starts (%(day)s).")
                              % {"day": campaign.starts_on.strftime("%d/%m/%Y")})
    version = DataVersion.of(campaign.pk)  # before the figures: a change in between reads as "changed"
    snapshot = take_snapshot(campaign, as_of, by)
    return _changed(ProvincialReport.objects.create(
        campaign=campaign, as_of=as_of, snapshot=snapshot, fingerprint=fingerprint(snapshot),
        digest=digest_of(snapshot), short_rows=short_rows_of(snapshot), data_version=version,
        taken_at=timezone.now(), created_by=by, is_sample=is_sample,
        recommendations=texts.pop("recommendations", proposed_recommendations(snapshot)),
        direction_documents=texts.pop("direction_documents", default_direction_documents(campaign)), **texts))


def _locked(report) -> ProvincialReport:
    report = ProvincialReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_draft:
        raise ValidationError(_("This report has been approved: its figures and text can no longer change. "
                                "Create a new report to count later data."))
    return report


@transaction.atomic
def retake(report, *, by) -> ProvincialReport:
    """A draft takes the figures anew (an approved report never does). Side effects: the
    snapshot, its fingerprint, the data version and the time taken are replaced;
    recommendations still as proposed (not edited) are proposed again from the new figures,
    edited ones are kept; its files are queued again."""
    require(has_role(by, *REPORT_WRITERS))
    report = _locked(report)
    untouched = report.recommendations == proposed_recommendations(report.snapshot)
    report.data_version = DataVersion.of(report.campaign_id)
    report.snapshot = take_snapshot(report.campaign, report.as_of, by)
    report.fingerprint = fingerprint(report.snapshot)
    report.digest, report.short_rows = digest_of(report.snapshot), short_rows_of(report.snapshot)
    report.taken_at = timezone.now()
    if untouched:
        report.recommendations = proposed_recommendations(report.snapshot)
    report.save(update_fields=["snapshot", "fingerprint", "digest", "short_rows", "data_version", "taken_at",
                               "recommendations"])
    return _changed(report)


@transaction.atomic
def update_texts(report, *, by, **texts) -> ProvincialReport:
    """A draft's number and texts, by the Inspectorate. Side effects: the fields named
    are saved; its files are queued again."""
    require(has_role(by, *REPORT_WRITERS))
    report = _locked(report)
    for name, value in texts.items():
        setattr(report, name, value)
    report.save(update_fields=list(texts))
    return _changed(report)


@transaction.atomic
def approve(report, *, by) -> ProvincialReport:
    """Leadership signs the draft. Side effects: status approved, by whom and when (the
    report's figures and text are locked from then on); its files are queued again, now
    dated and signed."""
    require(has_role(by, *REPORT_APPROVERS))
    report = _locked(report)
    report.status, report.approved_by, report.approved_at = ProvincialReport.Status.APPROVED, by, timezone.now()
    report.save(update_fields=["status", "approved_by", "approved_at"])
    webhooks.emit(Event.REPORT_APPROVED, key=f"report:{report.pk}", data={
        "report": report.pk, "campaign": report.campaign_id, "as_of": report.as_of.isoformat(),
        "approved_at": report.approved_at.isoformat()})
    return _changed(report)
