"""The audit page (reports/audit.py): for the Inspectorate and leadership; everyone else 403."""

from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.roles import has_role
from config.dbrouter import reads_from_replica
from inspections.permissions import require
from reports.audit import AUDIT_READERS, AuditExporter, audit_entries, describe
from reports.forms import AuditFilterForm
from units.exporters import xlsx_response

PER_PAGE = 50


def audit(request):
    """Who opened which confidential visit, itinerary or document, and who changed what,
    newest first, filtered; the same list as a spreadsheet from `audit_export`."""
    require(has_role(request.user, *AUDIT_READERS))
    form = AuditFilterForm(request.GET or None, user=request.user)
    page = Paginator(audit_entries(**form.filters), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/audit.html", {
        "form": form, "page": page, "entries": describe(page.object_list), "query": query.urlencode()})


@reads_from_replica
def audit_export(request):
    require(has_role(request.user, *AUDIT_READERS))
    form = AuditFilterForm(request.GET or None, user=request.user)
    return xlsx_response([AuditExporter(audit_entries(**form.filters))], filename="nhat-ky.xlsx")
