"""The URLs of the analysts' raw data export (kept apart from the reports' own)."""

urlpatterns = []
