from django.urls import path

from support_playbook import care_views

app_name = "care"

urlpatterns = [
    path("", care_views.case_queue, name="queue"),
    path("cases/<id:case_id>/", care_views.case_page, name="case"),
    path("cases/<id:case_id>/act/", care_views.case_action, name="act"),
    path("playbook/", care_views.care_manual, name="manual"),
]
