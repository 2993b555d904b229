"""The follow-up ladder of units not yet compliant (plan I: đôn đốc, nhắc nhở, xử lý)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import DIC_READERS, has_role
from inspections import followups
from inspections.forms import FollowUpStepForm
from inspections.models import FollowUp
from inspections.permissions import can_schedule, require


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
