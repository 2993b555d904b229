from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from config.dbrouter import reads_from_replica
from config.feedback import error_text
from inspections.models import Campaign, FollowUp, Target, Visit
from inspections.permissions import can_schedule
from units import history, imports, reconciliation, services, workbooks
from units.exporters import UnitExporter, xlsx_response
from units.forms import CategorySynonymForm, ImportConfirmForm, ImportUploadForm, UnitFilterForm, UnitForm
from units.models import CategorySynonym, ImportBatch, ImportRow, Unit, UnitCategory
from units.permissions import can_edit_registry, require_registry_administrator, require_registry_editor

PAGE_SIZE = 50
IN_PROGRESS = (ImportBatch.Status.UPLOADED, ImportBatch.Status.PARSING, ImportBatch.Status.COMMITTING)


def _filtered_units(request):
    form = UnitFilterForm(request.GET or None)
    return form, form.filter(Unit.objects.visible_to(request.user))


def unit_list(request):
    form, units = _filtered_units(request)
    # A search lists the best match first (issue #14), a plain list in Vietnamese order.
    page = Paginator(
        units.select_related("category", "commune__parent").by_relevance(form.query()), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    per_district = (units.values("commune__parent__name", "commune__parent__code")
                    .annotate(n=Count("id")).order_by("commune__parent__code"))
    query = request.GET.copy()
    query.pop("page", None)
    campaigns = (Campaign.objects.visible_to(request.user).filter(status=Campaign.Status.ACTIVE)
                 if can_schedule(request.user) else Campaign.objects.none())
    return render(request, "units/unit_list.html", {
        "form": form, "search": form.query(), "page": page, "per_district": per_district, "query": query.urlencode(),
        "can_edit": can_edit_registry(request.user), "target_campaigns": list(campaigns),
        "unfiltered": not form.is_filtered(),
        "filter_values": [(key, value) for key, values in query.lists() for value in values],
    })


def unit_detail(request, pk):
    unit = get_object_or_404(
        Unit.objects.visible_to(request.user).select_related(
            "category", "commune__parent", "created_by", "updated_by", "source_import"), pk=pk)
    visits = (Visit.objects.visible_to(request.user).filter(unit=unit).select_related("campaign")
              .order_by("-starts_at"))
    targets = Target.objects.visible_to(request.user).filter(unit=unit).select_related("campaign", "draw")
    return render(request, "units/unit_detail.html", {
        "unit": unit, "changes": history.unit_changes(unit), "can_edit": can_edit_registry(request.user),
        "visits": visits, "targets": targets,
        "follow_ups": FollowUp.objects.visible_to(request.user).filter(unit=unit).select_related("correction"),
    })


def unit_create(request):
    require_registry_editor(request.user)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(by=request.user, **form.unit_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Unit “%(name)s” created.") % {"name": unit.name})
            return redirect("units:unit_detail", pk=unit.pk)
    return render(request, "units/unit_form.html", {"form": form, "unit": None})


def unit_edit(request, pk):
    unit = get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)
    require_registry_editor(request.user)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(unit, by=request.user, **form.unit_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("units:unit_detail", pk=unit.pk)
    return render(request, "units/unit_form.html", {"form": form, "unit": unit})


@reads_from_replica
def unit_export(request):
    _form, units = _filtered_units(request)
    return xlsx_response([UnitExporter(units)], filename="danh-muc-don-vi.xlsx")


# ------------------------------------------------------------------------------ categories


def category_list(request):
    """The categories with the words an import reads as each (issue #14); the
    administrator adds and removes them."""
    require_registry_administrator(request.user)
    form = CategorySynonymForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            synonym = services.add_category_synonym(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("words", error)
        else:
            messages.success(request, _("“%(words)s” is now read as “%(category)s”.")
                             % {"words": synonym.words, "category": synonym.category})
            return redirect("units:category_list")
    categories = UnitCategory.objects.prefetch_related("synonyms")
    return render(request, "units/category_list.html", {"form": form, "categories": categories})


@require_POST
def category_synonym_delete(request, pk):
    require_registry_administrator(request.user)
    synonym = get_object_or_404(CategorySynonym.objects.select_related("category"), pk=pk)
    services.remove_category_synonym(synonym, by=request.user)
    messages.success(request, _("“%(words)s” is no longer read as “%(category)s”.")
                     % {"words": synonym.words, "category": synonym.category})
    return redirect("units:category_list")


# ------------------------------------------------------------------------------ imports


def import_template(request):
    require_registry_editor(request.user)
    response = HttpResponse(workbooks.import_template(), content_type=workbooks.XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-don-vi.xlsx"'
    return response


def import_upload(request):
    require_registry_editor(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = imports.start_import(uploaded_file=form.cleaned_data["file"], by=request.user)
        return redirect("units:import_detail", pk=batch.pk)
    recent = ImportBatch.objects.visible_to(request.user).select_related("uploaded_by")[:10]
    return render(request, "units/import_upload.html", {"form": form, "recent": recent})


def import_detail(request, pk):
    require_registry_editor(request.user)
    batch = get_object_or_404(ImportBatch.objects.visible_to(request.user).select_related("uploaded_by"), pk=pk)
    from_htmx = request.headers.get("HX-Request") == "true"
    imports.fail_if_abandoned(batch)
    if batch.status in IN_PROGRESS:
        template = "units/_import_progress.html" if from_htmx else "units/import_progress.html"
        return render(request, template, {"batch": batch})
    target = reverse("units:reconcile_detail" if batch.kind == ImportBatch.Kind.PORTAL else "units:import_detail",
                     args=[batch.pk])
    if from_htmx:
        # The work is done: the polling fragment sends the browser to the full page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    if batch.kind == ImportBatch.Kind.PORTAL:
        return redirect(target)
    status = request.GET.get("status") or ""
    rows = batch.rows.select_related("unit").order_by("row")
    if status in ImportRow.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    history.describe_changes(page.object_list)
    return render(request, "units/import_detail.html", {
        "batch": batch, "page": page, "status": status,
        "statuses": [(value, label) for value, label in ImportRow.Status.choices if value in imports.FILE_OUTCOMES],
        "confirm_form": ImportConfirmForm(),
        "has_errors": bool(batch.counts.get(ImportRow.Status.ERROR)),
    })


@require_POST
def import_confirm(request, pk):
    require_registry_editor(request.user)
    batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
    form = ImportConfirmForm(request.POST)
    form.is_valid()
    if imports.fail_if_abandoned(batch):
        messages.error(request, batch.message)
        return redirect("units:import_detail", pk=batch.pk)
    try:
        imports.confirm_import(batch, by=request.user, only_valid_rows=form.cleaned_data.get("only_valid_rows", False))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("units:import_detail", pk=batch.pk)


@require_POST
def import_retry(request, pk):
    require_registry_editor(request.user)
    batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
    try:
        imports.retry_import(batch, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("units:import_detail", pk=batch.pk)


def import_error_report(request, pk):
    require_registry_editor(request.user)
    batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
    rows = (batch.rows.exclude(status__in=[ImportRow.Status.NEW, ImportRow.Status.SKIPPED])
            .order_by("row").values_list("values", "messages", "status"))
    report = workbooks.error_report(
        batch.headers,
        ((values, "; ".join(messages_)) for values, messages_, _status in rows.iterator(chunk_size=2000)))
    response = HttpResponse(report, content_type=workbooks.XLSX)
    response["Content-Disposition"] = 'attachment; filename="bao-cao-loi-nhap.xlsx"'
    return response


# ------------------------------------------------------------------------------ reconciliation

RECONCILE_LISTS = {
    "matched": gettext_lazy("Matched"),
    "unregistered": gettext_lazy("Registry units without a registered QR code"),
    "missing": gettext_lazy("Portal locations missing from the registry"),
}


def reconcile_upload(request):
    require_registry_editor(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = imports.start_import(uploaded_file=form.cleaned_data["file"], by=request.user,
                                     kind=ImportBatch.Kind.PORTAL)
        return redirect("units:import_detail", pk=batch.pk)
    units = Unit.objects.visible_to(request.user)
    recent = ImportBatch.objects.visible_to(request.user).filter(kind=ImportBatch.Kind.PORTAL)
    return render(request, "units/reconcile_upload.html", {
        "form": form, "recent": recent.select_related("uploaded_by")[:10],
        "by_district": reconciliation.qr_coverage(units, "district"),
        "by_category": reconciliation.qr_coverage(units, "category"),
    })


def reconcile_detail(request, pk):
    require_registry_editor(request.user)
    batch = get_object_or_404(ImportBatch.objects.visible_to(request.user).filter(kind=ImportBatch.Kind.PORTAL), pk=pk)
    if batch.status != ImportBatch.Status.READY:
        return redirect("units:import_detail", pk=batch.pk)
    shown = request.GET.get("list") if request.GET.get("list") in RECONCILE_LISTS else "matched"
    units = Unit.objects.visible_to(request.user)
    if shown == "unregistered":
        items = reconciliation.unregistered_units(batch, units).select_related("commune__parent", "category")
        items = items.in_vietnamese_order()
    else:
        statuses = {"matched": [ImportRow.Status.MATCHED, ImportRow.Status.ACCEPTED],
                    "missing": [ImportRow.Status.MISSING, ImportRow.Status.ADDED, ImportRow.Status.ERROR]}[shown]
        items = batch.rows.filter(status__in=statuses).select_related("unit__commune").order_by("-confidence", "row")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "units/reconcile_detail.html", {
        "batch": batch, "page": page, "shown": shown, "lists": RECONCILE_LISTS.items(), "query": f"list={shown}",
        "by_district": reconciliation.qr_coverage(units, "district"),
    })


def _act_on_portal_row(request, pk, *, status, action, done: str, shown: str):
    """Run a reconciliation service on one row of a portal list the user may see, and
    tell the outcome: `done` names the unit on success, the refusal is shown otherwise."""
    require_registry_editor(request.user)
    row = get_object_or_404(ImportRow.objects.filter(
        batch__in=ImportBatch.objects.visible_to(request.user), status=status), pk=pk)
    try:
        unit = action(row, by=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done % {"name": unit.name})
    return redirect(f"{reverse('units:reconcile_detail', args=[row.batch_id])}?list={shown}")


@require_POST
def reconcile_accept(request, pk):
    return _act_on_portal_row(request, pk, status=ImportRow.Status.MATCHED, action=reconciliation.accept_match,
                              done=_("Location code recorded on “%(name)s”."), shown="matched")


@require_POST
def reconcile_add(request, pk):
    return _act_on_portal_row(request, pk, status=ImportRow.Status.MISSING, action=reconciliation.add_from_portal,
                              done=_("“%(name)s” added to the registry."), shown="missing")
