"""A visit, on the inspector's phone and for the Inspectorate: field work, photos,
figures, corrections, submission and the team leader's review."""

import hashlib
import json
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.feedback import error_text, form_error_text
from config.together import read_together
from config.validation import checked_text
from inspections import evidence, fieldwork, schedule, vocabulary
from inspections.forms import (
    CancelVisitForm,
    CorrectionForm,
    EvidenceForm,
    EvidencePlaceForm,
    FiguresForm,
    StartVisitForm,
    SubmissionForm,
    UnitNoticeForm,
)
from inspections.models import Answer, ChecklistItem, Evidence, Visit, VisitViewLog
from inspections.permissions import can_review, can_schedule, require, visit_capabilities
from inspections.views import fieldtools as fieldtools_views
from inspections.views.scope import posted_object_or_404, visit_for_team

CONCLUSION_FIELD = Visit._meta.get_field("conclusion").verbose_name
HISTORY_SHOWN = 20  # the latest changes on the visit's page; all of them on its history's pages, 50 a page


def visit_detail(request, pk):
    """The visit's page; the Inspectorate also cancels the visit or records the notice
    to the unit here (each its own action and transaction, in the service)."""
    visit = get_object_or_404(
        # Not the checklist versions: the items come by their ids (vocabulary.applicable_item_list), and
        # every table fewer in this join is planning time PostgreSQL spends on each opening.
        Visit.objects.visible_to(request.user).select_related(
            "unit__commune__parent", "unit__category", "itinerary", "campaign"), pk=pk)
    VisitViewLog.objects.record([visit], user=request.user, opened=VisitViewLog.Opened.VISIT_PAGE)
    # Only the Inspectorate sees these two forms (can_cancel): nobody else pays for building them.
    forms = {"cancel_form": CancelVisitForm(), "notice_form": UnitNoticeForm()} if can_schedule(request.user) else {}
    if request.method == "POST":
        require(can_schedule(request.user))
        act = _cancel if "cancel" in request.POST else _record_notice
        done, forms = act(request, visit, forms)
        if done:
            return redirect("inspections:visit_detail", pk=visit.pk)
    return render(request, "inspections/visit_detail.html", {**_visit_page(request.user, visit), **forms})


def visit_history(request, pk):
    """Every change of the visit and its answers, newest first, 50 a page: for whoever may see
    the visit's page (out of scope: 404), once it has been reviewed (its history begins)."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("unit"), pk=pk)
    if not vocabulary.has_history(visit):
        raise Http404
    page = Paginator(fieldwork.VisitChanges(visit), 50).get_page(request.GET.get("page"))
    return render(request, "inspections/visit_history.html", {"visit": visit, "page": page})


def _cancel(request, visit, forms):
    form = CancelVisitForm(request.POST)
    if not form.is_valid():
        return False, {**forms, "cancel_form": form}
    try:
        schedule.cancel_visit(visit, reason=form.cleaned_data["reason"], by=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return False, {**forms, "cancel_form": form}
    messages.success(request, _("Visit cancelled."))
    return True, forms


def _record_notice(request, visit, forms):
    form = UnitNoticeForm(request.POST)
    if not form.is_valid():
        return False, {**forms, "notice_form": form}
    data = form.cleaned_data
    try:
        schedule.record_unit_notice(visit, contact=data["contact"], method=data["method"], at=data["at"],
                                    by=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return False, {**forms, "notice_form": form}
    messages.success(request, _("Notice to the unit recorded."))
    return True, forms


def _questions_key(items) -> str:
    """What the photo form's question list shows (id, code, text): equal lists, equal key."""
    return hashlib.sha256("\n".join(f"{item.pk}\t{item.code}\t{item.text}" for item in items).encode()).hexdigest()


def _attach_items(photos, items) -> None:
    """Each photo's question from the items already read (the checklist's, from the process's
    cache); one query for any other (a question no longer applicable), none when all are listed."""
    listed = {item.pk: item for item in items}
    others = {photo.item_id for photo in photos if photo.item_id and photo.item_id not in listed}
    if others:
        listed.update(ChecklistItem.objects.in_bulk(others))
    for photo in photos:
        if photo.item_id:
            photo.item = listed[photo.item_id]


