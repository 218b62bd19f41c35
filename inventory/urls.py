from django.urls import path

from inventory import count_views, views

app_name = "inventory"

urlpatterns = [
    path("", views.stock_lookup, name="stock_lookup"),
    path("counts/", count_views.count_list, name="counts"),
    path("counts/start/", count_views.start_count, name="start_count"),
    path("counts/<id:count_id>/", count_views.count_page, name="count"),
    path("counts/<id:count_id>/upload/", count_views.upload_count, name="upload_count"),
    path("counts/<id:count_id>/approve/", count_views.approve_count, name="approve_count"),
]
