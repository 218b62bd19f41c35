from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores import services
from stores.models import ApiKey, AuditEntry, Location, SalesChannel, StoreMembership


class StoreMembershipInline(admin.TabularInline):
    model = StoreMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "city", "fulfillment_priority", "active"]
    list_filter = ["kind", "active", "country", "city"]
    search_fields = ["code", "name", "city", "postcode"]
    inlines = [StoreMembershipInline]


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ["prefix", "kind", "name", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "kind", "name", "created_at", "revoked_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SalesChannel)
class SalesChannelAdmin(admin.ModelAdmin):
    # Links without a scheme are read as https (Django 6 default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "code",
        "name",
        "kind",
        "safety_buffer",
        "publish_zero_at_or_below",
        "max_listed_quantity",
        "currency",
        "active",
    ]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["source_locations"]
    inlines = [ApiKeyInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "kind", "channel", "location", "carrier", "name", "created_at", "revoked_at"]
    list_filter = ["kind", "channel", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "channel__code", "location__code", "carrier"]
    fields = ["kind", "channel", "location", "carrier", "name", "prefix", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        owner = ["kind", "channel", "location", "carrier"]
        return [*self.readonly_fields, *owner] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "updated_at"])
            return
        api_key, raw_key = services.create_api_key(
            kind=obj.kind, channel=obj.channel, location=obj.location, carrier=obj.carrier, name=obj.name
        )
        obj.pk = api_key.pk
        obj.prefix = api_key.prefix
        messages.warning(request, _("The new API key (shown only now): %(key)s") % {"key": raw_key})

    @admin.action(description=_("Revoke the selected API keys"))
    def revoke(self, request, queryset):
        for api_key in queryset:
            services.revoke_api_key(api_key=api_key)
        messages.success(request, _("Revoked %(n)s keys.") % {"n": queryset.count()})


@admin.register(StoreMembership)
class StoreMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "location", "role"]
    list_filter = ["role", "location"]
    search_fields = ["user__username", "user__email", "location__code", "location__name"]
    autocomplete_fields = ["user", "location"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log of what customer care and head office did, as it happened."""

    list_display = ["at", "actor", "api_key", "action", "target", "reason"]
    list_filter = ["action"]
    search_fields = ["target", "actor__username", "reason"]
    list_select_related = ["actor", "api_key"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
