from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_lookup, name="stock_lookup"),
]
