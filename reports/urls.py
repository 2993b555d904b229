from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("ke-hoach/<int:pk>/tong-hop/", views.campaign_dashboard, name="campaign_dashboard"),
]
