"""Field work on a visit: start it, answer the checklist item by item, submit once,
and the team leader's review. The conclusion rule is written in docs/conclusion-rule.md."""

import datetime
import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.sqlrows import SqlRows
from config.validation import LONG_TEXT_MAX, NUMBER_ANSWER_MAX, check_text
from inspections.evidence import photos_missing
from inspections.followups import open_follow_ups
from inspections.models import Answer, ChecklistItem, Correction, Visit
from inspections.notifications import tell_review_step
from inspections.permissions import leads_visit
from inspections.vocabulary import (
    COMPLIANT,
    CONCLUSION_LABELS,
    FILLABLE,
    NONCOMPLIANT,
    PARTLY,
    STARTABLE,
    YES_NO_VALUES,
    answer_in_words,
    applicable_item_list,
    applicable_items,
    conclusion_in_words,
    refuse_if_closed,
    yes_no_code,
)
from webhooks import services as webhooks
from webhooks.models import Event

User = get_user_model()


@transaction.atomic
def start_visit(visit: Visit, *, by, latitude=None, longitude=None, accuracy=None, at=None) -> Visit:
    """Start the visit at the site. Side effects: status "in progress", the time (`at`, the
    moment a phone that was offline started it, if credible: start_moment), the location
    only if the inspector's phone gave it, the checklist version kept."""
    visit = Visit.objects.locked().get(pk=visit.pk)
    refuse_if_closed(visit.campaign)
    if visit.status not in STARTABLE:
        raise ValidationError(_("This visit has already started."))
    if visit.campaign.checklist is None:
        raise ValidationError(_("The campaign has no checklist yet."))
    visit.status, visit.started_at, visit.checklist = (
        Visit.Status.IN_PROGRESS, start_moment(visit, at), visit.campaign.checklist)
    visit.start_latitude, visit.start_longitude, visit.start_accuracy_m = latitude, longitude, accuracy
    visit._history_user = by
    visit.save()
    return visit


# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = datetime.timedelta(minutes=5)


def start_moment(visit: Visit, at):
    """When the visit started: the phone's moment if it falls on the visit's day (local
    time) and not in the future; otherwise now (a wrong or forged clock is not kept)."""
    now = timezone.now()
    if at is None or at > now + CLOCK_SKEW:
        return now
    if timezone.localtime(at).date() != timezone.localtime(visit.starts_at).date():
        return now
    return min(at, now)


def clean_value(item: ChecklistItem, raw):
    """The answer as stored for the item's kind; ValidationError with a Vietnamese
    message otherwise. An empty answer clears it. A number is finite and within
    NUMBER_ANSWER_MAX (NaN and infinity are not JSON; a count beyond any unit's is a
    typo); a text is bounded and free of control characters (config/validation.py)."""
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if len(text) > LONG_TEXT_MAX:
        raise ValidationError(_("The answer is too long (at most %(max)s characters).") % {"max": LONG_TEXT_MAX})
    check_text(text)
    if item.kind == ChecklistItem.Kind.YES_NO:
        text = yes_no_code(text)
        if text not in YES_NO_VALUES:
            raise ValidationError(_("Answer yes, no or not applicable."))
        return text
    if item.kind in (ChecklistItem.Kind.NUMBER, ChecklistItem.Kind.PERCENTAGE):
        shown = text if len(text) <= 20 else f"{text[:20]}…"
        try:
            number = float(text.replace(",", "."))
        except ValueError as error:
            raise ValidationError(_("“%(value)s” is not a number.") % {"value": shown}) from error
        if not -NUMBER_ANSWER_MAX <= number <= NUMBER_ANSWER_MAX:  # also false for NaN
            raise ValidationError(_("“%(value)s” is not a number that can be recorded (at most %(max)s).") % {
                "value": shown, "max": f"{NUMBER_ANSWER_MAX:,}".replace(",", ".")})
        if number < 0 or (item.kind == ChecklistItem.Kind.PERCENTAGE and number > 100):
            raise ValidationError(_("Give a number from 0 to 100.") if item.kind == ChecklistItem.Kind.PERCENTAGE
                                  else _("The number cannot be negative."))
        return int(number) if number.is_integer() else number
    if item.kind == ChecklistItem.Kind.PHOTO:
        raise ValidationError(_("Answer this question with a photo."))
    if item.kind == ChecklistItem.Kind.CHOICE:
        if text not in item.choices:
            raise ValidationError(_("Choose one of the answers offered."))
        return text
    return text


