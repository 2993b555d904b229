import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import has_role
from config.dbrouter import reads_from_replica
from config.feedback import error_text, form_error_text
from config.keyset import keyset_page
from inspections.models import Campaign, FollowUp, Visit
from inspections.permissions import require
from inspections.vocabulary import CONCLUSION_LABELS, CONCLUSIONS
from reports import provincial, provincial_documents, services
from reports.dashboard import dashboard
from reports.documents import DOCX
from reports.forms import (
    INSPECTED,
    ApproveReportForm,
    DashboardFilterForm,
    ReportCreateForm,
    ReportTextForm,
    VisitFilterForm,
)
from reports.models import REPORT_APPROVERS, REPORT_READERS, REPORT_WRITERS, ProvincialReport
from units.workbooks import XLSX

OUTCOMES = dict(FollowUp.Outcome.choices)
APPROVED = Visit.Status.APPROVED.value  # the visits a figure counts (the filter's value in a link)
LEVEL_LABELS = {"district": gettext_lazy("District"), "commune": gettext_lazy("Commune"), "unit": gettext_lazy("Unit")}


def _campaign_for_results(request, pk) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    require(has_role(request.user, *REPORT_READERS))
    return campaign


def _moved_to_campaign(request, pk, form, name):
    """The filter form names another campaign: go to its page, keeping the other filters."""
    chosen = form.filters.get("campaign") if form.is_bound else None
    if chosen and chosen.pk != pk:
        query = request.GET.copy()
        query.pop("campaign", None)
        return redirect(f"{reverse(name, args=[chosen.pk])}?{query.urlencode()}")
    return None


AREA_ROWS_PER_PAGE = 50


def _href(base: str, query, **changes) -> str:
    """base with the page's query string, changed: a None removes a key."""
    query = query.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return f"{base}?{query.urlencode()}" if query else base


def _traced(rows, visits_url, query, key_name, drill=None) -> list[dict]:
    """Rows of a compliance table, each figure with the address of its visits and the
    row's name with the address one level down (a district clears the commune)."""
    traced = []
    for name, total, compliant, partly, noncompliant, key in rows:
        key = str(key)
        down = {key_name: key, **({"commune": None} if key_name == "district" else {})}
        figures = [(total, _href(visits_url, query, **{key_name: key}, status=APPROVED))]
        figures += [(count, _href(visits_url, query, **{key_name: key}, status=APPROVED, overall=value))
                    for count, value in zip((compliant, partly, noncompliant), CONCLUSIONS, strict=True)]
        traced.append({"name": name, "key": key, "drill": _href(drill, query, **down) if drill else "",
                       "figures": figures})
    return traced


def _never_inspected_href(filters: dict) -> str:
    """The registry's list of the units never inspected, in the dashboard's category and area
    (the unit list filters on primary keys)."""
    query = QueryDict(mutable=True)
    query["never_inspected"] = "on"
    for name in ("district", "commune", "category"):
        if filters.get(name):
            query[name] = filters[name].pk
    return f"{reverse('units:unit_list')}?{query.urlencode()}"


