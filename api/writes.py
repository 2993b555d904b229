"""The write endpoints of field work, the same the phone's outbox can use. Each fetches
the visit through its scope (404), checks that the caller travels on it (403), then
calls the service that the page calls (inspections/fieldwork.py, evidence.py) under an
`Idempotency-Key` (api/idempotency.py): the same key again answers the first answer and
applies nothing twice.

A service's refusal is answered with its message (config.feedback.error_text): 409 when
the visit's state forbids the change now (submitted, approved and locked, cancelled),
422 when the request itself is refused (an answer of the wrong kind, required answers
missing, a file that is not a photo), with `fields` naming the fields at fault.

A phone that was offline may be writing over a world that moved on. It says what it
last saw, and is told of a conflict (409 with `conflict`) instead of being applied:
the visit's status in the `X-Visit-Status` header (the leader returned, approved or
the Inspectorate cancelled the visit meanwhile), and an answer's `base` (another member
changed the same item). A caller that sends neither is not checked (docs/offline.md)."""

import datetime

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Router, UploadedFile

from accounts.roles import display_name
from api import idempotency
from api.reads import visits
from api.schemas import (
    AnswerIn,
    AnswerOut,
    CorrectionIn,
    CorrectionOut,
    ErrorOut,
    EvidenceOut,
    FiguresIn,
    FiguresOut,
    StartIn,
    StatementIn,
    StatementOut,
    SubmissionOut,
    VisitOut,
)
from config.feedback import error_text
from inspections import evidence, fieldwork, vocabulary
from inspections.models import Answer, Visit
from inspections.views.scope import visit_for_team  # the pages' own first line: 404 outside, 403 off the visit

router = Router(tags=["field work"])
REFUSALS = frozenset({400, 401, 403, 404, 409, 422})
KEY = Header(..., alias="Idempotency-Key", min_length=1, max_length=64,
             description="Any unique string (e.g. a UUID) per change; a retry sends the same one.")


SEEN_STATUS = Header(None, alias="X-Visit-Status", description=(
    "The visit's status the caller last saw (e.g. in_progress); if it has changed since, nothing is "
    "written and the answer is 409 with `conflict.status`."))


def refused(visit: Visit, error: ValidationError) -> tuple[int, dict]:
    current = Visit.objects.only("status").get(pk=visit.pk)
    body = {"detail": error_text(error)}
    if hasattr(error, "error_dict"):
        body["fields"] = {name: error_text(ValidationError(errors)) for name, errors in error.error_dict.items()}
    return (422 if vocabulary.is_fillable(current) else 409), body


def status_conflict(visit: Visit, seen: str | None) -> tuple[int, dict] | None:
    """409 if the visit is no longer in the status the caller saw, with what it is now (read
    again here, inside the key's lock: the visit fetched before it may be stale)."""
    if not seen:
        return None
    current = Visit.objects.only("status", "review_comment", "status_reason").get(pk=visit.pk)
    if seen == current.status:
        return None
    return 409, {"detail": _("The visit changed while you were offline: it is now “%(status)s”.") % {
        "status": current.get_status_display()},
        "conflict": {"status": {"code": current.status, "label": str(current.get_status_display()),
                                "comment": current.review_comment or current.status_reason,
                                "fillable": vocabulary.is_fillable(current)}}}


def answered(status: int, body: dict) -> JsonResponse:
    """The stored answer as it was first sent (already in its schema's JSON form)."""
    return JsonResponse(body, status=status)


def _run(request, key, visit, write, schema, status=200, seen=None, check=None):
    """Apply `write` once per key: unless the visit's status moved from `seen`, or
    `check()` finds a conflict; a service's refusal answered with its message."""
    def attempt():
        conflict = status_conflict(visit, seen) or (check() if check else None)
        if conflict:
            return conflict
        try:
            return status, schema.from_orm(write()).model_dump(mode="json")
        except ValidationError as error:
            return refused(visit, error)
    return answered(*idempotency.once(request, key, attempt))


@router.post("/visits/{visit_id}/start", response={200: VisitOut, REFUSALS: ErrorOut})
def visit_start(request, visit_id: int, payload: StartIn, idempotency_key: str = KEY):
    """Start the visit on site: where the phone was (if it said) and when (a phone that was
    offline sends the moment it started; kept if it is credible)."""
    visit = visit_for_team(request, visit_id)

    def write():
        fieldwork.start_visit(visit, by=request.user, latitude=payload.latitude, longitude=payload.longitude,
                              accuracy=payload.accuracy, at=payload.started_at)
        return visits(request).get(pk=visit.pk)
    return _run(request, idempotency_key, visit, write, VisitOut)


