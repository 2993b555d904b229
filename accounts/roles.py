"""The product's roles, kept as auth groups named in Vietnamese.

A role says what a person may do; which objects they may see is each model's
`visible_to(user)` (an inspector sees only their own team's work).
"""

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Ordered from the widest view to the narrowest: a person with several roles
    # lands on the home page of the first one they hold.
    ADMINISTRATOR = "administrator", _("Administrator")
    LEADERSHIP = "leadership", _("DIC leadership")
    COORDINATOR = "coordinator", _("DIC Inspectorate officer")
    OFFICE = "office", _("DIC Office")
    TEAM_LEADER = "team_leader", _("Inspection team leader")
    INSPECTOR = "inspector", _("Inspection team member")


# The groups' names are data in the database; they stay Vietnamese whatever the
# interface language (the interface shows the translated Role label instead).
GROUP_NAMES = {
    Role.ADMINISTRATOR: "Quản trị hệ thống",
    Role.LEADERSHIP: "Lãnh đạo Sở",
    Role.COORDINATOR: "Cán bộ Thanh tra Sở",
    Role.OFFICE: "Văn phòng Sở",
    Role.TEAM_LEADER: "Tổ trưởng Tổ kiểm tra",
    Role.INSPECTOR: "Thành viên Tổ kiểm tra",
}
ROLE_BY_GROUP_NAME = {name: role for role, name in GROUP_NAMES.items()}


def roles_of(user) -> list[Role]:
    """The user's roles, widest first; a superuser is an administrator."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_roles_cache"):
        remember_roles(user, user.groups.values_list("name", flat=True))
    return user._roles_cache


def remember_roles(user, group_names) -> None:
    """Keep on this user object the roles their group names give (a request's user: its
    groups are read once per request, with the user by accounts.backends.RolesBackend)."""
    held = {ROLE_BY_GROUP_NAME[name] for name in group_names if name in ROLE_BY_GROUP_NAME}
    if user.is_superuser:
        held.add(Role.ADMINISTRATOR)
    user._roles_cache = [role for role in Role if role in held]


def primary_role(user) -> Role | None:
    roles = roles_of(user)
    return roles[0] if roles else None


def has_role(user, *roles: Role) -> bool:
    return any(role in roles_of(user) for role in roles)


def group_for(role: Role) -> Group:
    return Group.objects.get(name=GROUP_NAMES[role])


def display_name(user) -> str:
    """A person as the pages and documents name them: full name, else user name."""
    return user.get_full_name() or user.get_username()


# Who does what, by the plan's bodies (plan III). Every model's scope and every view's
# role check names one of these, so that a list of roles is written once.
DIC_STAFF = (Role.ADMINISTRATOR, Role.LEADERSHIP, Role.COORDINATOR, Role.OFFICE)  # every campaign, the registry
DIC_READERS = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.LEADERSHIP)  # the schedule, targets, results, reports
INSPECTORATE = (Role.ADMINISTRATOR, Role.COORDINATOR)  # builds the registry, the schedule and the report
APPROVERS = (Role.ADMINISTRATOR, Role.LEADERSHIP)  # leadership signs the report
OFFICE = (Role.ADMINISTRATOR, Role.OFFICE)  # the Office provides vehicles and confirms trips
