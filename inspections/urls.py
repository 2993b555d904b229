from django.urls import path

from inspections.views import campaigns, followups, nominations, proposal, schedule, targets, visits

app_name = "inspections"
urlpatterns = [
    path("ke-hoach/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("ke-hoach/<int:pk>/to-kiem-tra/", campaigns.team_list, name="team_list"),
    path("ke-hoach/<int:pk>/cu-can-bo/", nominations.nomination_board, name="nomination_board"),
    path("ke-hoach/<int:pk>/cu-can-bo/moi/", nominations.nomination_create, name="nomination_create"),
    path("ke-hoach/<int:pk>/cu-can-bo/<int:nomination_pk>/", nominations.nomination_detail, name="nomination_detail"),
    path("ke-hoach/<int:pk>/doi-tuong/", targets.target_list, name="target_list"),
    path("ke-hoach/<int:pk>/doi-tuong/them/", targets.target_add, name="target_add"),
    path("ke-hoach/<int:pk>/lich/", schedule.schedule, name="schedule"),
    path("ke-hoach/<int:pk>/lich/de-xuat/", proposal.schedule_proposal, name="schedule_proposal"),
    path("ke-hoach/<int:pk>/lich/de-xuat/lap/", proposal.schedule_proposal_make, name="schedule_proposal_make"),
    path("ke-hoach/<int:pk>/lich/de-xuat/sua/", proposal.schedule_proposal_change, name="schedule_proposal_change"),
    path("ke-hoach/<int:pk>/lich/de-xuat/nhan/", proposal.schedule_proposal_accept, name="schedule_proposal_accept"),
    path("ke-hoach/<int:pk>/lich/moi/", schedule.itinerary_edit, name="itinerary_create"),
    path("ke-hoach/<int:pk>/lich/<int:itinerary_pk>/sua/", schedule.itinerary_edit, name="itinerary_edit"),
    path("lich-trinh/<int:pk>/", schedule.itinerary_detail, name="itinerary_detail"),
    path("lich-trinh/<int:pk>/gui/", schedule.itinerary_send, name="itinerary_send"),
    path("lich-trinh/<int:pk>/xac-nhan-xe/", schedule.itinerary_confirm, name="itinerary_confirm"),
    path("luot-kiem-tra/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("luot-kiem-tra/<int:pk>/bat-dau/", visits.visit_start, name="visit_start"),
    path("luot-kiem-tra/<int:pk>/tra-loi/<int:item_pk>/", visits.answer_save, name="answer_save"),
    path("luot-kiem-tra/<int:pk>/nop/", visits.visit_submit, name="visit_submit"),
    path("luot-kiem-tra/<int:pk>/anh/", visits.evidence_add, name="evidence_add"),
    path("luot-kiem-tra/<int:pk>/so-lieu/", visits.figures_save, name="figures_save"),
    path("luot-kiem-tra/<int:pk>/khac-phuc/", visits.correction_add, name="correction_add"),
    path("luot-kiem-tra/<int:pk>/dieu-chinh/", visits.answer_amend, name="answer_amend"),
    path("luot-kiem-tra/<int:pk>/ket-luan/", visits.conclusion_override, name="conclusion_override"),
    path("anh/<int:pk>/", visits.evidence_file, name="evidence_file"),
    path("luot-kiem-tra/<int:pk>/duyet/", visits.visit_review, name="visit_review"),
    path("phuong-tien/", schedule.vehicle_list, name="vehicle_list"),
    path("theo-doi/", followups.follow_up_list, name="follow_up_list"),
    path("theo-doi/<int:pk>/", followups.follow_up_detail, name="follow_up_detail"),
]
