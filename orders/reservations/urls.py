from django.urls import path

from orders.reservations import views

app_name = "reservations"


urlpatterns = [
    path("", views.reservation_list, name="list"),
    path("<str:number>/", views.reservation_page, name="detail"),
    path("<str:number>/<slug:action>/", views.reservation_action, name="action"),
]
