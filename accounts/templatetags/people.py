from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def person(user) -> str:
    """A person as the pages name them: full name, else user name; None is the system."""
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()
