from django.urls import path

from inspections import views

app_name = "inspections"
urlpatterns = [
    path("ke-hoach/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("ke-hoach/<int:pk>/to-kiem-tra/", views.team_list, name="team_list"),
    path("ke-hoach/<int:pk>/cu-can-bo/", views.nomination_board, name="nomination_board"),
    path("ke-hoach/<int:pk>/cu-can-bo/moi/", views.nomination_create, name="nomination_create"),
    path("ke-hoach/<int:pk>/cu-can-bo/<int:nomination_pk>/", views.nomination_detail, name="nomination_detail"),
    path("ke-hoach/<int:pk>/doi-tuong/", views.target_list, name="target_list"),
    path("ke-hoach/<int:pk>/doi-tuong/them/", views.target_add, name="target_add"),
    path("ke-hoach/<int:pk>/lich/", views.schedule, name="schedule"),
    path("ke-hoach/<int:pk>/lich/moi/", views.itinerary_edit, name="itinerary_create"),
    path("ke-hoach/<int:pk>/lich/<int:itinerary_pk>/sua/", views.itinerary_edit, name="itinerary_edit"),
    path("lich-trinh/<int:pk>/", views.itinerary_detail, name="itinerary_detail"),
    path("lich-trinh/<int:pk>/gui/", views.itinerary_send, name="itinerary_send"),
    path("lich-trinh/<int:pk>/thong-bao.pdf", views.itinerary_notice_pdf, name="itinerary_notice_pdf"),
    path("lich-trinh/<int:pk>/xac-nhan-xe/", views.itinerary_confirm, name="itinerary_confirm"),
    path("luot-kiem-tra/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("luot-kiem-tra/<int:pk>/bat-dau/", views.visit_start, name="visit_start"),
    path("luot-kiem-tra/<int:pk>/tra-loi/<int:item_pk>/", views.answer_save, name="answer_save"),
    path("luot-kiem-tra/<int:pk>/nop/", views.visit_submit, name="visit_submit"),
    path("luot-kiem-tra/<int:pk>/anh/", views.evidence_add, name="evidence_add"),
    path("luot-kiem-tra/<int:pk>/so-lieu/", views.figures_save, name="figures_save"),
    path("luot-kiem-tra/<int:pk>/khac-phuc/", views.correction_add, name="correction_add"),
    path("luot-kiem-tra/<int:pk>/dieu-chinh/", views.answer_amend, name="answer_amend"),
    path("luot-kiem-tra/<int:pk>/ket-luan/", views.conclusion_override, name="conclusion_override"),
    path("luot-kiem-tra/<int:pk>/bien-ban.pdf", views.visit_minutes_pdf, name="visit_minutes_pdf"),
    path("luot-kiem-tra/<int:pk>/bien-ban/", views.visit_minutes_print, name="visit_minutes_print"),
    path("anh/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("luot-kiem-tra/<int:pk>/duyet/", views.visit_review, name="visit_review"),
    path("phuong-tien/", views.vehicle_list, name="vehicle_list"),
    path("theo-doi/", views.follow_up_list, name="follow_up_list"),
    path("theo-doi/<int:pk>/", views.follow_up_detail, name="follow_up_detail"),
    path("theo-doi/<int:pk>/nhac-nho.<str:fmt>", views.follow_up_reminder, name="follow_up_reminder"),
]
