from django.urls import path

from reports import audit_views, document_views, export_views, views

app_name = "reports"
urlpatterns = [
    path("ke-hoach/<int:pk>/tong-hop/", views.campaign_dashboard, name="campaign_dashboard"),
    path("ke-hoach/<int:pk>/tong-hop/luot-kiem-tra/", views.campaign_visits, name="campaign_visits"),
    path("ke-hoach/<int:pk>/bao-cao/", views.report_list, name="report_list"),
    path("bao-cao/<int:pk>/", views.report_detail, name="report_detail"),
    path("bao-cao/<int:pk>/lay-lai-so-lieu/", views.report_retake, name="report_retake"),
    path("bao-cao/<int:pk>/duyet/", views.report_approve, name="report_approve"),
    path("bao-cao/<int:pk>/luot-kiem-tra/", views.report_visits, name="report_visits"),
    path("bao-cao/<int:pk>/tep/", views.report_files, name="report_files"),
    path("bao-cao/<int:pk>/bao-cao.docx", views.report_document, name="report_document"),
    path("bao-cao/<int:pk>/phu-luc.xlsx", views.report_annex_file, name="report_annex"),
    path("ke-hoach/<int:pk>/du-lieu-tho/", export_views.raw_export_create, name="raw_export_create"),
    path("ke-hoach/<int:pk>/du-lieu-tho/<str:sheet>.<str:fmt>", export_views.raw_data_file, name="raw_data_file"),
    path("du-lieu-tho/<int:pk>/", export_views.raw_export_detail, name="raw_export_detail"),
    path("du-lieu-tho/<int:pk>/tai-ve.xlsx", export_views.raw_export_download, name="raw_export_download"),
    # Who opened and who changed what (the Inspectorate and leadership).
    path("nhat-ky/", audit_views.audit, name="audit"),
    path("nhat-ky/tai-ve.xlsx", audit_views.audit_export, name="audit_export"),
    # The documents of the schedule, the visits and the follow-ups (their pages are inspections').
    path("lich-trinh/<int:pk>/thong-bao.pdf", document_views.itinerary_notice_pdf, name="itinerary_notice_pdf"),
    path("luot-kiem-tra/<int:pk>/bien-ban.pdf", document_views.visit_minutes_pdf, name="visit_minutes_pdf"),
    path("luot-kiem-tra/<int:pk>/bien-ban/", document_views.visit_minutes_print, name="visit_minutes_print"),
    path("luot-kiem-tra/<int:pk>/phieu-giay.pdf", document_views.visit_paper_checklist, name="visit_paper_checklist"),
    path("theo-doi/<int:pk>/nhac-nho.<str:fmt>", document_views.follow_up_reminder, name="follow_up_reminder"),
]
