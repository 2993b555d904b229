"""The checklist builder (issue #15.2): versions, sections and questions, moved up or down
with plain buttons (no JavaScript), the phone's preview, publishing and a new version."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.feedback import error_text, form_error_text
from inspections import checklists, xlsform
from inspections.forms import ChecklistForm, ItemForm, SectionForm, XLSFormUploadForm
from inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate
from inspections.permissions import can_schedule, require
from inspections.views.scope import posted_object_or_404
from units.workbooks import XLSX


def _template_or_404(request, pk) -> ChecklistTemplate:
    return get_object_or_404(ChecklistTemplate.objects.visible_to(request.user), pk=pk)


def _sections(template):
    return template.sections.prefetch_related("items__categories").order_by("order", "code")


def checklist_list(request):
    """Every version, newest first; a coordinator starts a new checklist here."""
    listed = ChecklistTemplate.objects.visible_to(request.user).annotate(item_count=Count("sections__items"))
    require(can_schedule(request.user) or listed.exists())
    form = ChecklistForm(request.POST or None)
    if request.method == "POST":
        require(can_schedule(request.user))
        if form.is_valid():
            try:
                template = checklists.create_checklist(name=form.cleaned_data["name"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The draft checklist was created."))
                return redirect("inspections:checklist_detail", pk=template.pk)
    page = Paginator(listed.order_by("name", "-version"), 30).get_page(request.GET.get("page"))
    return render(request, "inspections/checklist_list.html", {
        "page": page, "form": form, "can_build": can_schedule(request.user)})


def checklist_detail(request, pk):
    template = _template_or_404(request, pk)
    return render(request, "inspections/checklist_detail.html", {
        "template": template, "sections": _sections(template), "section_form": SectionForm(),
        "can_build": can_schedule(request.user) and checklists.is_editable(template),
        "can_schedule": can_schedule(request.user)})


def checklist_preview(request, pk):
    """The questions as the phone shows them, in the interface's language."""
    template = _template_or_404(request, pk)
    return render(request, "inspections/checklist_preview.html", {"template": template,
                                                                  "sections": _sections(template)})


@require_POST
def section_add(request, pk):
    template = _template_or_404(request, pk)
    require(can_schedule(request.user))
    form = SectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    else:
        try:
            checklists.save_section(template, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
    return redirect("inspections:checklist_detail", pk=template.pk)


def item_edit(request, pk, section_pk, item_pk=None):
    """Add a question to a section (no item_pk) or change one; "delete" removes it."""
    template = _template_or_404(request, pk)
    section = get_object_or_404(ChecklistSection, template=template, pk=section_pk)
    item = get_object_or_404(ChecklistItem, section=section, pk=item_pk) if item_pk else None
    require(can_schedule(request.user))
    form = ItemForm(request.POST or None, initial=ItemForm.initial_for(item) if item else None)
    if request.method == "POST":
        try:
            if item and "delete" in request.POST:
                checklists.delete_item(item)
                messages.success(request, _("The question was removed."))
                return redirect("inspections:checklist_detail", pk=template.pk)
            if form.is_valid():
                checklists.save_item(section, item=item, **form.item_fields())
                messages.success(request, _("The question was saved."))
                return redirect("inspections:checklist_detail", pk=template.pk)
        except ValidationError as error:
            form.add_error(None, error)
    return render(request, "inspections/checklist_item_form.html", {
        "template": template, "section": section, "item": item, "form": form})


@require_POST
def move(request, pk):
    """Up or down, for a question (`item`) or a section (`section`), without JavaScript."""
    template = _template_or_404(request, pk)
    require(can_schedule(request.user))
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        if "item" in request.POST:
            checklists.move_item(posted_object_or_404(
                ChecklistItem.objects.filter(section__template=template), request.POST["item"]), step=step)
        else:
            checklists.move_section(posted_object_or_404(template.sections.all(), request.POST.get("section")),
                                    step=step)
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("inspections:checklist_detail", pk=template.pk)


@require_POST
def checklist_publish(request, pk):
    template = _template_or_404(request, pk)
    require(can_schedule(request.user))
    try:
        if checklists.publish_checklist(template):
            messages.success(request, _("The checklist is published: it can be given to a campaign and no "
                                        "longer changes."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("inspections:checklist_detail", pk=template.pk)


@require_POST
def checklist_new_version(request, pk):
    template = _template_or_404(request, pk)
    require(can_schedule(request.user))
    copy = checklists.new_checklist_version(template)
    messages.success(request, _("Version %(version)s was made to edit.") % {"version": copy.version})
    return redirect("inspections:checklist_detail", pk=copy.pk)


# XLSForm in and out (inspections/xlsform.py)

XLSFORM_SESSION_KEY = "xlsform_import"
XLSFORM_MAX_BYTES = 2 * 1024 * 1024


def xlsform_export(request, pk):
    template = _template_or_404(request, pk)
    response = HttpResponse(xlsform.export_xlsform(template), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="checklist-{template.pk}-v{template.version}.xlsx"'
    return response


def xlsform_upload(request):
    """Upload an XLSForm workbook: the preview says, row by row, what is accepted and what
    is not (and why); the draft is created on confirmation, only when every row is accepted."""
    require(can_schedule(request.user))
    form = XLSFormUploadForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            if upload.size > XLSFORM_MAX_BYTES:
                raise ValidationError(_("The file is larger than 2 MB: it is not a checklist."))
            preview = xlsform.read_xlsform(upload.read())
        except ValidationError as error:
            form.add_error("workbook", error)
        else:
            request.session[XLSFORM_SESSION_KEY] = (
                {"name": preview.name, "plan": preview.plan} if preview.can_create else None)
    return render(request, "inspections/xlsform_upload.html", {"form": form, "preview": preview})


@require_POST
def xlsform_confirm(request):
    require(can_schedule(request.user))
    pending = request.session.get(XLSFORM_SESSION_KEY)
    if not isinstance(pending, dict) or not pending.get("plan"):
        messages.error(request, _("Nothing to import: upload the workbook again."))
        return redirect("inspections:xlsform_upload")
    template = xlsform.create_from_plan(name=pending["name"], plan=pending["plan"])
    del request.session[XLSFORM_SESSION_KEY]
    messages.success(request, _("The draft checklist was created from the workbook: check it, then publish it."))
    return redirect("inspections:checklist_detail", pk=template.pk)
