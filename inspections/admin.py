import operator

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from config.feedback import error_text
from inspections.checklists import is_editable, new_checklist_version, publish_checklist
from inspections.models import (
    Campaign,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    DistrictDistance,
    Itinerary,
    Organization,
    Team,
    TeamMembership,
    Vehicle,
    Visit,
)
from inspections.vocabulary import has_taken_place, is_locked


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


class PublishedIsReadOnly:
    """A published checklist never changes: administrators make a new version instead."""

    template_path = ""  # dotted path from the object to its template; empty: the object is one

    def _template_of(self, obj):
        return operator.attrgetter(self.template_path)(obj) if self.template_path else obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and not is_editable(self._template_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not is_editable(self._template_of(obj)):
            return False
        return super().has_delete_permission(request, obj)


class ChecklistSectionInline(admin.TabularInline):
    model = ChecklistSection
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(PublishedIsReadOnly, admin.ModelAdmin):
    list_display = ["name", "version", "published_at"]
    inlines = [ChecklistSectionInline]
    actions = ["make_new_version", "publish"]
    readonly_fields = ["published_at", "based_on"]

    @admin.action(description=_("Make a new version to edit"))
    def make_new_version(self, request, queryset):
        for template in queryset:
            copy = new_checklist_version(template)
            messages.success(request, _("%(template)s created.") % {"template": copy})

    @admin.action(description=_("Publish (no more changes)"))
    def publish(self, request, queryset):
        for template in queryset:
            try:
                publish_checklist(template)
            except ValidationError as error:
                messages.error(request, f"{template}: {error_text(error)}")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(PublishedIsReadOnly, admin.ModelAdmin):
    list_display = ["code", "text", "kind", "required", "section"]
    list_filter = ["section__template", "section__code", "kind"]
    filter_horizontal = ["categories"]
    list_select_related = ["section__template"]
    template_path = "section.template"


@admin.register(DistrictDistance)
class DistrictDistanceAdmin(admin.ModelAdmin):
    list_display = ["origin", "destination", "km", "is_sample"]
    list_editable = ["km"]
    list_filter = ["is_sample", "origin"]
    list_select_related = ["origin", "destination"]


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["plate", "seats", "driver_name", "is_active"]


@admin.register(Itinerary)
class ItineraryAdmin(admin.ModelAdmin):
    list_display = ["date", "departs_at", "campaign", "vehicle", "schedule_sent_at"]
    list_select_related = ["campaign", "vehicle"]
    readonly_fields = ["schedule_sent_at", "confirmed_by", "confirmed_at"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["unit", "starts_at", "status"]
    list_filter = ["status"]
    list_select_related = ["unit"]
    # A visit's status changes only through its services (start, submit, review, cancel),
    # never by editing the field; an approved visit is locked here as everywhere.
    readonly_fields = ["status", "submitted_at", "submitted_by", "reviewed_by", "reviewed_at", "conclusion",
                       "conclusion_override_reason"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_locked(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and has_taken_place(obj):
            return False
        return super().has_delete_permission(request, obj)
