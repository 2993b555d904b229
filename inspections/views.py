import calendar
import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import DIC_READERS, DIC_STAFF, has_role
from config.feedback import error_text, form_error_text
from inspections import evidence, fieldwork, followups, services, vocabulary
from inspections.forms import (
    AcceptNomineeForm,
    CancelVisitForm,
    CorrectionForm,
    DrawForm,
    EvidenceForm,
    FiguresForm,
    FollowUpStepForm,
    ItineraryForm,
    NominationForm,
    NomineeFormSet,
    ScheduleFilterForm,
    StartVisitForm,
    UnitNoticeForm,
    VehicleForm,
    VisitLineFormSet,
    planned_visits,
)
from inspections.models import (
    Answer,
    Campaign,
    Evidence,
    FollowUp,
    Itinerary,
    Nomination,
    Organization,
    Target,
    Vehicle,
    Visit,
    VisitViewLog,
)
from inspections.permissions import can_keep_vehicles, can_schedule, is_on_visit, leads_visit, require


def _campaign(request, pk):
    return get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)


def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    from reports.dashboard import visit_figures

    figures = visit_figures(campaign, request.user)
    return render(request, "inspections/campaign_detail.html", {
        "campaign": campaign, "figures": figures, "can_schedule": can_schedule(request.user)})


def team_list(request, pk):
    """The campaign's teams: each member's position and nominating body."""
    campaign = _campaign(request, pk)
    require(has_role(request.user, *DIC_STAFF)
            or campaign.teams.filter(memberships__user=request.user).exists())
    teams = campaign.teams.prefetch_related("memberships__user", "memberships__organization")
    return render(request, "inspections/team_list.html", {
        "campaign": campaign, "teams": teams, "can_schedule": can_schedule(request.user)})


# ------------------------------------------------------------------------------ nominations


def nomination_board(request, pk):
    campaign = _campaign(request, pk)
    require(has_role(request.user, *DIC_READERS))
    expected = Organization.objects.filter(
        kind__in=[Organization.Kind.HEALTH, Organization.Kind.DISTRICT_VHTT]).select_related("district")
    received = {n.organization_id: n for n in Nomination.objects.filter(campaign=campaign).select_related("campaign")
                .annotate(nominee_count=Count("nominees"))}
    board = [(organization, received.get(organization.pk)) for organization in
             sorted(expected, key=lambda o: (o.kind != Organization.Kind.HEALTH, o.district.code if o.district else 0))]
    return render(request, "inspections/nomination_board.html", {
        "campaign": campaign, "board": board, "can_schedule": can_schedule(request.user),
        "missing": sum(1 for _org, nomination in board if nomination is None),
        "late": sum(1 for _org, nomination in board if nomination and nomination.is_late),
    })


def nomination_create(request, pk):
    campaign = _campaign(request, pk)
    require(can_schedule(request.user))
    form = NominationForm(request.POST or None)
    nominees = NomineeFormSet(request.POST or None)
    if request.method == "POST" and form.is_valid() and nominees.is_valid():
        try:
            services.record_nomination(campaign=campaign, by=request.user, nominees=[
                {key: f.cleaned_data[key] for key in ("full_name", "title", "phone", "email")}
                for f in nominees if f.cleaned_data.get("full_name")], **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Nomination recorded."))
            return redirect("inspections:nomination_board", pk=campaign.pk)
    return render(request, "inspections/nomination_form.html", {"campaign": campaign, "form": form,
                                                                "nominees": nominees})


def nomination_detail(request, pk, nomination_pk):
    campaign = _campaign(request, pk)
    require(has_role(request.user, *DIC_READERS))
    nomination = get_object_or_404(Nomination.objects.filter(campaign=campaign).select_related(
        "organization", "recorded_by"), pk=nomination_pk)
    form = AcceptNomineeForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        require(can_schedule(request.user))
        nominee = get_object_or_404(nomination.nominees, pk=request.POST.get("nominee"))
        if form.is_valid():
            try:
                membership = services.accept_nominee(
                    nominee, team=form.cleaned_data["team"], position=form.cleaned_data["position"],
                    by=request.user, site_url=request.build_absolute_uri("/").rstrip("/"))
            except ValidationError as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, _("%(name)s joined %(team)s.") % {
                    "name": nominee.full_name, "team": membership.team.name})
                return redirect("inspections:nomination_detail", pk=campaign.pk, nomination_pk=nomination.pk)
    return render(request, "inspections/nomination_detail.html", {
        "campaign": campaign, "nomination": nomination, "form": form, "can_schedule": can_schedule(request.user),
        "nominees": nomination.nominees.select_related("membership__team", "membership__user")})


