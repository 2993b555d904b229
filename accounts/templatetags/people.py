from django import template
from django.utils.translation import gettext as _

from accounts.roles import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A person as the pages name them: full name, else user name; None is the system."""
    if user is None:
        return _("the system")
    return display_name(user)
