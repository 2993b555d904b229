from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from accounts.sessions import stamp_sign_in


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        # The session's inactivity stamp starts at log-in (accounts/sessions.py).
        user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")