@transaction.atomic
def save_answer(visit: Visit, *, item: ChecklistItem, raw, note: str = "", by) -> Answer:
    """Save one answer as it is entered (the phone sends each change). Side effects:
    the Answer (created or changed, with history). Refused once the visit is submitted."""
    # The visit's row locked; its campaign and unit read with it (the closed campaign, the items).
    visit = Visit.objects.locked(of=("self",)).select_related("campaign", "unit").get(pk=visit.pk)
    refuse_if_closed(visit.campaign)
    if visit.status not in FILLABLE:
        raise ValidationError(_("This visit cannot be changed now (%(status)s).") % {
            "status": visit.get_status_display()})
    if item.pk not in {applicable.pk for applicable in applicable_item_list(visit)}:
        raise ValidationError(_("This question does not apply to this unit."))
    value = clean_value(item, raw)
    # One save, so one history row per answer saved (the visit's lock above keeps two
    # requests from creating the same answer twice).
    # One answer per item (a constraint): no ordering, so no join for Answer's default order.
    answer = Answer.objects.filter(visit=visit, item=item).order_by().first() or Answer(visit=visit, item=item)
    answer.item = item  # the caller's instance: its answer (AnswerOut, the fragment) needs no read of it again
    if answer.pk and answer.value == value and answer.note == note:
        return answer  # the same answer again (a phone's repeat): nothing changes, no history
    answer.value, answer.note, answer.saved_by = value, note, by
    answer._history_user = by
    answer.save()
    return answer


def is_noncompliant(item: ChecklistItem, value) -> bool:
    """The item's rule by answer: an equal answer, or a bound {"lt": n} / {"gt": n}."""
    rule = item.noncompliant_if
    if rule is None or value in (None, "na"):
        return False
    if isinstance(rule, dict):
        if not isinstance(value, int | float):
            return False
        return ("lt" in rule and value < rule["lt"]) or ("gt" in rule and value > rule["gt"])
    return value == rule


def compute_conclusion(visit: Visit, *, items=None, answers=None) -> dict:
    """Per criterion (a, b, c) and overall, from the answers (docs/conclusion-rule.md).

    `items` (the visit's applicable items, in order) and `answers` (its answers by item
    id) spare the two queries when the caller has read them already (the visit's page)."""
    answers = ({a.item_id: a.value for a in visit.answers.all()} if answers is None
               else {item_id: answer.value for item_id, answer in answers.items()})
    per_section: dict[str, list[bool]] = {}
    for item in applicable_items(visit) if items is None else items:
        if item.noncompliant_if is None:
            continue
        value = answers.get(item.pk)
        if value in (None, "na"):
            continue
        per_section.setdefault(item.section.code, []).append(is_noncompliant(item, value))
    result = {}
    for code, marks in sorted(per_section.items()):
        failed = sum(marks)
        result[code] = COMPLIANT if failed == 0 else NONCOMPLIANT if 2 * failed >= len(marks) else PARTLY
    if result:
        values = set(result.values())
        result["overall"] = values.pop() if len(values) == 1 and values <= {COMPLIANT, NONCOMPLIANT} else PARTLY
    return result


def missing_required(visit: Visit) -> list[ChecklistItem]:
    """Required items without an answer; a "photo" item is answered by a photo attached to it."""
    answered = {a.item_id for a in visit.answers.all() if a.value is not None}
    answered |= set(visit.evidence.exclude(item=None).values_list("item_id", flat=True))
    return [item for item in applicable_items(visit) if item.required and item.pk not in answered]


def notes_missing(visit: Visit) -> list[str]:
    """Codes of the items whose answer requires a note (the checklist's rule by answer)
    that the answer lacks."""
    answers = {a.item_id: a for a in visit.answers.all()}
    return [item.code for item in applicable_items(visit)
            if item.note_required_if is not None and item.pk in answers
            and answers[item.pk].value == item.note_required_if and not answers[item.pk].note.strip()]


STATEMENT = ("shortcomings", "unit_statement", "recommendations")


