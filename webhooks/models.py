"""Webhooks (issue #15.5): the DIC administrator's subscriptions, and every delivery of an
event to one of them, with its attempts."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, has_role

# Who keeps the webhooks: the DIC's administrator (what leaves the product is theirs to decide).
WEBHOOK_KEEPERS = (Role.ADMINISTRATOR,)


class Event(models.TextChoices):
    """The events a provincial system would want (issue #15.5)."""

    VISIT_APPROVED = "visit.approved", _("Visit approved")
    FOLLOW_UP_OVERDUE = "follow_up.overdue", _("Follow-up overdue")
    REPORT_APPROVED = "report.approved", _("Report approved")


class SubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active or not has_role(user, *WEBHOOK_KEEPERS):
            return self.none()
        return self


class Subscription(models.Model):
    url = models.URLField(_("address (URL)"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100,
                              help_text=_("The receiver checks each event's signature with it."))
    events = ArrayField(models.CharField(max_length=30, choices=Event.choices), verbose_name=_("events"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["url", "id"]
        constraints = [
            models.CheckConstraint(name="webhooks_subscription_has_events", condition=~Q(events=[])),
        ]

    def __str__(self):
        return self.url


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(subscription__in=Subscription.objects.visible_to(user))


class Delivery(models.Model):
    """One event for one subscription: sent until the receiver answers 2xx, with back-off,
    at most MAX_ATTEMPTS times. The event id is the same at every attempt, so a receiver
    that got it twice (its answer lost) can tell."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (no more attempts)")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4)
    payload = models.JSONField(_("content"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One event reaches a subscription once, however often it is raised.
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhooks_delivery_once_per_event"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} → {self.subscription}"
