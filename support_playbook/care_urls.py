from django.urls import path

from support_playbook import care_views, console_views

app_name = "care"

urlpatterns = [
    path("", care_views.case_queue, name="queue"),
    path("cases/<id:case_id>/", care_views.case_page, name="case"),
    path("cases/<id:case_id>/act/", care_views.case_action, name="act"),
    path("playbook/", care_views.care_manual, name="manual"),
    path("network/", care_views.network, name="network"),
    path("network/targets/", care_views.network_targets, name="network-targets"),
    path("network/products/", care_views.network_products, name="network-products"),
    path("network/products/<str:style>/", care_views.network_product, name="network-product"),
    path("network/<slug:figure>/", care_views.network_list, name="network-list"),
    path("network/kpis.csv", care_views.network_kpi_csv, name="network-kpi-csv"),
    path("network/kpi/<slug:key>/", care_views.network_kpi_list, name="network-kpi"),
    path("customers/", console_views.customer_search, name="customers"),
    path("customers/<id:customer_id>/", console_views.customer_page, name="customer"),
    path("customers/<id:customer_id>/order/", console_views.order_on_behalf, name="on-behalf"),
    path("orders/<slug:number>/", console_views.order_page, name="order"),
    path("orders/<slug:number>/<slug:action>/", console_views.order_action, name="order-act"),
    path("reservations/<slug:number>/extend/", console_views.reservation_extend, name="reservation-extend"),
    path("refunds/", console_views.refund_requests, name="refunds"),
    path("refunds/<id:request_id>/<slug:decision>/", console_views.refund_decide, name="refund-decide"),
]