@transaction.atomic
def save_statement(visit: Visit, *, by, **texts) -> Visit:
    """The team's findings and the unit's statement, written under the visit's lock while
    it can still be filled. Saved on their own, before a submission that carries them,
    so that a refused submission loses nothing typed. Side effects: those fields, with
    history."""
    visit = Visit.objects.locked().get(pk=visit.pk)
    texts = {name: value for name, value in texts.items() if name in STATEMENT}
    if visit.status not in FILLABLE or not texts:
        return visit  # e.g. a repeat of a submission already made: nothing to change
    for name, value in texts.items():
        setattr(visit, name, value)
    visit._history_user = by
    visit.save(update_fields=list(texts))
    return visit


@transaction.atomic
def submit_visit(visit: Visit, *, by, key: str) -> bool:
    """Submit the visit for review, once: the same key again (a double tap, a retried
    request, a second connection racing this one) finds it submitted and changes nothing.

    Returns True if this call submitted it. Side effects: status "submitted", who and
    when, the computed conclusion (kept if the team overrode it with a reason).
    """
    visit = Visit.objects.locked().get(pk=visit.pk)
    if visit.status == Visit.Status.SUBMITTED and visit.submission_key == key:
        return False
    refuse_if_closed(visit.campaign)
    if visit.status not in FILLABLE:
        raise ValidationError(_("This visit cannot be submitted now (%(status)s).") % {
            "status": visit.get_status_display()})
    missing = missing_required(visit)
    if missing:
        raise ValidationError(_("Answer the required questions first: %(codes)s.") % {
            "codes": ", ".join(item.code for item in missing)})
    without_photo = photos_missing(visit)
    if without_photo:
        raise ValidationError(_("These answers need a photo: %(codes)s.") % {"codes": ", ".join(without_photo)})
    without_note = notes_missing(visit)
    if without_note:
        raise ValidationError(_("These answers need a note: %(codes)s.") % {"codes": ", ".join(without_note)})
    if not visit.conclusion_override_reason:
        visit.conclusion = compute_conclusion(visit)
    visit.status, visit.submitted_at, visit.submitted_by, visit.submission_key = (
        Visit.Status.SUBMITTED, timezone.now(), by, key)
    visit._history_user = by
    visit.save()
    tell_review_step(visit, by=by)
    return True


@transaction.atomic
def approve_visit(visit: Visit, *, by) -> None:
    """The team leader approves: the visit is locked (DESIGN §3 rule 5). Side effects:
    the required corrections of a visit not fully compliant become follow-ups; an approval
    by the Inspectorate in place of the team leader says so in the visit's history."""
    visit = Visit.objects.locked().get(pk=visit.pk)
    if visit.status != Visit.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted visit can be approved."))
    visit.status, visit.reviewed_by, visit.reviewed_at = Visit.Status.APPROVED, by, timezone.now()
    visit._history_user = by
    if not leads_visit(by, visit):
        # Who approved is the history row's author; the reason fits its 100 characters.
        visit._change_reason = _("Approved by the coordinator in place of the team leader.")
    visit.save()
    open_follow_ups(visit)
    tell_review_step(visit, by=by)
    webhooks.emit(Event.VISIT_APPROVED, key=f"visit:{visit.pk}", data={
        "visit": visit.pk, "campaign": visit.campaign_id, "unit": visit.unit_id, "unit_name": visit.unit.name,
        "conclusion": visit.conclusion, "approved_at": visit.reviewed_at.isoformat()})


@transaction.atomic
def return_visit(visit: Visit, *, by, comment: str) -> None:
    """The team leader returns the visit to its team with a comment (mandatory)."""
    if not comment.strip():
        raise ValidationError(_("Say what must be corrected."))
    visit = Visit.objects.locked().get(pk=visit.pk)
    if visit.status != Visit.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted visit can be returned."))
    visit.status, visit.reviewed_by, visit.reviewed_at, visit.review_comment = (
        Visit.Status.RETURNED, by, timezone.now(), comment.strip())
    visit._history_user = by
    visit.save()
    tell_review_step(visit, by=by)