# ------------------------------------------------------------------------------ targets


def target_list(request, pk):
    campaign = _campaign(request, pk)
    targets = Target.objects.visible_to(request.user).filter(campaign=campaign)
    if not has_role(request.user, *DIC_READERS):
        require(False)
    form = DrawForm(request.POST or None)
    if request.method == "POST":
        require(can_schedule(request.user))
        if form.is_valid():
            from inspections.draw import DrawParameters, draw_targets

            data = form.cleaned_data
            try:
                parameters = DrawParameters(
                    per_stratum=data["per_stratum"],
                    proportion=float(data["proportion"]) if data["proportion"] is not None else None,
                    no_qr_weight=float(data["no_qr_weight"]))
                draw = draw_targets(campaign=campaign, seed=data["seed"], parameters=parameters, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(count)s units drawn.") % {"count": len(draw.unit_ids)})
                return redirect("inspections:target_list", pk=campaign.pk)
    page = Paginator(targets.select_related("unit__commune__parent", "unit__category", "draw"), 50).get_page(
        request.GET.get("page"))
    return render(request, "inspections/target_list.html", {
        "campaign": campaign, "page": page, "form": form, "can_schedule": can_schedule(request.user),
        "draws": campaign.draws.select_related("created_by")[:5],
    })


@require_POST
def target_add(request, pk):
    """Add the units of the registry's current filters to the campaign's targets."""
    campaign = _campaign(request, pk)
    require(can_schedule(request.user))
    from units.forms import UnitFilterForm
    from units.models import Unit

    filters = UnitFilterForm(request.POST)
    if not filters.is_valid():
        messages.error(request, _("The filters could not be read; nothing was added."))
        return redirect("units:unit_list")
    added = services.add_targets(campaign=campaign, units=filters.filter(Unit.objects.visible_to(request.user)),
                                 by=request.user)
    messages.success(request, _("%(count)s units added to the targets.") % {"count": added})
    return redirect("inspections:target_list", pk=campaign.pk)


# ------------------------------------------------------------------------------ vehicles


def vehicle_list(request):
    require(can_keep_vehicles(request.user) or can_schedule(request.user))
    form = VehicleForm(request.POST or None)
    if request.method == "POST":
        require(can_keep_vehicles(request.user))
        if form.is_valid():
            form.save()
            messages.success(request, _("Vehicle saved."))
            return redirect("inspections:vehicle_list")
    return render(request, "inspections/vehicle_list.html", {
        "vehicles": Vehicle.objects.all(), "form": form, "can_edit": can_keep_vehicles(request.user)})


# ------------------------------------------------------------------------------ schedule


def schedule(request, pk):
    """The itineraries this person may see: a month calendar of the campaign period with
    a list below, filtered by district, person, vehicle, day or week."""
    campaign = _campaign(request, pk)
    visible = Itinerary.objects.visible_to(request.user).filter(campaign=campaign)
    filters = ScheduleFilterForm(request.GET or None, campaign=campaign)
    visible = filters.filter(visible)
    per_day = dict(visible.values_list("date").annotate(n=Count("id", distinct=True)).order_by())
    listed = filters.filter_period(visible)
    itineraries = (listed.select_related("vehicle").prefetch_related("people__user", "visits__unit__commune__parent")
                   .order_by("date", "departs_at"))
    page = Paginator(itineraries, 31).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "inspections/schedule.html", {
        "campaign": campaign, "page": page, "can_schedule": can_schedule(request.user), "filters": filters,
        "months": _month_grid(campaign, per_day), "query": query.urlencode(),
    })


