from django.contrib import admin

from support_playbook.models import StoreTask


@admin.register(StoreTask)
class StoreTaskAdmin(admin.ModelAdmin):
    list_display = ["id", "location", "kind", "sku", "status", "reason", "created_at", "closed_at"]
    list_filter = ["status", "kind", "location"]
    search_fields = ["sku__code", "order__number", "reason"]
    list_select_related = ["location", "sku"]
    readonly_fields = [f.name for f in StoreTask._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
