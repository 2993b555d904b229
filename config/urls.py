from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from config import pwa
from config.views import healthz

urlpatterns = [
    path("", include("accounts.urls")),
    path("don-vi/", include("units.urls")),
    path("", include("inspections.urls")),
    path("", include("reports.urls")),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # "Quên mật khẩu?": a link by e-mail to the same page that the invitation's link opens.
    path("quen-mat-khau/", auth_views.PasswordResetView.as_view(
        email_template_name="registration/password_reset_email.txt"), name="password_reset"),
    path("quen-mat-khau/da-gui/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    # The invitation of a nominated inspector, and the reset: set a password from the e-mailed link.
    path("dat-mat-khau/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("dat-mat-khau/xong/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # The language switch is on the login page too, before anyone has signed in.
    path("ngon-ngu/", login_not_required(set_language), name="set_language"),
    path("api/", include("api.urls")),
    path("webhook/", include("webhooks.urls")),
    path("healthz", healthz, name="healthz"),
    # The installable app of the inspector's day (config/pwa.py): at the root, for the worker's scope.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("ngoai-tuyen/", pwa.offline, name="offline"),
    path("quan-tri/", admin.site.urls),
]
