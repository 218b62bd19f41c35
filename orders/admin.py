from django.contrib import admin
from django.utils import timezone

from orders import selectors
from orders.models import (
    Customer,
    Fulfillment,
    FulfillmentLine,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Reservation,
    ReservationEvent,
    ReservationLine,
    TrackingEvent,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "quantity", "unit_price", "quantity_cancelled", "quantity_short"]


class FulfillmentInline(ReadOnlyInline):
    model = Fulfillment
    fields = ["source_location", "pickup_location", "flow", "status", "carrier", "tracking_number", "pickup_deadline"]
    show_change_link = True


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "type", "fulfillment", "data", "actor"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["provider", "reference", "currency", "authorized_amount", "captured_amount", "refunded_amount"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Head office reads orders here; every change goes through the services (API, store dashboard)."""

    list_display = ["number", "channel", "customer", "method", "status", "total", "created_at"]
    list_filter = ["status", "method", "channel", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["number", "external_id", "customer__email", "customer__name"]
    list_select_related = ["channel", "customer"]
    readonly_fields = [f.name for f in Order._meta.fields]
    inlines = [OrderLineInline, FulfillmentInline, PaymentInline, OrderEventInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FulfillmentLineInline(ReadOnlyInline):
    model = FulfillmentLine
    fields = ["order_line", "quantity", "quantity_cancelled", "quantity_short", "hold"]


class TrackingEventInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ["occurred_at", "carrier", "event_id", "status", "location", "description"]


@admin.register(Fulfillment)
class FulfillmentAdmin(admin.ModelAdmin):
    list_display = ["order", "source_location", "pickup_location", "flow", "status", "carrier", "tracking_number"]
    list_filter = ["status", "flow", "method", "source_location"]
    search_fields = ["order__number", "tracking_number"]
    list_select_related = ["order", "source_location", "pickup_location"]
    readonly_fields = [f.name for f in Fulfillment._meta.fields]
    inlines = [FulfillmentLineInline, TrackingEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "phone", "locale", "marketing_consent", "created_at"]
    list_filter = ["locale", "marketing_consent"]
    search_fields = ["email", "name", "phone"]


class ReservationLineInline(ReadOnlyInline):
    model = ReservationLine
    fields = ["sku", "quantity", "quantity_purchased", "hold"]


class ReservationEventInline(ReadOnlyInline):
    model = ReservationEvent
    fields = ["at", "type", "data", "actor"]


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    """Head office reads reservations and their KPIs here (last 30 days, per store and network); stores act on
    them in their dashboard, customers through the API."""

    list_display = ["number", "location", "customer", "status", "created_at", "expires_at", "closed_at"]
    list_filter = ["status", "location", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["number", "customer__email", "customer__name", "customer__phone", "pos_receipt"]
    list_select_related = ["location", "customer"]
    readonly_fields = [f.name for f in Reservation._meta.fields]
    inlines = [ReservationLineInline, ReservationEventInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        since = timezone.now() - selectors.KPI_PERIOD
        extra_context = {
            **(extra_context or {}),
            "kpis_by_store": selectors.reservation_kpis_by_store(since=since),
            "kpis_network": selectors.reservation_kpis(since=since),
        }
        return super().changelist_view(request, extra_context=extra_context)
