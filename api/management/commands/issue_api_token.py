from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from api.services import issue_token


class Command(BaseCommand):
    help = "Issue an API token for a user and print it once (only its SHA-256 is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What will use the token.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(username)s.") % {"username": username})
        token, raw = issue_token(user=user, name=name)
        self.stdout.write(_("Token “%(name)s” for %(username)s (shown only now):") % {
            "name": token.name, "username": username})
        self.stdout.write(raw)
