"""The URLs of the analysts' raw data export (kept apart from the reports' own)."""

from django.urls import path

from reports import export_views

urlpatterns = [
    path("ke-hoach/<int:pk>/du-lieu-tho/", export_views.raw_export_create, name="raw_export_create"),
    path("du-lieu-tho/<int:pk>/", export_views.raw_export_detail, name="raw_export_detail"),
    path("du-lieu-tho/<int:pk>/tai-ve.xlsx", export_views.raw_export_download, name="raw_export_download"),
]
