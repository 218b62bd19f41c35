from django.urls import path

from orders.returns import views

app_name = "returns"


urlpatterns = [
    path("", views.return_desk, name="desk"),
    path("order/<str:number>/", views.start_return, name="start"),
    path("<str:number>/", views.return_page, name="detail"),
    path("<str:number>/receive/", views.receive, name="receive"),
    path("<str:number>/cancel/", views.cancel, name="cancel"),
    path("<str:number>/transfer/", views.ship_transfer, name="ship-transfer"),
    path("<str:number>/transfer-received/", views.receive_transfer, name="receive-transfer"),
]
