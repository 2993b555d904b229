"""Raise "follow-up overdue" for every follow-up still open after its deadline, once each
(the event id follows the follow-up and its deadline: a new deadline is a new event). Run
daily, e.g. from cron: `manage.py send_overdue_webhooks`."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from inspections.models import FollowUp
from webhooks import services
from webhooks.models import Event


class Command(BaseCommand):
    help = "Raise the follow-up overdue webhook event for each overdue follow-up, once."

    def handle(self, *args, **options):
        today = timezone.localdate()
        made = 0
        with transaction.atomic():
            for follow_up in FollowUp.objects.overdue(today).select_related("unit", "correction__visit"):
                made += services.emit(Event.FOLLOW_UP_OVERDUE, key=f"follow_up:{follow_up.pk}:{follow_up.deadline}",
                                      data={"follow_up": follow_up.pk, "unit": follow_up.unit_id,
                                            "unit_name": follow_up.unit.name,
                                            "visit": follow_up.correction.visit_id,
                                            "deadline": follow_up.deadline.isoformat()})
        self.stdout.write(f"{made}")
