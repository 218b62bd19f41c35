from django.urls import path

from support_playbook import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("<id:task_id>/<slug:action>/", views.task_action, name="action"),
    path("playbook/", views.store_manual, name="manual"),
]