def _visit_page(user, visit) -> dict:
    """What the visit's page shows this person: the checklist with its answers, the
    conclusion, photos, corrections, history, and what they may do (one capability map)."""
    # The itinerary's people, once: who is on the visit, who leads it, the leader's name to sign.
    people = list(visit.itinerary.people.select_related("user")) if visit.itinerary_id else []
    capabilities = visit_capabilities(user, visit, people=people)
    # The latest changes; the rest on the history's own pages (a returned visit's answers may
    # change hundreds of times, and the page costs what it shows). One past them says there
    # are more; only then are they counted, for the link.
    changes = fieldwork.VisitChanges(visit) if vocabulary.has_history(visit) else None
    history = changes[:HISTORY_SHOWN + 1] if changes else []
    history_count = changes.count() if len(history) > HISTORY_SHOWN else len(history)
    history = history[:HISTORY_SHOWN]
    # Five short lists by one query (config/together.py): under load each round trip waits its turn.
    # The answers go into a dict: no order, so no join for Answer's default one.
    answers, photos, corrections, signatures, qr_scans = read_together(
        visit.answers.order_by(), visit.evidence.all(), visit.corrections.all(), visit.signatures.all(),
        visit.qr_scans.all())
    answers = {answer.item_id: answer for answer in answers}
    # A visit the team may start carries its checklist too, hidden until started: a phone
    # that opened it online can start and fill it offline (docs/offline.md).
    prepare = capabilities["can_fill"] or capabilities["can_start"]
    items = vocabulary.applicable_item_list(visit) if visit.status != Visit.Status.PLANNED or prepare else []
    _attach_items(photos, items)
    sections = {}
    for item in items:
        sections.setdefault(item.section, []).append((item, answers.get(item.pk)))
    figures = {**{name: getattr(visit, name) for name in fieldwork.FIGURES}, "taken_at": visit.figures_taken_at}
    computed = (list((fieldwork.compute_conclusion(visit, items=items, answers=answers) | visit.conclusion).items())
                if capabilities["can_fill"] else [])
    return {
        **capabilities, "visit": visit, "sections": sections.items(),
        "answered": sum(1 for item in items if answers.get(item.pk) and answers[item.pk].value is not None),
        "item_count": len(items), "submission_key": uuid.uuid4().hex,
        "conclusion": [(code, vocabulary.CONCLUSION_LABELS.get(value, value)) for code, value in
                       visit.conclusion.items()],
        "computed": computed,
        "computed_words": [(code, vocabulary.CONCLUSION_LABELS.get(value, value)) for code, value in computed],
        "conclusion_choices": list(vocabulary.CONCLUSION_LABELS.items()),
        "conclusion_labels_json": json.dumps({code: str(label) for code, label in vocabulary.CONCLUSION_LABELS.items()},
                                             ensure_ascii=False),
        "conclusion_codes_json": json.dumps({"compliant": vocabulary.COMPLIANT, "partly": vocabulary.PARTLY,
                                             "noncompliant": vocabulary.NONCOMPLIANT}),
        "prepare": prepare,
        "history_count": history_count, "history_shown": HISTORY_SHOWN,
        "views": visit.view_logs.select_related("user")[:20] if capabilities["can_schedule"] else [],
        "photos": photos,
        "corrections": corrections, "correction_form": CorrectionForm() if prepare else None,
        "history": history,
        # A reason on a change of the conclusion comes from an amendment (docs/conclusion-rule.md).
        "conclusion_amended": next((row for row in history if row[2] == str(CONCLUSION_FIELD) and row[5]), None),
        "figures_form": FiguresForm(initial=figures),
        # Its HTML depends on nothing but these values (and the language): cached under them.
        "figures_key": f"{timezone.get_current_timezone_name()} {sorted(figures.items())!r}",
        "evidence_form": EvidenceForm(items=vocabulary.applicable_items(visit), listed=items) if prepare else None,
        # The unbound photo form is the same for every visit with the same questions: its HTML is
        # cached under the questions it offers (template fragment cache), drawn once per process.
        "evidence_form_key": _questions_key(items) if prepare else "",
        # the signatures', the QR code's and the paper's parts
        **fieldtools_views.page_context(visit, people=people, signatures=signatures, qr_scans=qr_scans),
    }


@require_POST
def visit_start(request, pk):
    visit = visit_for_team(request, pk)
    form = StartVisitForm(request.POST)
    location = form.cleaned_data if form.is_valid() else {}
    try:
        fieldwork.start_visit(visit, by=request.user, latitude=location.get("latitude"),
                              longitude=location.get("longitude"), accuracy=location.get("accuracy"))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("inspections:visit_detail", pk=visit.pk)


