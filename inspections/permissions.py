"""Who may do what with a campaign and its schedule (plan III.1)."""

from django.core.exceptions import PermissionDenied

from accounts.roles import Role, has_role

SCHEDULERS = (Role.ADMINISTRATOR, Role.COORDINATOR)  # the Inspectorate builds and sends the schedule
VEHICLE_KEEPERS = (Role.ADMINISTRATOR, Role.OFFICE)  # the Office provides vehicles and confirms trips


def can_schedule(user) -> bool:
    return has_role(user, *SCHEDULERS)


def can_keep_vehicles(user) -> bool:
    return has_role(user, *VEHICLE_KEEPERS)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
