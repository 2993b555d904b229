"""The follow-up ladder of units that have not deployed (plan I: đôn đốc, nhắc nhở, xử lý):
each required correction of a non-compliant or partly compliant visit is followed up
until the unit has fixed it, or not. Records handling only: never a fine, never a
legal clause filled in by the software (DESIGN §3 rule 7)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import FollowUp, FollowUpStep, Visit
from inspections.vocabulary import COMPLIANT


@transaction.atomic
def open_follow_ups(visit: Visit) -> list[FollowUp]:
    """One follow-up per required correction of an approved visit that is not fully
    compliant (called when the visit is approved). Idempotent."""
    if visit.conclusion.get("overall") in (None, COMPLIANT):
        return []
    opened = []
    for correction in visit.corrections.filter(follow_up__isnull=True):
        opened.append(FollowUp.objects.create(correction=correction, unit_id=visit.unit_id,
                                              deadline=correction.deadline))
    return opened


@transaction.atomic
def record_step(follow_up: FollowUp, *, kind: str, date: datetime.date, by, note: str = "", evidence: str = "",
                competent_body: str = "", new_deadline: datetime.date | None = None) -> FollowUpStep:
    """Record a step of the ladder. Side effects: a "new correction deadline" moves the
    deadline; a re-inspection adds a planned visit of the unit to the schedule (the
    Inspectorate then puts it on an itinerary); a proposal names the competent body."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.outcome != FollowUp.Outcome.OPEN:
        raise ValidationError(_("This follow-up is closed."))
    step = FollowUpStep(follow_up=follow_up, kind=kind, date=date, acted_by=by, note=note.strip(),
                        evidence=evidence.strip(), competent_body=competent_body.strip())
    if kind == FollowUpStep.Kind.CORRECTION_DUE:
        if new_deadline is None or new_deadline < date:
            raise ValidationError(_("Give the new deadline (not before the step's date)."))
        follow_up.deadline = new_deadline
        follow_up._history_user = by
        follow_up.save(update_fields=["deadline"])
    elif kind == FollowUpStep.Kind.PROPOSAL and not step.competent_body:
        raise ValidationError(_("Name the competent body the proposal goes to."))
    elif kind == FollowUpStep.Kind.REINSPECTION:
        original = follow_up.correction.visit
        tz = timezone.get_current_timezone()
        step.visit = Visit.objects.create(
            campaign=original.campaign, unit_id=follow_up.unit_id,
            starts_at=datetime.datetime.combine(date, datetime.time(8), tzinfo=tz),
            ends_at=datetime.datetime.combine(date, datetime.time(9), tzinfo=tz),
            status_reason=_("Re-inspection of the follow-up of %(day)s.") % {"day": f"{original.starts_at:%d/%m/%Y}"})
    elif kind not in FollowUpStep.Kind.values:
        raise ValidationError(_("Choose a step of the ladder."))
    step.save()
    return step


@transaction.atomic
def close_follow_up(follow_up: FollowUp, *, outcome: str, by) -> FollowUp:
    """The unit's outcome: fixed or not fixed."""
    if outcome not in (FollowUp.Outcome.FIXED, FollowUp.Outcome.NOT_FIXED):
        raise ValidationError(_("Say whether the unit fixed it."))
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    follow_up.outcome, follow_up.closed_by, follow_up.closed_at = outcome, by, timezone.now()
    follow_up._history_user = by
    follow_up.save(update_fields=["outcome", "closed_by", "closed_at"])
    return follow_up