@require_POST
def answer_save(request, pk, item_pk):
    """Save one answer (htmx sends each change; without JavaScript the item's own
    button does). Answers the item's fragment, or goes back to the visit."""
    visit = visit_for_team(request, pk)
    item = vocabulary.applicable_item(visit, item_pk)
    error, answer = None, None
    try:
        if "value" not in request.POST and "note" not in request.POST:
            # The item's form always sends its note: an empty request is not "clear the answer".
            raise ValidationError(_("Nothing was sent; nothing was changed."))
        answer = fieldwork.save_answer(visit, item=item, raw=request.POST.get("value"),
                                       note=checked_text(request.POST, "note"), by=request.user)
    except ValidationError as exc:
        error = error_text(exc)
    if request.headers.get("HX-Request") != "true":
        if error:
            messages.error(request, f"{item.code}: {error}")
        return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#item-{item.pk}")
    if error:
        # Show what was typed, unsaved, with the reason: nothing the inspector typed is lost.
        answer = Answer(visit=visit, item=item, value=request.POST.get("value"), note=request.POST.get("note", ""))
    return render(request, "inspections/_answer.html", {
        "visit": visit, "item": item, "answer": answer, "error": error, "can_fill": True,
        "just_saved": error is None}, status=422 if error else 200)


@require_POST
def conclusion_override(request, pk):
    visit = visit_for_team(request, pk)
    computed = fieldwork.compute_conclusion(visit)
    chosen = {code: request.POST.get(f"conclusion_{code}", "") for code in computed}
    try:
        fieldwork.override_conclusion(visit, conclusion=chosen, reason=checked_text(request.POST, "reason"),
                                      by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Conclusion changed; the reason is kept with the visit."))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#conclusion-heading")


@require_POST
def correction_add(request, pk):
    visit = visit_for_team(request, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            fieldwork.require_correction(visit, description=form.cleaned_data["description"],
                                         deadline=form.cleaned_data["deadline"], by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Correction recorded."))
    else:
        messages.error(request, form_error_text(form))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#corrections")


@require_POST
def answer_amend(request, pk):
    """Change an answer of an approved visit: the leader or the Inspectorate, with a reason."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("itinerary"), pk=pk)
    require(can_review(request.user, visit))
    item = posted_object_or_404(vocabulary.applicable_items(visit), request.POST.get("item"))
    try:
        fieldwork.amend_answer(visit, item=item, raw=request.POST.get("value"),
                               reason=checked_text(request.POST, "reason"), by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Answer changed; the earlier value and the reason are kept."))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#history")


@require_POST
def figures_save(request, pk):
    visit = visit_for_team(request, pk)
    form = FiguresForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            fieldwork.record_figures(visit, figures={f: data[f] for f in fieldwork.FIGURES}, taken_at=data["taken_at"],
                                     by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Figures saved."))
    else:
        messages.error(request, form_error_text(form))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#figures")


@require_POST
def evidence_add(request, pk):
    visit = visit_for_team(request, pk)
    form = EvidenceForm(request.POST, request.FILES, items=vocabulary.applicable_items(visit))
    # The capture moment and the phone's place, when its page sends them; a malformed one is not believed.
    place = EvidencePlaceForm(request.POST)
    sent = place.cleaned_data if place.is_valid() else {}
    if form.is_valid():
        try:
            evidence.add_evidence(visit, uploaded_file=form.cleaned_data["photo"], item=form.cleaned_data["item"],
                                  keep_metadata=form.cleaned_data["keep_metadata"], note=form.cleaned_data["note"],
                                  by=request.user, captured_at=sent.get("captured_at"), latitude=sent.get("latitude"),
                                  longitude=sent.get("longitude"))
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Photo added."))
    else:
        messages.error(request, form_error_text(form))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#evidence")


def evidence_file(request, pk):
    """A photo, only for those who may see its visit (no public media URL). Its file may
    be missing (a database restored without its media): a page that says so, not a crash."""
    photo = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    try:
        return FileResponse(photo.file.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        return render(request, "inspections/evidence_missing.html", {"photo": photo}, status=404)


@require_POST
def visit_submit(request, pk):
    visit = visit_for_team(request, pk)
    form = SubmissionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("inspections:visit_detail", pk=visit.pk)
    try:
        fieldwork.save_statement(visit, by=request.user, **form.statement())
        submitted = fieldwork.submit_visit(visit, by=request.user, key=form.cleaned_data["key"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if submitted:
            messages.success(request, _("Submitted to the team leader."))
    return redirect("inspections:visit_detail", pk=visit.pk)


@require_POST
def visit_review(request, pk):
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("itinerary"), pk=pk)
    require(can_review(request.user, visit))
    try:
        if request.POST.get("decision") == "approve":
            fieldwork.approve_visit(visit, by=request.user)
            messages.success(request, _("Visit approved and locked."))
        else:
            fieldwork.return_visit(visit, by=request.user, comment=checked_text(request.POST, "comment"))
            messages.success(request, _("Visit returned to the team."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("inspections:visit_detail", pk=visit.pk)
