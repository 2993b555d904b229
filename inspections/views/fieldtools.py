"""The field tools' pages (inspections/fieldtools.py): the signatures and the QR code
read at the door, each a part of the visit's page with a form that works without
JavaScript (the page's script sends through the phone's outbox, or the API, instead);
the paper fallback's transcription, found by the code printed on the paper."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import display_name
from config.feedback import error_text, form_error_text
from config.validation import checked_text
from inspections import fieldtools, fieldwork, vocabulary
from inspections.forms import PaperStartForm, QrScanForm, SignatureForm, VisitCodeForm
from inspections.models import ChecklistItem, Signature, TeamMembership, Visit
from inspections.views.scope import visit_for_team


def page_context(visit: Visit, *, people, signatures, qr_scans) -> dict:
    """What the visit's page parts _signatures.html and _qr_scan.html show, from what the page
    has read: the itinerary's memberships with their users (in their order), the visit's
    signatures and QR codes read."""
    signed = {signature.role: signature for signature in signatures}
    leader = next((member for member in people if member.position == TeamMembership.Position.LEADER), None)
    defaults = {Signature.Role.UNIT_REPRESENTATIVE: visit.unit.representative_name.strip(),
                Signature.Role.TEAM_LEADER: display_name(leader.user) if leader else ""}
    return {
        "signature_roles": [{"code": code, "label": label, "signature": signed.get(code), "default": defaults[code]}
                            for code, label in Signature.Role.choices],
        "qr_scans": [(scan, fieldtools.qr_scan_in_words(scan)) for scan in qr_scans],
    }


@require_POST
def signature_save(request, pk):
    """A signature sent by the page's form (a photo of it, without JavaScript; the
    drawing pad sends through the API)."""
    visit = visit_for_team(request, pk)
    form = SignatureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            fieldtools.save_signature(visit, role=form.cleaned_data["role"], signer_name=form.cleaned_data[
                "signer_name"], image_file=form.cleaned_data["image"], by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Signature saved."))
    else:
        messages.error(request, form_error_text(form))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#signatures")


def signature_file(request, pk):
    """A signature's image, only for those who may see its visit."""
    signature = get_object_or_404(Signature.objects.visible_to(request.user), pk=pk)
    try:
        return FileResponse(signature.image.open("rb"), content_type="image/png")
    except FileNotFoundError as error:
        raise Http404 from error


@require_POST
def qr_scan_save(request, pk):
    """The code read at the door, typed on the page (the camera's code comes through the API)."""
    visit = visit_for_team(request, pk)
    form = QrScanForm(request.POST)
    if form.is_valid():
        try:
            scan = fieldtools.record_qr_scan(visit, code=form.cleaned_data["code"],
                                             method=form.cleaned_data["method"] or "typed", by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, fieldtools.qr_scan_in_words(scan))
    else:
        messages.error(request, form_error_text(form))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#qr-scan")


def transcribe_start(request):
    """"Nhập phiếu giấy": the code printed on a paper checklist, typed or scanned, leads to
    its visit; a code the product did not print is said to be wrong, a visit outside the
    person's scope is not found."""
    form = VisitCodeForm(request.POST or request.GET or None)
    if form.is_bound and form.is_valid():
        pk = fieldtools.visit_pk_from_code(form.cleaned_data["code"])
        if pk is None:
            form.add_error("code", _("“%(code)s” is not the code of a paper checklist: check the code printed "
                                     "under its QR code (like KT-123-ABCD2345).") % {"code": form.cleaned_data["code"]})
        else:
            visit = get_object_or_404(Visit.objects.visible_to(request.user), pk=pk)
            return redirect("inspections:transcribe_visit", pk=visit.pk)
    return render(request, "inspections/transcribe_start.html", {"form": form})


def _typed_answers(request, items):
    """The answers the transcription form sent, each checked as the service will: (entries
    for the service, what was typed per item, the refusals per item). An item the form did
    not send is left as it is."""
    entries, typed, errors = [], {}, {}
    for item in items:
        if f"value-{item.pk}" not in request.POST and f"note-{item.pk}" not in request.POST:
            continue
        raw, note = request.POST.get(f"value-{item.pk}", ""), request.POST.get(f"note-{item.pk}", "")
        typed[item.pk] = (raw, note)
        if item.kind == ChecklistItem.Kind.PHOTO:
            continue  # a photo is added on the visit's page
        try:
            fieldwork.clean_value(item, raw)
            entries.append((item, raw, checked_text(request.POST, f"note-{item.pk}").strip()))
        except ValidationError as error:
            errors[item.pk] = error_text(error)
    return entries, typed, errors


def transcribe_visit(request, pk):
    """The answers of a paper checklist typed in, item by item, for the people on the
    visit; saved all at once (one refused answer saves none and shows beside its field,
    with what was typed), and the visit marked as transcribed by this person."""
    visit = visit_for_team(request, pk)
    items = list(vocabulary.applicable_items(visit))
    start_form = PaperStartForm(request.POST or None)
    entries, typed, errors = _typed_answers(request, items) if request.method == "POST" else ([], {}, {})
    if request.method == "POST" and errors:
        messages.error(request, _("Some answers are refused; nothing was saved. See the messages beside them."))
    elif request.method == "POST" and start_form.is_valid():
        started = start_form.cleaned_data.get("started_time")
        started_at = (datetime.datetime.combine(timezone.localtime(visit.starts_at).date(), started,
                                                tzinfo=timezone.get_current_timezone()) if started else None)
        try:
            changed = fieldtools.transcribe_paper(visit, entries=entries, started_at=started_at, by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if changed:
                messages.success(request, _("Answers from the paper checklist saved: %(count)s. Add the figures, the "
                                            "statement and the signatures on the visit's page.") % {"count": changed})
                return redirect("inspections:visit_detail", pk=visit.pk)
            messages.info(request, _("Nothing was entered; nothing was changed."))
    answers = {answer.item_id: answer for answer in visit.answers.all()}
    rows = []
    for item in items:
        answer = answers.get(item.pk)
        raw, note = typed.get(item.pk, (answer.value if answer and answer.value is not None else "",
                                        answer.note if answer else ""))
        rows.append({"item": item, "value": str(raw), "note": note, "error": errors.get(item.pk, "")})
    return render(request, "inspections/transcribe_visit.html", {
        "visit": visit, "rows": rows, "start_form": start_form, "needs_start": vocabulary.can_start(visit),
        "can_transcribe": vocabulary.can_start(visit) or vocabulary.is_fillable(visit),
        "yes_no": list(vocabulary.YES_NO_LABELS.items()), "code": fieldtools.visit_code(visit)})
