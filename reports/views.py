from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.roles import Role, has_role
from inspections.fieldwork import CONCLUSION_LABELS
from inspections.models import Campaign
from inspections.permissions import require
from reports.dashboard import dashboard


def campaign_dashboard(request, pk):
    """Leadership's view of a campaign: progress, compliance, QR coverage, follow-up."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    require(has_role(request.user, Role.ADMINISTRATOR, Role.COORDINATOR, Role.LEADERSHIP))
    context = dashboard(campaign, request.user, timezone.localdate())
    context["campaign"] = campaign
    context["chart_data"] = {
        "progress": {"labels": [f"{day:%d/%m}" for day, *_rest in context["progress"]],
                     "visited": [row[4] for row in context["progress"]]},
        "districts": {"labels": [row[0] for row in context["by_district"]],
                      "compliant": [row[2] for row in context["by_district"]],
                      "partly": [row[3] for row in context["by_district"]],
                      "noncompliant": [row[4] for row in context["by_district"]]},
        "legend": {key: str(label) for key, label in CONCLUSION_LABELS.items()},
    }
    return render(request, "reports/dashboard.html", context)
