import unicodedata

from django.conf import settings
from django.utils.translation import get_language_info

from accounts.roles import Role, has_role, primary_role
from units.models import REGISTRY_READERS

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
        "can_follow_up": user is not None and has_role(user, Role.ADMINISTRATOR, Role.COORDINATOR, Role.LEADERSHIP),
        "can_see_vehicles": user is not None and has_role(user, Role.ADMINISTRATOR, Role.COORDINATOR, Role.OFFICE),
    }
