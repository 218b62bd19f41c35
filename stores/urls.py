from django.urls import path

from stores import views

app_name = "stores"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:store>/", views.home, name="home"),
]