@transaction.atomic
def amend_answer(visit: Visit, *, item: ChecklistItem, raw, reason: str, by) -> Answer:
    """Change an answer of an approved visit: a reason is required and the earlier
    value stays in the answer's history with it (docs/conclusion-rule.md, "Amendments").

    Side effects: the answer; the visit's conclusion computed again from the answers
    (an overridden conclusion gives way to the computed one), old and new kept in the
    visit's history with the same reason; follow-ups opened if the visit is now short of
    compliance. The visit stays approved; an approved report keeps its frozen figures
    and says that the data changed."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for changing an approved visit."))
    visit = Visit.objects.locked().get(pk=visit.pk)
    if visit.status != Visit.Status.APPROVED:
        raise ValidationError(_("Only an approved visit is amended this way."))
    answer = Answer.objects.select_for_update().filter(visit=visit, item=item).first()
    if answer is None:
        raise ValidationError(_("This item was not answered during the visit: there is no answer to change."))
    answer.value, answer.saved_by = clean_value(item, raw), by
    answer._history_user, answer._change_reason = by, reason.strip()
    answer.save()
    conclusion = compute_conclusion(visit)
    if conclusion != visit.conclusion:
        visit.conclusion, visit.conclusion_override_reason = conclusion, ""
        visit._history_user, visit._change_reason = by, reason.strip()
        visit.save(update_fields=["conclusion", "conclusion_override_reason"])
        open_follow_ups(visit)
    return answer


FIGURES = ["staff_total", "staff_with_app", "qr_codes", "scans_last_7_days", "portal_accounts"]


@transaction.atomic
def record_figures(visit: Visit, *, figures: dict, taken_at, by) -> Visit:
    """The figures the unit reports and when they were taken (domain-facts §7: "thời
    điểm số liệu"). Side effects: the visit's figures, with history."""
    visit = Visit.objects.locked().get(pk=visit.pk)
    if visit.status not in FILLABLE:
        raise ValidationError(_("This visit cannot be changed now (%(status)s).") % {
            "status": visit.get_status_display()})
    if figures.get("staff_with_app") is not None and figures.get("staff_total") is not None and (
            figures["staff_with_app"] > figures["staff_total"]):
        raise ValidationError(_("More staff with PC-Covid than staff."))
    for field in FIGURES:
        setattr(visit, field, figures.get(field))
    visit.figures_taken_at = taken_at or timezone.now()
    visit._history_user = by
    visit.save()
    return visit


@transaction.atomic
def override_conclusion(visit: Visit, *, conclusion: dict, reason: str, by) -> Visit:
    """Replace the computed conclusion, with the reason (kept with the visit's history)."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for changing the computed conclusion."))
    allowed = set(CONCLUSION_LABELS)
    if not conclusion or any(value not in allowed for value in conclusion.values()):
        raise ValidationError(_("Choose a conclusion for each criterion."))
    visit = Visit.objects.locked().get(pk=visit.pk)
    if visit.status not in FILLABLE:
        raise ValidationError(_("This visit cannot be changed now (%(status)s).") % {
            "status": visit.get_status_display()})
    visit.conclusion, visit.conclusion_override_reason = conclusion, reason.strip()
    visit._history_user = by
    visit.save()
    return visit


@transaction.atomic
def require_correction(visit: Visit, *, description: str, deadline, by):
    """Record a correction the unit must make by a deadline (not before the visit)."""
    if visit.status not in FILLABLE:
        raise ValidationError(_("This visit cannot be changed now (%(status)s).") % {
            "status": visit.get_status_display()})
    if not description.strip():
        raise ValidationError(_("Say what the unit must correct."))
    if deadline < timezone.localtime(visit.starts_at).date():
        raise ValidationError(_("The deadline cannot be before the visit."))
    correction = Correction(visit=visit, description=description.strip(), deadline=deadline, added_by=by)
    correction._history_user = by
    correction.save()
    return correction


def _visit_value_in_words(field: str, value) -> str:
    if field == "status":
        return str(Visit.Status(value).label) if value in Visit.Status.values else str(value or "")
    if field == "conclusion":
        return conclusion_in_words(value)
    return str(value or "")


# The visit's changes and its answers', newest first: each history record against the one
# before it (lag over the record's own history), one row per field that changed (status,
# conclusion, review comment; an answer's value), with who made it and the answer's item.
# PostgreSQL compares, orders and slices, so a page of changes costs its rows whatever the
# visit's history (a returned visit's answers changed hundreds of times). The tables are
# named by their models.
VISIT_HISTORY, ANSWER_HISTORY = Visit.history.model._meta.db_table, Answer.history.model._meta.db_table
VISIT_CHANGES_SQL = f"""
WITH v AS (
  SELECT history_id, history_date, history_user_id, history_change_reason, status, conclusion, review_comment,
         lag(status) OVER w AS was_status, lag(conclusion) OVER w AS was_conclusion,
         lag(review_comment) OVER w AS was_comment, row_number() OVER w AS n
  FROM {VISIT_HISTORY} WHERE id = %(visit)s WINDOW w AS (ORDER BY history_date, history_id)),
a AS (
  SELECT history_id, history_date, history_user_id, history_change_reason, id, item_id, value,
         lag(value) OVER w AS was, row_number() OVER w AS n
  FROM {ANSWER_HISTORY} WHERE visit_id = %(visit)s
  WINDOW w AS (PARTITION BY id ORDER BY history_date, history_id)),
c AS (
  SELECT history_date, 0 AS answer, 0::bigint AS answer_id, history_id, 1 AS field_order, 'status' AS field,
         NULL::bigint AS item_id, to_jsonb(was_status) AS old, to_jsonb(status) AS new, history_user_id,
         history_change_reason FROM v WHERE n > 1 AND status IS DISTINCT FROM was_status
  UNION ALL
  SELECT history_date, 0, 0, history_id, 2, 'conclusion', NULL, was_conclusion, conclusion, history_user_id,
         history_change_reason FROM v WHERE n > 1 AND conclusion IS DISTINCT FROM was_conclusion
  UNION ALL
  SELECT history_date, 0, 0, history_id, 3, 'review_comment', NULL, to_jsonb(was_comment), to_jsonb(review_comment),
         history_user_id, history_change_reason FROM v WHERE n > 1 AND review_comment IS DISTINCT FROM was_comment
  UNION ALL
  SELECT history_date, 1, id, history_id, 0, 'answer', item_id, was, value, history_user_id, history_change_reason
  FROM a WHERE n > 1 AND value IS DISTINCT FROM was)
"""  # noqa: S608 (the models' table names)
VISIT_CHANGES_COUNT_SQL = VISIT_CHANGES_SQL + "SELECT count(*) FROM c"  # noqa: S608
VISIT_CHANGES_PAGE_SQL = VISIT_CHANGES_SQL + f"""
SELECT c.history_date, c.field, c.old::text, c.new::text, COALESCE(c.history_change_reason, ''),
       u.id, u.{User._meta.get_field(User.USERNAME_FIELD).column}, u.first_name, u.last_name,
       i.id, i.code, i.text, i.kind
FROM c LEFT JOIN {User._meta.db_table} u ON u.id = c.history_user_id
LEFT JOIN {ChecklistItem._meta.db_table} i ON i.id = c.item_id
ORDER BY c.history_date DESC, c.answer, c.answer_id, c.history_id DESC, c.field_order OFFSET %(offset)s LIMIT %(limit)s
"""  # noqa: S608 (the models' table names)


class VisitChanges(SqlRows):
    """A visit's changes in words, newest first, for a Paginator or a slice: (when, who,
    what, old, new, reason), labels of statuses, conclusions and answers in the current
    language. One query a slice (its rows, the people and the items named), one for the
    count when it is asked."""

    def __init__(self, visit: Visit):
        super().__init__()
        self.visit_id = visit.pk

    def counted(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(VISIT_CHANGES_COUNT_SQL, {"visit": self.visit_id})
            return cursor.fetchone()[0]

    def rows(self, offset: int, limit: int | None) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(VISIT_CHANGES_PAGE_SQL, {"visit": self.visit_id, "offset": offset, "limit": limit})
            return [self._in_words(*row) for row in cursor.fetchall()]

    @staticmethod
    def _in_words(when, field, old, new, reason, user_id, username, first_name, last_name,
                  item_id, code, text, kind) -> tuple:
        who = User(id=user_id, **{User.USERNAME_FIELD: username}, first_name=first_name,
                   last_name=last_name) if user_id else None
        old, new = (None if value is None else json.loads(value) for value in (old, new))
        if field == "answer":
            item = ChecklistItem(id=item_id, code=code, text=text, kind=kind)
            return (when, who, f"{code}. {text}", answer_in_words(item, old), answer_in_words(item, new), reason)
        label = str(Visit._meta.get_field(field).verbose_name)
        return (when, who, label, _visit_value_in_words(field, old), _visit_value_in_words(field, new), reason)


def visit_history(visit: Visit) -> list[tuple]:
    """Every change of the visit and its answers, newest first (`VisitChanges`)."""
    return VisitChanges(visit)[:]
