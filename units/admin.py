from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from units.models import Division, Unit, UnitCategory


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "division_type", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    # Loaded from the national list by `load_divisions`, not edited by hand.
    readonly_fields = ["code", "name", "level", "division_type", "codename", "parent"]


@admin.register(UnitCategory)
class UnitCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "order"]
    list_editable = ["order"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "commune", "qr_status", "is_active", "is_sample"]
    list_filter = ["category", "qr_status", "is_active", "is_sample"]
    search_fields = ["name", "address", "phone"]
    list_select_related = ["category", "commune"]
    autocomplete_fields = ["commune"]
    readonly_fields = ["created_at", "created_by"]
