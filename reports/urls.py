from django.urls import path

from reports import export_urls, views

app_name = "reports"
urlpatterns = [
    path("ke-hoach/<int:pk>/tong-hop/", views.campaign_dashboard, name="campaign_dashboard"),
    *export_urls.urlpatterns,
]
