"""/api/v1/: every app's API views in one place (this module and settings are the ones that name every app)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from inventory.api.count_views import LocationCountApi
from inventory.api.feed_views import AvailabilityFeedApi
from inventory.api.views import AvailabilityApi, ProductDetailApi, ProductListApi
from omnichannel.api.errors import not_found_view
from orders.fulfillment.api import FulfillmentActionApi, LocationFulfillmentListApi, TrackingEventCreateApi
from orders.placement.api import OrderCancelApi, OrderDetailApi, OrderListCreateApi
from orders.reservations.api import ReservationCancelApi, ReservationCreateApi, ReservationDetailApi
from orders.returns.api import (
    LocationReturnListApi,
    ReturnCancelApi,
    ReturnCreateApi,
    ReturnDetailApi,
    ReturnReasonListApi,
    ReturnReceiveApi,
    ReturnTransferReceivedApi,
    ReturnTransferShippedApi,
)
from orders.shop_floor.api import LocationSalesApi
from stores.api.views import LocationListApi
from support_playbook.api.views import CaseActionApi, CaseDetailApi, CaseListApi

PUBLIC = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    path("locations/", LocationListApi.as_view(), name="locations"),
    path("products/", ProductListApi.as_view(), name="products"),
    path("products/<str:sku>/", ProductDetailApi.as_view(), name="product"),
    path("availability/", AvailabilityApi.as_view(), name="availability"),
    path("channels/<str:code>/availability-feed/", AvailabilityFeedApi.as_view(), name="availability-feed"),
    path("orders/", OrderListCreateApi.as_view(), name="orders"),
    path("orders/<str:number>/", OrderDetailApi.as_view(), name="order"),
    path("orders/<str:number>/cancel/", OrderCancelApi.as_view(), name="order-cancel"),
    path("reservations/", ReservationCreateApi.as_view(), name="reservations"),
    path("reservations/<str:number>/", ReservationDetailApi.as_view(), name="reservation"),
    path("reservations/<str:number>/cancel/", ReservationCancelApi.as_view(), name="reservation-cancel"),
    path("returns/", ReturnCreateApi.as_view(), name="returns"),
    path("returns/<str:number>/", ReturnDetailApi.as_view(), name="return"),
    path("returns/<str:number>/cancel/", ReturnCancelApi.as_view(), name="return-cancel"),
    path("returns/<str:number>/receive/", ReturnReceiveApi.as_view(), name="return-receive"),
    path("returns/<str:number>/transfer-shipped/", ReturnTransferShippedApi.as_view(), name="return-transfer-shipped"),
    path(
        "returns/<str:number>/transfer-received/", ReturnTransferReceivedApi.as_view(), name="return-transfer-received"
    ),
    path("return-reasons/", ReturnReasonListApi.as_view(), name="return-reasons"),
    path("locations/<str:code>/returns/", LocationReturnListApi.as_view(), name="location-returns"),
    path("tracking-events/", TrackingEventCreateApi.as_view(), name="tracking-events"),
    path("locations/<str:code>/fulfillments/", LocationFulfillmentListApi.as_view(), name="location-fulfillments"),
    path("locations/<str:code>/sales/", LocationSalesApi.as_view(), name="location-sales"),
    path("locations/<str:code>/counts/", LocationCountApi.as_view(), name="location-counts"),
    path("fulfillments/<id:fulfillment_id>/actions/", FulfillmentActionApi.as_view(), name="fulfillment-actions"),
    path("cases/", CaseListApi.as_view(), name="cases"),
    path("cases/<id:case_id>/", CaseDetailApi.as_view(), name="case"),
    path("cases/<id:case_id>/actions/", CaseActionApi.as_view(), name="case-actions"),
    # The contract is public (no data in it): readable without a key, rate-limited per address like the rest.
    path("schema/", SpectacularAPIView.as_view(api_version="v1", **PUBLIC), name="schema"),
    # The split view serves Swagger UI's start script as a file: the page works under our CSP (no inline script).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", **PUBLIC), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", **PUBLIC), name="redoc"),
    re_path(r"^.*$", not_found_view),
]