@router.post("/visits/{visit_id}/answers", response={200: AnswerOut, REFUSALS: ErrorOut})
def answer_save(request, visit_id: int, payload: AnswerIn, idempotency_key: str = KEY,
                x_visit_status: str | None = SEEN_STATUS):
    """Save one answer of the checklist (created or changed, with history)."""
    visit = visit_for_team(request, visit_id)
    item = vocabulary.applicable_item(visit, payload.item_id)

    def changed_by_another():
        """The stored answer, if it is not the one the caller last saw (`base`) and differs."""
        if "base" not in payload.model_fields_set:
            return None
        stored = Answer.objects.filter(visit=visit, item=item).select_related("item", "saved_by").first()
        if stored is None or stored.saved_at == payload.base:
            return None
        try:
            same = stored.value == fieldwork.clean_value(item, payload.value) and stored.note == payload.note
        except ValidationError:
            same = False
        if same:
            return None
        return 409, {"detail": _("%(code)s was changed by %(who)s at %(when)s.") % {
            "code": item.code, "who": display_name(stored.saved_by),
            "when": timezone.localtime(stored.saved_at).strftime("%H:%M %d/%m/%Y")},
            "conflict": {"answer": AnswerOut.from_orm(stored).model_dump(mode="json")}}

    return _run(request, idempotency_key, visit, lambda: fieldwork.save_answer(
        visit, item=item, raw=payload.value, note=payload.note, by=request.user), AnswerOut,
        seen=x_visit_status, check=changed_by_another)


@router.post("/visits/{visit_id}/figures", response={200: FiguresOut, REFUSALS: ErrorOut})
def figures_save(request, visit_id: int, payload: FiguresIn, idempotency_key: str = KEY,
                 x_visit_status: str | None = SEEN_STATUS):
    """The unit's figures and when they were taken (all five replace the earlier ones)."""
    visit = visit_for_team(request, visit_id)
    figures = payload.model_dump(exclude={"taken_at"})
    return _run(request, idempotency_key, visit, lambda: fieldwork.record_figures(
        visit, figures=figures, taken_at=payload.taken_at, by=request.user), FiguresOut, seen=x_visit_status)


@router.post("/visits/{visit_id}/statement", response={200: StatementOut, REFUSALS: ErrorOut})
def statement_save(request, visit_id: int, payload: StatementIn, idempotency_key: str = KEY,
                   x_visit_status: str | None = SEEN_STATUS):
    """The team's findings and the unit's statement; the fields left out stay as they are."""
    visit = visit_for_team(request, visit_id)
    texts = payload.model_dump(exclude_none=True)

    def write():
        # save_statement leaves a visit that can no longer be filled as it is (a repeated
        # submission on the page); here the caller is told, with the services' refusal.
        if not vocabulary.is_fillable(visit):
            raise ValidationError(_("This visit cannot be changed now (%(status)s).") % {
                "status": visit.get_status_display()})
        return fieldwork.save_statement(visit, by=request.user, **texts)
    return _run(request, idempotency_key, visit, write, StatementOut, seen=x_visit_status)


@router.post("/visits/{visit_id}/corrections", response={201: CorrectionOut, REFUSALS: ErrorOut})
def correction_add(request, visit_id: int, payload: CorrectionIn, idempotency_key: str = KEY,
                   x_visit_status: str | None = SEEN_STATUS):
    """A correction the unit must make, with its deadline (not before the visit)."""
    visit = visit_for_team(request, visit_id)
    return _run(request, idempotency_key, visit, lambda: fieldwork.require_correction(
        visit, description=payload.description, deadline=payload.deadline, by=request.user), CorrectionOut,
        status=201, seen=x_visit_status)


@router.post("/visits/{visit_id}/evidence", response={201: EvidenceOut, REFUSALS: ErrorOut})
def evidence_add(request, visit_id: int, photo: File[UploadedFile], item_id: Form[int | None] = None,
                 keep_metadata: Form[bool] = False, note: Form[str] = "",
                 captured_at: Form[datetime.datetime | None] = None,
                 latitude: Form[float | None, dict(ge=-90, le=90)] = None,
                 longitude: Form[float | None, dict(ge=-180, le=180)] = None, idempotency_key: str = KEY):
    """A photo (multipart/form-data), checked, downscaled to 1,600 px and hashed. Its time:
    the photo's EXIF DateTimeOriginal, else `captured_at` (the moment the phone took it,
    believed from the start of the visit's day until now), else the upload; its place: the
    photo's EXIF GPS with `keep_metadata`, else `latitude` and `longitude` if sent (both)."""
    visit = visit_for_team(request, visit_id)
    item = get_object_or_404(vocabulary.applicable_items(visit), pk=item_id) if item_id else None
    return _run(request, idempotency_key, visit, lambda: evidence.add_evidence(
        visit, uploaded_file=photo, item=item, keep_metadata=keep_metadata, note=note, by=request.user,
        captured_at=captured_at, latitude=latitude, longitude=longitude), EvidenceOut, status=201)


@router.post("/visits/{visit_id}/submit", response={200: SubmissionOut, REFUSALS: ErrorOut})
def visit_submit(request, visit_id: int, idempotency_key: str = KEY, x_visit_status: str | None = SEEN_STATUS):
    """Submit the visit to the team leader, once: the key is the submission's key
    (inspections/fieldwork.py: submit_visit)."""
    visit = visit_for_team(request, visit_id)

    def attempt():
        conflict = status_conflict(visit, x_visit_status)
        if conflict:
            return conflict
        try:
            submitted = fieldwork.submit_visit(visit, by=request.user, key=idempotency_key)
        except ValidationError as error:
            return refused(visit, error)
        fresh = visits(request).get(pk=visit.pk)
        return 200, {"submitted": submitted, "visit": VisitOut.from_orm(fresh).model_dump(mode="json")}
    return answered(*idempotency.once(request, idempotency_key, attempt))
