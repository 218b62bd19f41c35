"""Returns in the admin: the reasons merchandisers manage, each product's returns by size and reason (on its own
page), the CSV of all of them, and the returns themselves (read-only: they change through the services)."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language

from inventory.admin import ProductAdmin
from inventory.models import Product
from omnichannel.csv_export import csv_response
from orders.admin_inlines import ReadableEventInline, ReadOnlyInline
from orders.models import ExchangeLine, Return, ReturnEvent, ReturnLine, ReturnReason
from orders.returns.selectors import return_reasons_by_sku

CSV_COLUMNS = [
    ("order_line__sku__product__style", "style"),
    ("order_line__sku__product__name", "product"),
    ("order_line__sku__code", "sku"),
    ("order_line__sku__colour", "colour"),
    ("order_line__sku__size", "size"),
    ("reason__code", "reason"),
    ("reason__name_en", "reason_en"),
    ("reason__name_it", "reason_it"),
    ("units", "units_returned"),
    ("received", "units_received"),
    ("returns", "returns"),
]


def reasons_csv(rows: list[dict], filename: str) -> HttpResponse:
    header = [header for _key, header in CSV_COLUMNS]
    return csv_response(filename, header, ([row[key] for key, _header in CSV_COLUMNS] for row in rows))


@admin.register(ReturnReason)
class ReturnReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name_it", "name_en", "means_damaged", "active", "position"]
    list_editable = ["name_it", "name_en", "means_damaged", "active", "position"]
    change_list_template = "admin/orders/returnreason/change_list.html"

    def has_delete_permission(self, request, obj=None):
        return False  # a reason returns were given with stays (deactivate it instead)

    def get_urls(self):
        report = path("report.csv", self.admin_site.admin_view(self.report), name="orders_returnreason_report")
        return [report, *super().get_urls()]

    def report(self, request):
        """Every SKU's returned units per reason, as CSV (a product's only with `?product=<style>`)."""
        product = Product.objects.filter(style=request.GET.get("product", "")).first()
        rows = return_reasons_by_sku(product_id=product.pk if product else None)
        name = f"return-reasons-{product.style if product else 'all'}-{timezone.localdate():%Y%m%d}.csv"
        return reasons_csv(rows, name)


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = [
        "order_line",
        "quantity",
        "quantity_received",
        "reason",
        "sub_reason",
        "note",
        "restocked",
        "sent_to_warehouse",
        "quarantined",
        "written_off",
    ]


class ExchangeLineInline(ReadOnlyInline):
    model = ExchangeLine
    fields = ["sku", "quantity", "unit_price", "hold"]


class ReturnEventInline(ReadableEventInline):
    model = ReturnEvent


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ["number", "how", "location", "customer", "status", "refunded_amount", "created_at"]
    list_filter = ["status", "how", "location", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["number", "customer__email", "customer__name", "lines__order_line__order__number"]
    list_select_related = ["location", "customer"]
    readonly_fields = [f.name for f in Return._meta.fields]
    inlines = [ReturnLineInline, ExchangeLineInline, ReturnEventInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProductWithReturnsAdmin(ProductAdmin):
    """The product's page shows its returns per SKU (size, colour) and reason, with the CSV link."""

    change_form_template = "admin/inventory/product/change_form_with_returns.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        product = Product.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        rows = return_reasons_by_sku(product_id=product.pk) if product else []
        italian = (get_language() or "").startswith("it")
        for row in rows:
            row["reason_name"] = row["reason__name_it"] if italian else row["reason__name_en"]
        extra_context = {
            **(extra_context or {}),
            "return_reasons": rows,
            "product_style": product.style if product else "",
        }
        return super().change_view(request, object_id, form_url, extra_context=extra_context)


admin.site.unregister(Product)


admin.site.register(Product, ProductWithReturnsAdmin)