def _month_grid(campaign, per_day):
    """[(month's first day, [[(day, in_month, count), …] per week])] for the campaign period."""
    months, month = [], campaign.starts_on.replace(day=1)
    while month <= campaign.ends_on:
        weeks = [[(day, day.month == month.month, per_day.get(day, 0)) for day in week]
                 for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)]
        months.append((month, weeks))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _itinerary_forms(request, campaign, itinerary=None):
    targets = (campaign.targets.select_related("unit").values_list("unit", flat=True))
    from units.models import Unit

    units = Unit.objects.filter(pk__in=targets).select_related("commune__parent").in_vietnamese_order()
    initial, lines = None, None
    if itinerary is not None:
        initial = {"date": itinerary.date, "departs_at": itinerary.departs_at, "returns_at": itinerary.returns_at,
                   "departure_place": itinerary.departure_place, "vehicle": itinerary.vehicle,
                   "people": list(itinerary.people.all())}
        lines = [{"unit": v.unit, "starts": v.starts_at.astimezone().time(), "ends": v.ends_at.astimezone().time()}
                 for v in itinerary.visits.exclude(status=Visit.Status.CANCELLED).select_related("unit")]
    form = ItineraryForm(request.POST or None, campaign=campaign, initial=initial)
    formset = VisitLineFormSet(request.POST or None, initial=lines or [{}] * 4,
                               form_kwargs={"targets": units}, prefix="visits")
    if request.method == "GET" and not lines:
        formset = VisitLineFormSet(initial=None, form_kwargs={"targets": units}, prefix="visits")
        formset.extra = 4
    return form, formset


def itinerary_edit(request, pk, itinerary_pk=None):
    campaign = _campaign(request, pk)
    itinerary = None
    if itinerary_pk is not None:
        itinerary = get_object_or_404(Itinerary.objects.visible_to(request.user).filter(campaign=campaign),
                                      pk=itinerary_pk)
    require(can_schedule(request.user))
    form, formset = _itinerary_forms(request, campaign, itinerary)
    check = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        saved, check = services.save_itinerary(
            campaign=campaign, date=data["date"], departs_at=data["departs_at"], returns_at=data["returns_at"],
            vehicle=data["vehicle"], people=data["people"], visits=planned_visits(formset, data["date"]),
            departure_place=data["departure_place"], itinerary=itinerary, by=request.user,
            warnings_confirmed=data["confirm_warnings"])
        if saved is not None:
            messages.success(request, _("Itinerary saved."))
            return redirect("inspections:itinerary_detail", pk=saved.pk)
    return render(request, "inspections/itinerary_form.html", {
        "campaign": campaign, "form": form, "formset": formset, "check": check, "itinerary": itinerary})


def itinerary_detail(request, pk):
    itinerary = get_object_or_404(
        Itinerary.objects.visible_to(request.user).select_related("campaign", "vehicle", "confirmed_by"), pk=pk)
    visits = list(Visit.objects.visible_to(request.user).filter(itinerary=itinerary).select_related(
        "unit__commune__parent").order_by("position"))
    # Opening the itinerary reads its in-app notice.
    itinerary.notices.filter(recipient=request.user, channel="in_app", read_at__isnull=True).update(
        read_at=timezone.now())
    # The route sheet shows its visits: each showing is logged like an opened visit.
    VisitViewLog.objects.bulk_create([VisitViewLog(visit=visit, user=request.user) for visit in visits
                                      if visit.status != Visit.Status.PLANNED])
    return render(request, "inspections/itinerary_detail.html", {
        "itinerary": itinerary, "visits": visits,
        "people": itinerary.people.select_related("user", "organization"),
        "notices": itinerary.notices.select_related("recipient", "sent_by")[:50] if can_schedule(request.user) else [],
        "can_schedule": can_schedule(request.user), "can_confirm": can_keep_vehicles(request.user),
    })


