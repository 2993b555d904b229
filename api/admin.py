from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from api.services import revoke_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `manage.py issue_api_token` (the token is shown once there);
    here they are seen and revoked."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the chosen tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token, by=request.user)
        messages.success(request, _("Tokens revoked."))
