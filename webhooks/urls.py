from django.urls import path

from webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscription_list, name="subscription_list"),
    path("<int:pk>/", views.subscription_detail, name="subscription_detail"),
    path("gui-di/", views.delivery_log, name="delivery_log"),
]