@reads_from_replica
def campaign_dashboard(request, pk):
    """Leadership's view of a campaign: progress, compliance, QR coverage, follow-up;
    filtered by dates and category, drilled from the province to a district, a commune,
    a unit; every figure links to the visits behind it."""
    campaign = _campaign_for_results(request, pk)
    form = DashboardFilterForm(request.GET or None, user=request.user, initial={"campaign": campaign})
    if moved := _moved_to_campaign(request, pk, form, "reports:campaign_dashboard"):
        return moved
    context = dashboard(campaign, request.user, timezone.localdate(), form if form.is_bound else None)
    # A commune's units can be hundreds: the area table (and its chart) shows them by pages.
    area_page = Paginator(context["by_area"], AREA_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows, level, query = area_page.object_list, context["level"], request.GET
    here, visits_url = request.path, reverse("reports:campaign_visits", args=[campaign.pk])
    criteria = [(code, [(count, _href(visits_url, query, status=APPROVED, **{code: value}))
                        for count, value in zip(counts, CONCLUSIONS, strict=True)])
                for code, *counts in context["criteria"]]
    context.update({
        "campaign": campaign, "form": form, "level_label": LEVEL_LABELS[context["level"]],
        "district": form.filters.get("district"), "commune": form.filters.get("commune"),
        "province_href": _href(here, query, district=None, commune=None),
        "district_href": _href(here, query, commune=None),
        "area_rows": _traced(rows, visits_url, query, level, drill=None if level == "unit" else here),
        "area_page": area_page, "area_query": _href("", query).removeprefix("?"),
        "category_rows": _traced(context["by_category"], visits_url, query, "category"),
        "criteria_rows": criteria,
        "headline_links": {
            "scheduled": _href(visits_url, query), "visited": _href(visits_url, query, status=INSPECTED),
            "approved": _href(visits_url, query, status=APPROVED),
            "never_inspected": _never_inspected_href(form.filters)},
        "progress_rows": [(day, scheduled, visited, approved, total,
                           _href(visits_url, query, date_from=f"{day:%d/%m/%Y}", date_to=f"{day:%d/%m/%Y}"))
                          for day, scheduled, visited, approved, total in context["progress"] if scheduled],
        "can_draft": has_role(request.user, *REPORT_WRITERS),
        "chart_data": {
            "progress": {"labels": [f"{day:%d/%m}" for day, *_rest in context["progress"]],
                         "visited": [row[4] for row in context["progress"]]},
            "districts": {"labels": [row[0] for row in rows], "compliant": [row[2] for row in rows],
                          "partly": [row[3] for row in rows], "noncompliant": [row[4] for row in rows]},
            "legend": {key: str(label) for key, label in CONCLUSION_LABELS.items()},
        },
    })
    return render(request, "reports/dashboard.html", context)


@reads_from_replica
def campaign_visits(request, pk):
    """The visits behind a figure of the dashboard, with the same filters."""
    campaign = _campaign_for_results(request, pk)
    form = VisitFilterForm(request.GET or None, user=request.user, initial={"campaign": campaign})
    if moved := _moved_to_campaign(request, pk, form, "reports:campaign_visits"):
        return moved
    visits = form.filter(Visit.objects.visible_to(request.user).filter(campaign=campaign))
    # Keyset pages (after=/before= the last/first row's day and id): a national campaign's
    # thousandth page costs what its first does, through the dashboard's index.
    page = keyset_page(visits.select_related("unit__commune__parent", "unit__category"), request.GET,
                       query=_href("", request.GET, after=None, before=None).lstrip("?"))
    return render(request, "reports/visit_list.html", {
        "campaign": campaign, "form": form, "page": page, "conclusions": CONCLUSION_LABELS})


# ------------------------------------------------------------------------------ the provincial report


def _report(request, pk, *, snapshot=True) -> ProvincialReport:
    """The report if the user may see it; without its snapshot for the pages that read it in
    the database (`snapshot=False`)."""
    reports = ProvincialReport.objects.visible_to(request.user).select_related("campaign", "created_by", "approved_by")
    return get_object_or_404(reports if snapshot else reports.defer("snapshot", "short_rows"), pk=pk)


@reads_from_replica
def report_list(request, pk):
    """A campaign's reports; the Inspectorate drafts a new one as of a date."""
    campaign = _campaign_for_results(request, pk)
    form = ReportCreateForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        require(has_role(request.user, *REPORT_WRITERS))
        if form.is_valid():
            try:
                report = services.create_report(campaign, as_of=form.cleaned_data["as_of"], by=request.user)
            except ValidationError as error:
                form.add_error("as_of", error)
            else:
                messages.success(request, _("Report drafted: its figures are frozen as of now."))
                return redirect("reports:report_detail", pk=report.pk)
    reports = (ProvincialReport.objects.visible_to(request.user).filter(campaign=campaign)
               .select_related("created_by", "approved_by").defer("snapshot", "digest", "short_rows"))
    return render(request, "reports/report_list.html", {
        "campaign": campaign, "form": form, "reports": reports,
        "can_draft": has_role(request.user, *REPORT_WRITERS)})


@reads_from_replica
def report_detail(request, pk):
    # The snapshot stays in the database: the tables come from the digest, the list from SQL.
    report = _report(request, pk, snapshot=False)
    digest = provincial.stored_digest(report)
    figures = provincial.Digest(digest, link=reverse("reports:report_visits", args=[report.pk]))
    form = ReportTextForm(request.POST or None, instance=report)
    if request.method == "POST":
        require(has_role(request.user, *REPORT_WRITERS))
        # Only the texts the request carries change: an absent one is not "erase".
        sent = [name for name in form.Meta.fields if name in request.POST]
        if form.is_valid() and not sent:
            form.add_error(None, _("Nothing was sent; nothing was changed."))
        elif form.is_valid():
            try:
                services.update_texts(report, by=request.user, **{name: form.cleaned_data[name] for name in sent})
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Report text saved."))
                return redirect("reports:report_detail", pk=report.pk)
    # The units short of compliance, 50 a page: only the page's rows are read and dressed.
    page = Paginator(provincial.ShortRows(report.pk, digest["short_count"]), 50).get_page(request.GET.get("page"))
    page.object_list = [
        {**row, "corrections": [{**item, "outcome_label": OUTCOMES.get(item["outcome"], _("Not followed up"))}
                                for item in row["corrections"]]}
        for row in page.object_list]
    return render(request, "reports/report_detail.html", {
        "report": report, "campaign": report.campaign, "figures": figures, "form": form,
        "short_of_compliance": page.object_list, "page": page,
        "changed": provincial.changed_since(report, request.user),
        "can_write": report.is_draft and has_role(request.user, *REPORT_WRITERS),
        "can_approve": report.is_draft and has_role(request.user, *REPORT_APPROVERS),
        "approve_form": ApproveReportForm(),
        "conclusions": CONCLUSION_LABELS,
    })


def _act(request, pk, action, allowed_roles, done: str, confirmation=None):
    """Run a service on the report; an irreversible one only with its `confirmation` form ticked."""
    report = _report(request, pk)
    require(has_role(request.user, *allowed_roles))
    if confirmation is not None and not (form := confirmation(request.POST)).is_valid():
        messages.error(request, form_error_text(form))
        return redirect("reports:report_detail", pk=report.pk)
    try:
        action(report, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect("reports:report_detail", pk=report.pk)


@require_POST
def report_retake(request, pk):
    return _act(request, pk, services.retake, REPORT_WRITERS, _("The figures have been taken again."))


@require_POST
def report_approve(request, pk):
    return _act(request, pk, services.approve, REPORT_APPROVERS,
                _("Report approved: its figures and text are now final."), confirmation=ApproveReportForm)


@reads_from_replica
def report_visits(request, pk):
    """The visits behind one figure of a report, as the snapshot holds them: PostgreSQL filters
    and slices the stored rows, so a page reads its 50 whatever the snapshot's size."""
    report = _report(request, pk, snapshot=False)
    names = provincial.Digest(provincial.stored_digest(report))
    filters = {key: request.GET[key] for key in provincial.FILTERS if request.GET.get(key)}
    page = Paginator(provincial.SnapshotRows(report.pk, filters), 50).get_page(request.GET.get("page"))
    page.object_list = [
        {**names.named(row), "day": datetime.date.fromisoformat(row["day"]).strftime("%d/%m/%Y"),
         **{f"{code}_label": CONCLUSION_LABELS.get(row[code], "") for code in provincial.CRITERIA}}
        for row in page.object_list]
    visible = set(Visit.objects.visible_to(request.user).filter(pk__in=[row["id"] for row in page.object_list])
                  .values_list("pk", flat=True))
    return render(request, "reports/report_visits.html", {
        "report": report, "campaign": report.campaign, "page": page, "visible": visible,
        "conclusions": CONCLUSION_LABELS, "query": _href("", request.GET).lstrip("?"), "filters": filters})


def report_files(request, pk):
    """The report's download buttons, or a progress note that polls (htmx) until the
    background task has built the files of the report's latest revision."""
    report = _report(request, pk, snapshot=False)  # polled every few seconds while the files are built
    provincial_documents.recover_files(report)  # a build whose worker died is queued again
    return render(request, "reports/_report_files.html", {"report": report})


def _stored(request, pk, field: str, filename: str):
    report = _report(request, pk, snapshot=False)
    if not report.files_ready:
        messages.info(request, _("The files of this report are being prepared; they will be ready in a moment."))
        return redirect("reports:report_detail", pk=report.pk)
    return FileResponse(getattr(report, field).open("rb"), as_attachment=True,
                        filename=filename.format(day=report.as_of),
                        content_type=DOCX if field == "document" else XLSX)


def report_document(request, pk):
    return _stored(request, pk, "document", "bao-cao-ket-qua-kiem-tra-{day:%Y%m%d}.docx")


def report_annex_file(request, pk):
    return _stored(request, pk, "annex", "phu-luc-bao-cao-{day:%Y%m%d}.xlsx")
