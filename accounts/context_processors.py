from django.conf import settings

from accounts.roles import primary_role


def role(request):
    """The signed-in person's main role for the navigation bar; the demo banner."""
    user = getattr(request, "user", None)
    return {
        "current_role": primary_role(user) if user is not None else None,
        "demo_mode": settings.DEMO_MODE,
    }
