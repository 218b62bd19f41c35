from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

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


def readable_data(data: dict):
    """An event's data as "key: value" lines instead of raw JSON (nested values stay compact)."""
    if not data:
        return "–"
    return format_html_join(mark_safe("<br>"), "<strong>{}</strong>: {}", ((k, v) for k, v in data.items()))


class ReadableEventInline(ReadOnlyInline):
    """A timeline row: when, what (in words), details and who, readable."""

    @admin.display(description=_("event"))
    def what(self, event):
        from orders.templatetags.orders_tags import event_label

        return event_label(event.type)

    @admin.display(description=_("details"))
    def details(self, event):
        return readable_data({k: v for k, v in event.data.items() if k != "explanation"})

    @admin.display(description=_("by"))
    def who(self, event):
        return event.actor_label or "–"


class OrderEventInline(ReadableEventInline):
    model = OrderEvent
    fields = ["at", "what", "fulfillment", "details", "who"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = [
        "provider",
        "reference",
        "currency",
        "authorized_amount",
        "captured_amount",
        "refunded_amount",
        "released_amount",
    ]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Head office reads orders here; every change goes through the services (API, store dashboard)."""

    list_display = ["number", "channel", "customer", "method", "status", "total", "created_at"]
    list_filter = ["status", "method", "channel", "price_review", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["number", "external_id", "customer__email", "customer__name"]
    list_select_related = ["channel", "customer"]
    # The JSON columns are shown readably (below), not as raw JSON.
    readonly_fields = [
        *(f.name for f in Order._meta.fields if f.name not in ("shipping_address", "sourcing")),
        "shipping_address_readable",
        "sourcing_readable",
    ]
    exclude = ["shipping_address", "sourcing"]
    inlines = [OrderLineInline, FulfillmentInline, PaymentInline, OrderEventInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("shipping address"))
    def shipping_address_readable(self, order):
        address = order.shipping_address or {}
        if not address:
            return "–"
        lines = [
            address.get("name", ""),
            address.get("line1", ""),
            address.get("line2", ""),
            " ".join(filter(None, [address.get("postcode", ""), address.get("city", ""), address.get("country", "")])),
            address.get("phone", ""),
        ]
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines if line))

    @admin.display(description=_("sourcing explanation"))
    def sourcing_readable(self, order):
        from orders.templatetags.orders_tags import sourcing_reason

        rows = (order.sourcing or {}).get("explanation", [])
        if not rows:
            return "–"
        return format_html(
            "<table><thead><tr><th>{}</th><th>km</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("Location"),
            _("Units available"),
            _("Decision"),
            format_html_join(
                "",
                "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        row["location"],
                        " ✔" if row.get("chosen") else "",
                        row.get("distance_km") if row.get("distance_km") is not None else "–",
                        row.get("available_units", row.get("covers_units", "")),
                        sourcing_reason(row),
                    )
                    for row in rows
                ),
            ),
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


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "phone", "locale", "marketing_consent", "created_at"]
    list_filter = ["locale", "marketing_consent"]
    search_fields = ["email", "name", "phone"]


class ReservationLineInline(ReadOnlyInline):
    model = ReservationLine
    fields = ["sku", "quantity", "quantity_purchased", "hold"]


class ReservationEventInline(ReadableEventInline):
    model = ReservationEvent
    fields = ["at", "what", "details", "who"]

    @admin.display(description=_("event"))
    def what(self, event):
        from orders.templatetags.orders_tags import reservation_event_label

        return reservation_event_label(event.type)


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


from orders import return_admin  # noqa: E402, F401  (registers the returns' admin pages)
