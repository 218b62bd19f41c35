from django.urls import path

from support_playbook import scorecard_views

app_name = "scorecard"

urlpatterns = [
    path("", scorecard_views.scorecard, name="store"),
    path("scorecard.csv", scorecard_views.scorecard_csv, name="csv"),
    path("<slug:key>/", scorecard_views.scorecard_list, name="list"),
]
