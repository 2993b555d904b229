"""The DIC administrator's webhooks: subscriptions and the delivery log (issue #15.5)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import has_role
from inspections.permissions import require
from webhooks import services
from webhooks.forms import SubscriptionForm
from webhooks.models import WEBHOOK_KEEPERS, Delivery, Subscription


def subscription_list(request):
    require(has_role(request.user, *WEBHOOK_KEEPERS))
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.save_subscription(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The subscription was saved. Give its secret to the receiver."))
            return redirect("webhooks:subscription_detail", pk=subscription.pk)
    page = Paginator(Subscription.objects.visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "webhooks/subscription_list.html", {"page": page, "form": form})


def subscription_detail(request, pk):
    subscription = get_object_or_404(Subscription.objects.visible_to(request.user), pk=pk)
    form = SubscriptionForm(request.POST or None, initial={
        "url": subscription.url, "events": subscription.events, "is_active": subscription.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_subscription(by=request.user, subscription=subscription, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The subscription was saved."))
            return redirect("webhooks:subscription_detail", pk=subscription.pk)
    return render(request, "webhooks/subscription_detail.html", {"subscription": subscription, "form": form})


def delivery_log(request):
    """Every delivery, newest first: its event, status, attempts and the last response code."""
    require(has_role(request.user, *WEBHOOK_KEEPERS))
    deliveries = Delivery.objects.visible_to(request.user).select_related("subscription")
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(request, "webhooks/delivery_log.html", {"page": page})
