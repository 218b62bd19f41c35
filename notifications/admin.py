from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import MarketingBlock, Notification, TrackingPageView


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "channel", "recipient", "status", "attempts", "send_after", "order"]
    list_filter = ["status", "channel", "event", "locale"]
    search_fields = ["recipient", "order__number", "provider_message_id"]
    list_select_related = ["order"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again now"))
    def resend(self, request, queryset):
        count = queryset.exclude(status=Notification.Status.SENDING).update(
            status=Notification.Status.PENDING, send_after=timezone.now(), attempts=0, last_error=""
        )
        messages.success(request, _("%(n)s notifications queued again.") % {"n": count})


@admin.register(MarketingBlock)
class MarketingBlockAdmin(admin.ModelAdmin):
    """Shown on tracking pages and in shipping emails, to customers who gave marketing consent only."""

    list_display = ["headline_en", "coupon_code", "active", "updated_at"]
    list_filter = ["active"]


@admin.register(TrackingPageView)
class TrackingPageViewAdmin(admin.ModelAdmin):
    list_display = ["order", "at"]
    date_hierarchy = "at"
    search_fields = ["order__number"]
    list_select_related = ["order"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
