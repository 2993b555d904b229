"""What each role may do with the registry (plan: the DIC Inspectorate builds it)."""

from django.core.exceptions import PermissionDenied

from accounts.roles import Role, has_role
from units.models import REGISTRY_EDITORS


def can_edit_registry(user) -> bool:
    """Coordinators and administrators edit, import and reconcile; others read."""
    return has_role(user, *REGISTRY_EDITORS)


def require_registry_editor(user) -> None:
    if not can_edit_registry(user):
        raise PermissionDenied


def require_registry_administrator(user) -> None:
    """The reference data (categories and the words that name them) is the administrator's."""
    if not has_role(user, Role.ADMINISTRATOR):
        raise PermissionDenied
