from django.urls import path

from orders.fulfillment import views

app_name = "orders"


urlpatterns = [
    path("", views.queue, name="queue"),
    path("history/", views.history, name="history"),
    path("<id:fulfillment_id>/", views.fulfillment_page, name="fulfillment"),
    path("<id:fulfillment_id>/<slug:action>/", views.fulfillment_action, name="action"),
]
