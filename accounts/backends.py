"""The sign-in backend: Django's ModelBackend, reading the person's roles with the person.

Every request after sign-in loads its user from the session, and nearly every page then asks for
the user's roles (the menu, the role checks, `visible_to`): Django reads the user, then their
groups, two queries on every request. This backend reads the group names in the user's own query
(an array subquery) and fills the roles from them, so a request pays one. The roles are read fresh
on every request, as before: a change of someone's groups shows on their next page.
It replaces ModelBackend in AUTHENTICATION_BACKENDS: a session signed in through ModelBackend
before the change is signed out once (Django drops a session whose backend is no longer listed).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef

from accounts.roles import remember_roles

UserModel = get_user_model()


class RolesBackend(ModelBackend):
    def get_user(self, user_id):
        names = ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name"))
        try:
            user = UserModel._default_manager.annotate(group_names=names).get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        remember_roles(user, user.group_names)
        return user
