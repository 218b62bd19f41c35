from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from orders.admin_inlines import ReadableEventInline, ReadOnlyInline
from orders.fulfillment import sourcing
from orders.models import (
    Customer,
    Fulfillment,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "quantity", "unit_price", "quantity_cancelled", "quantity_short"]


class FulfillmentInline(ReadOnlyInline):
    model = Fulfillment
    fields = ["source_location", "pickup_location", "flow", "status", "carrier", "tracking_number", "pickup_deadline"]
    show_change_link = True


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
                        sourcing.reason_words(row),
                    )
                    for row in rows
                ),
            ),
        )


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "phone", "locale", "marketing_consent", "created_at"]
    list_filter = ["locale", "marketing_consent"]
    search_fields = ["email", "name", "phone"]
