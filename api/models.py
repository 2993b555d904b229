"""The API's own records: the tokens outside systems sign in with, and the answers kept
for each idempotency key so that a retried write is applied once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person sees their own tokens; an administrator sees everyone's (to revoke them)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.is_superuser else self.filter(user=user)

    def usable(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A token an outside system sends as `Authorization: Bearer <token>`, acting as its
    user with exactly that user's scope. Only its SHA-256 is stored: the token is shown
    once, when it is issued (api/services.py: issue_token)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("person"))
    name = models.CharField(_("name"), max_length=120, help_text=_("What uses it, e.g. the province's dashboard."))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiIdempotency(models.Model):
    """The first answer to a write sent with an `Idempotency-Key`: the same key again
    (a phone's outbox retrying after a dropped connection) gets this answer back and
    changes nothing; the same key with another request is refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    request_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_apiidempotency_once_per_user_key"),
        ]

    def __str__(self):
        return f"{self.method} {self.path} · {self.key}"
