"""Admin pages of parcels (fulfillments)."""

from django.contrib import admin

from orders.admin_inlines import ReadOnlyInline
from orders.models import (
    Fulfillment,
    FulfillmentLine,
    TrackingEvent,
)


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
