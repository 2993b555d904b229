from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inspections.models import Campaign, Organization, Team, TeamMembership


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "district"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["district"]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["title", "starts_on", "ends_on", "form", "status"]
    list_filter = ["status", "form"]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign"]
    list_select_related = ["campaign"]
    inlines = [TeamMembershipInline]
