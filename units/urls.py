from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("moi/", views.unit_create, name="unit_create"),
    path("xuat.xlsx", views.unit_export, name="unit_export"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/sua/", views.unit_edit, name="unit_edit"),
    path("loai-hinh/", views.category_list, name="category_list"),
    path("loai-hinh/tu/<int:pk>/xoa/", views.category_synonym_delete, name="category_synonym_delete"),
    path("nhap/", views.import_upload, name="import_upload"),
    path("nhap/mau.xlsx", views.import_template, name="import_template"),
    path("nhap/<int:pk>/", views.import_detail, name="import_detail"),
    path("nhap/<int:pk>/xac-nhan/", views.import_confirm, name="import_confirm"),
    path("nhap/<int:pk>/thu-lai/", views.import_retry, name="import_retry"),
    path("nhap/<int:pk>/bao-cao-loi.xlsx", views.import_error_report, name="import_error_report"),
    path("doi-chieu/", views.reconcile_upload, name="reconcile_upload"),
    path("doi-chieu/<int:pk>/", views.reconcile_detail, name="reconcile_detail"),
    path("doi-chieu/dong/<int:pk>/chap-nhan/", views.reconcile_accept, name="reconcile_accept"),
    path("doi-chieu/dong/<int:pk>/them/", views.reconcile_add, name="reconcile_add"),
]