def itinerary_notice_pdf(request, pk):
    """The printable "Thông báo lịch kiểm tra" (Decree 30/2020 layout) of one itinerary."""
    itinerary = get_object_or_404(Itinerary.objects.visible_to(request.user), pk=pk)
    from reports.documents import schedule_notice_pdf

    response = HttpResponse(schedule_notice_pdf(itinerary), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="thong-bao-lich-kiem-tra-{itinerary.date:%Y-%m-%d}.pdf"'
    return response


@require_POST
def itinerary_send(request, pk):
    itinerary = get_object_or_404(Itinerary.objects.visible_to(request.user), pk=pk)
    require(can_schedule(request.user))
    try:
        count = services.send_schedule(itinerary, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Schedule sent to %(count)s people.") % {"count": count})
    return redirect("inspections:itinerary_detail", pk=itinerary.pk)


@require_POST
def itinerary_confirm(request, pk):
    itinerary = get_object_or_404(Itinerary.objects.visible_to(request.user), pk=pk)
    require(can_keep_vehicles(request.user))
    try:
        services.confirm_itinerary(itinerary, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Vehicle confirmed."))
    return redirect("inspections:itinerary_detail", pk=itinerary.pk)


def visit_detail(request, pk):
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user).select_related(
            "unit__commune__parent", "unit__category", "itinerary", "campaign__checklist", "checklist"), pk=pk)
    if visit.status != Visit.Status.PLANNED:
        VisitViewLog.objects.create(visit=visit, user=request.user)  # who opened a scheduled visit, and when
    cancel_form, notice_form = CancelVisitForm(), UnitNoticeForm()
    if request.method == "POST":
        require(can_schedule(request.user))
        with transaction.atomic():
            if "cancel" in request.POST:
                cancel_form = CancelVisitForm(request.POST)
                if cancel_form.is_valid():
                    services.cancel_visit(visit, reason=cancel_form.cleaned_data["reason"], by=request.user)
                    messages.success(request, _("Visit cancelled."))
                    return redirect("inspections:visit_detail", pk=visit.pk)
            else:
                notice_form = UnitNoticeForm(request.POST)
                if notice_form.is_valid():
                    data = notice_form.cleaned_data
                    services.record_unit_notice(visit, contact=data["contact"], method=data["method"], at=data["at"],
                                                by=request.user)
                    messages.success(request, _("Notice to the unit recorded."))
                    return redirect("inspections:visit_detail", pk=visit.pk)
    on_visit = is_on_visit(request.user, visit)
    answers = {answer.item_id: answer for answer in visit.answers.all()}
    items = list(vocabulary.applicable_items(visit)) if visit.status != Visit.Status.PLANNED else []
    sections = {}
    for item in items:
        sections.setdefault(item.section, []).append((item, answers.get(item.pk)))
    return render(request, "inspections/visit_detail.html", {
        "visit": visit, "can_schedule": can_schedule(request.user), "cancel_form": cancel_form,
        "notice_form": notice_form, "on_visit": on_visit, "sections": sections.items(),
        "can_fill": on_visit and visit.status in vocabulary.FILLABLE,
        "can_review": visit.status == Visit.Status.SUBMITTED and (
            leads_visit(request.user, visit) or can_schedule(request.user)),
        "answered": sum(1 for item in items if answers.get(item.pk) and answers[item.pk].value is not None),
        "item_count": len(items), "submission_key": uuid.uuid4().hex,
        "conclusion": [(code, vocabulary.CONCLUSION_LABELS.get(value, value)) for code, value in
                       visit.conclusion.items()],
        "computed": (list((fieldwork.compute_conclusion(visit) | visit.conclusion).items())
                     if on_visit and visit.status in vocabulary.FILLABLE else []),
        "conclusion_choices": list(vocabulary.CONCLUSION_LABELS.items()),
        "views": visit.view_logs.select_related("user")[:20] if can_schedule(request.user) else [],
        "photos": visit.evidence.select_related("item"),
        "corrections": visit.corrections.all(), "correction_form": CorrectionForm(),
        "history": fieldwork.visit_history(visit) if visit.status in (Visit.Status.APPROVED, Visit.Status.RETURNED,
                                                                      Visit.Status.SUBMITTED) else [],
        "can_amend": visit.status == Visit.Status.APPROVED and (
            leads_visit(request.user, visit) or can_schedule(request.user)),
        "figures_form": FiguresForm(initial={**{f: getattr(visit, f) for f in fieldwork.FIGURES},
                                             "taken_at": visit.figures_taken_at}),
        "evidence_form": (EvidenceForm(items=vocabulary.applicable_items(visit))
                          if on_visit and visit.status in vocabulary.FILLABLE else None),
    })


def _visit_for_team(request, pk):
    """The visit, for the people travelling on it: others who may see it get 403."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("campaign", "unit"), pk=pk)
    require(is_on_visit(request.user, visit))
    return visit


@require_POST
def visit_start(request, pk):
    visit = _visit_for_team(request, pk)
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
    visit = _visit_for_team(request, pk)
    item = get_object_or_404(vocabulary.applicable_items(visit), pk=item_pk)
    error, answer = None, None
    try:
        answer = fieldwork.save_answer(visit, item=item, raw=request.POST.get("value"),
                                       note=request.POST.get("note", ""), by=request.user)
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


def visit_minutes_pdf(request, pk):
    """The inspection minutes (Biên bản kiểm tra, Decree 30/2020 layout); "DỰ THẢO" until approved."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related(
        "unit__commune__parent", "campaign", "itinerary", "checklist"), pk=pk)
    from reports.documents import minutes_pdf

    response = HttpResponse(minutes_pdf(visit, evidence=visit.evidence.all()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-kiem-tra-{visit.pk}.pdf"'
    return response


def visit_minutes_print(request, pk):
    """The minutes as a page to print from the browser (same template and styles as the PDF)."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related(
        "unit__commune__parent", "campaign", "itinerary", "checklist"), pk=pk)
    from reports.documents import minutes_context

    return render(request, "documents/minutes.html", minutes_context(visit, evidence=visit.evidence.all()))


@require_POST
def conclusion_override(request, pk):
    visit = _visit_for_team(request, pk)
    computed = fieldwork.compute_conclusion(visit)
    chosen = {code: request.POST.get(f"conclusion_{code}", "") for code in computed}
    try:
        fieldwork.override_conclusion(visit, conclusion=chosen, reason=request.POST.get("reason", ""),
                                      by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Conclusion changed; the reason is kept with the visit."))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#conclusion-heading")


@require_POST
def correction_add(request, pk):
    visit = _visit_for_team(request, pk)
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
    require(leads_visit(request.user, visit) or can_schedule(request.user))
    item = get_object_or_404(vocabulary.applicable_items(visit), pk=request.POST.get("item") or 0)
    try:
        fieldwork.amend_answer(visit, item=item, raw=request.POST.get("value"), reason=request.POST.get("reason", ""),
                               by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Answer changed; the earlier value and the reason are kept."))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#history")


@require_POST
def figures_save(request, pk):
    visit = _visit_for_team(request, pk)
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
    visit = _visit_for_team(request, pk)
    form = EvidenceForm(request.POST, request.FILES, items=vocabulary.applicable_items(visit))
    if form.is_valid():
        try:
            evidence.add_evidence(visit, uploaded_file=form.cleaned_data["photo"], item=form.cleaned_data["item"],
                                  keep_metadata=form.cleaned_data["keep_metadata"], note=form.cleaned_data["note"],
                                  by=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Photo added."))
    else:
        messages.error(request, form_error_text(form))
    return redirect(f"{reverse('inspections:visit_detail', args=[visit.pk])}#evidence")


def evidence_file(request, pk):
    """A photo, only for those who may see its visit (no public media URL)."""
    photo = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    return FileResponse(photo.file.open("rb"), content_type="image/jpeg")


@require_POST
def visit_submit(request, pk):
    visit = _visit_for_team(request, pk)
    try:
        fieldwork.save_statement(visit, by=request.user,
                                 **{name: request.POST[name] for name in fieldwork.STATEMENT if name in request.POST})
        submitted = fieldwork.submit_visit(visit, by=request.user, key=request.POST.get("key", ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if submitted:
            messages.success(request, _("Submitted to the team leader."))
    return redirect("inspections:visit_detail", pk=visit.pk)


@require_POST
def visit_review(request, pk):
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("itinerary"), pk=pk)
    require(leads_visit(request.user, visit) or can_schedule(request.user))
    try:
        if request.POST.get("decision") == "approve":
            fieldwork.approve_visit(visit, by=request.user)
            messages.success(request, _("Visit approved and locked."))
        else:
            fieldwork.return_visit(visit, by=request.user, comment=request.POST.get("comment", ""))
            messages.success(request, _("Visit returned to the team."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("inspections:visit_detail", pk=visit.pk)





# ------------------------------------------------------------------------------ follow-up


def follow_up_list(request):
    """Units to urge, remind or deal with; overdue first when asked."""
    follow_ups = FollowUp.objects.visible_to(request.user)
    require(has_role(request.user, *DIC_READERS))
    today = timezone.localdate()
    shown = request.GET.get("show", "open")
    if shown == "overdue":
        follow_ups = follow_ups.overdue(today)
    elif shown == "open":
        follow_ups = follow_ups.filter(outcome=FollowUp.Outcome.OPEN)
    follow_ups = follow_ups.annotate(is_late=ExpressionWrapper(FollowUp.overdue_on(today), BooleanField()))
    page = Paginator(follow_ups.select_related("unit__commune__parent", "correction__visit"), 50).get_page(
        request.GET.get("page"))
    return render(request, "inspections/follow_up_list.html", {
        "page": page, "shown": shown, "query": f"show={shown}",
        "overdue_count": FollowUp.objects.visible_to(request.user).overdue(today).count()})


def follow_up_detail(request, pk):
    follow_up = get_object_or_404(FollowUp.objects.visible_to(request.user).select_related(
        "unit__commune__parent", "correction__visit__campaign", "closed_by"), pk=pk)
    form = FollowUpStepForm(request.POST or None)
    if request.method == "POST":
        require(can_schedule(request.user))
        try:
            if "outcome" in request.POST:
                followups.close_follow_up(follow_up, outcome=request.POST["outcome"], by=request.user)
                messages.success(request, _("Outcome recorded."))
                return redirect("inspections:follow_up_detail", pk=follow_up.pk)
            if form.is_valid():
                data = form.cleaned_data
                followups.record_step(follow_up, kind=data["kind"], date=data["date"], by=request.user,
                                      note=data["note"], evidence=data["evidence"],
                                      competent_body=data["competent_body"], new_deadline=data["new_deadline"])
                messages.success(request, _("Step recorded."))
                return redirect("inspections:follow_up_detail", pk=follow_up.pk)
        except ValidationError as error:
            form.add_error(None, error)
    return render(request, "inspections/follow_up_detail.html", {
        "follow_up": follow_up, "form": form, "can_act": can_schedule(request.user),
        "steps": follow_up.steps.select_related("acted_by", "visit"),
        "is_late": follow_up.is_overdue(timezone.localdate())})


def follow_up_reminder(request, pk, fmt):
    """The reminder letter to the unit, as PDF or as a Word draft to finish and sign."""
    follow_up = get_object_or_404(FollowUp.objects.visible_to(request.user).select_related(
        "unit__commune__parent", "correction__visit__campaign"), pk=pk)
    from reports.documents import DOCX, reminder_docx, reminder_pdf

    if fmt not in ("pdf", "docx"):
        raise Http404
    if fmt == "docx":
        response = HttpResponse(reminder_docx(follow_up), content_type=DOCX)
    else:
        response = HttpResponse(reminder_pdf(follow_up), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="nhac-nho-{follow_up.pk}.{fmt}"'
    return response
