import unicodedata

from django.conf import settings
from django.utils.translation import get_language_info

from accounts.roles import DIC_STAFF, has_role, primary_role
from inspections.campaigns import menu_campaign
from inspections.models import SCHEDULE_READERS
from inspections.permissions import can_keep_vehicles, can_schedule
from reports.audit import AUDIT_READERS
from units.models import REGISTRY_READERS
from webhooks.models import WEBHOOK_KEEPERS

# Each language named in itself for the switch. Django's own name for Vietnamese
# is stored decomposed (e + combining marks), which some fonts and screen readers
# render badly; NFC is the form Vietnamese text is expected in.
LANGUAGE_CHOICES = [
    (code, unicodedata.normalize("NFC", get_language_info(code)["name_local"]))
    for code, _name in settings.LANGUAGES
]


def role(request):
    """The signed-in person's main role for the navigation bar; the demo banner;
    the language switch."""
    user = getattr(request, "user", None)
    return {
        "current_role": primary_role(user) if user is not None else None,
        "demo_mode": settings.DEMO_MODE,
        "language_choices": LANGUAGE_CHOICES,
        "can_read_registry": user is not None and has_role(user, *REGISTRY_READERS),
        # The DIC's readers of a campaign's work (targets, results, reports, follow-up): the
        # campaign tabs and the menu follow the rule the views apply.
        "sees_campaign_work": user is not None and has_role(user, *SCHEDULE_READERS),
        "can_see_vehicles": user is not None and (can_keep_vehicles(user) or can_schedule(user)),
        "can_read_audit": user is not None and has_role(user, *AUDIT_READERS),
        "sees_campaigns": user is not None and has_role(user, *DIC_STAFF),
        "keeps_webhooks": user is not None and has_role(user, *WEBHOOK_KEEPERS),
        "menu_campaign": menu_campaign(request) if user is not None and user.is_authenticated else None,
    }
