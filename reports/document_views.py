"""The documents a signer receives, served from the pages that lead to them: the
schedule notice of an itinerary, the minutes of a visit, the reminder letter of a
follow-up. Each fetches its object through the scope (404 outside it) and logs the
opening of a visit's or an itinerary's document as the pages do (VisitViewLog); the
documents themselves are built in reports/documents.py."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from inspections.models import FollowUp, Itinerary, Visit, VisitViewLog
from reports.documents import (
    DOCX,
    minutes_context,
    minutes_pdf,
    paper_checklist_pdf,
    reminder_docx,
    reminder_pdf,
    schedule_notice_pdf,
)


def itinerary_notice_pdf(request, pk):
    """The printable "Thông báo lịch kiểm tra" (Decree 30/2020 layout) of one itinerary."""
    itinerary = get_object_or_404(Itinerary.objects.visible_to(request.user), pk=pk)
    # The notice lists the itinerary's visits: one log per visit, as the route sheet writes.
    listed = Visit.objects.visible_to(request.user).filter(itinerary=itinerary).exclude(status=Visit.Status.CANCELLED)
    VisitViewLog.objects.record(listed, user=request.user, opened=VisitViewLog.Opened.NOTICE_PDF)
    response = HttpResponse(schedule_notice_pdf(itinerary), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="thong-bao-lich-kiem-tra-{itinerary.date:%Y-%m-%d}.pdf"'
    return response


def visit_minutes_pdf(request, pk):
    """The inspection minutes (Biên bản kiểm tra, Decree 30/2020 layout); "DỰ THẢO" until approved."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related(
        "unit__commune__parent", "campaign", "itinerary", "checklist"), pk=pk)
    VisitViewLog.objects.record([visit], user=request.user, opened=VisitViewLog.Opened.MINUTES_PDF)
    response = HttpResponse(minutes_pdf(visit, evidence=visit.evidence.all()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-kiem-tra-{visit.pk}.pdf"'
    return response


def visit_minutes_print(request, pk):
    """The minutes as a page to print from the browser (same template and styles as the PDF)."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related(
        "unit__commune__parent", "campaign", "itinerary", "checklist"), pk=pk)
    VisitViewLog.objects.record([visit], user=request.user, opened=VisitViewLog.Opened.MINUTES_PRINT)
    return render(request, "documents/minutes.html", minutes_context(visit, evidence=visit.evidence.all()))


def visit_paper_checklist(request, pk):
    """The printable paper checklist (Phiếu kiểm tra) of a visit, carrying its code as a QR
    code: the phone's fallback (inspections/fieldtools.py), for whoever may see the visit."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related(
        "unit__commune__parent", "unit__category", "campaign__checklist", "itinerary", "checklist"), pk=pk)
    VisitViewLog.objects.record([visit], user=request.user, opened=VisitViewLog.Opened.PAPER_CHECKLIST)
    response = HttpResponse(paper_checklist_pdf(visit), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-kiem-tra-{visit.pk}.pdf"'
    return response


def follow_up_reminder(request, pk, fmt):
    """The reminder letter to the unit, as PDF or as a Word draft to finish and sign."""
    follow_up = get_object_or_404(FollowUp.objects.visible_to(request.user).select_related(
        "unit__commune__parent", "correction__visit__campaign"), pk=pk)


    if fmt not in ("pdf", "docx"):
        raise Http404
    if fmt == "docx":
        response = HttpResponse(reminder_docx(follow_up), content_type=DOCX)
    else:
        response = HttpResponse(reminder_pdf(follow_up), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="nhac-nho-{follow_up.pk}.{fmt}"'
    return response
