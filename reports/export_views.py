"""The analysts' raw data export: ask for it, follow its progress, download it."""

import tempfile

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from config.dbrouter import reads_from_replica
from inspections.models import Campaign
from inspections.permissions import require
from reports import rawdata
from reports.models import RawExport
from units.workbooks import XLSX


@require_POST
def raw_export_create(request, pk):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    require(rawdata.can_export_raw_data(request.user))
    export = rawdata.request_raw_export(campaign, by=request.user, language=translation.get_language())
    return redirect("reports:raw_export_detail", pk=export.pk)


def raw_export_detail(request, pk):
    """The job's page; while it runs, its progress fragment polls this view (htmx) and is
    sent to the full page once the job has ended."""
    export = get_object_or_404(RawExport.objects.visible_to(request.user).select_related("campaign"), pk=pk)
    require(rawdata.can_export_raw_data(request.user))
    from_htmx = request.headers.get("HX-Request") == "true"
    rawdata.fail_if_abandoned(export)
    if export.status in rawdata.IN_PROGRESS:
        template = "reports/_raw_export_progress.html" if from_htmx else "reports/raw_export.html"
        return render(request, template, {"export": export})
    if from_htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("reports:raw_export_detail", args=[export.pk])
        return response
    return render(request, "reports/raw_export.html", {"export": export})


def raw_export_download(request, pk):
    export = get_object_or_404(
        RawExport.objects.visible_to(request.user).filter(status=RawExport.Status.DONE).exclude(file=""), pk=pk)
    require(rawdata.can_export_raw_data(request.user))
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=rawdata.download_name(export),
                        content_type=XLSX)


@require_GET
@reads_from_replica
def raw_data_file(request, pk, sheet, fmt):
    """A sheet of the raw data (the visits, or every answer) as CSV streamed while it is read,
    or as Parquet for analysts' tools: any size, no job to wait for."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    if sheet not in rawdata.SHEETS or fmt not in ("csv", "parquet"):
        raise Http404
    require(rawdata.can_export_raw_data(request.user))
    exporter = rawdata.sheet_for(campaign, request.user, sheet)
    filename = f"du-lieu-tho-{campaign.pk}-{sheet}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(rawdata.csv_pieces(exporter), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    handle = tempfile.TemporaryFile()  # Parquet's footer is written last: spooled, then sent
    rawdata.write_parquet(exporter, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/vnd.apache.parquet")
