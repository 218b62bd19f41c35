from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from notifications.messages import MESSAGES
from notifications.models import MarketingBlock, MessageTemplate, Notification, TrackingPageView
from notifications.webhook_models import WebhookDelivery, WebhookEndpoint


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

    # Links without a scheme are read as https (Django 6 default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

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


SAMPLE_CONTEXT = {
    "brand": "Brunello",
    "number": "BR-7KQ3X9M2",
    "total": "129.80 EUR",
    "tracking_url": "https://oms.example.com/track/…/",
    "refund": "29.90 EUR",
    "carrier": "BRT",
    "store": "Brunello Milano Corso Buenos Aires",
    "store_address": "Corso Buenos Aires 33, Milano",
    "pickup_code": "482913",
    "pickup_deadline": "30/11/2026 19:30",
    "sku_name": "MAG001-GRI-M",
    "reserved_until": "mercoledì 25 novembre, 19:30",
    "reservation_url": "https://oms.example.com/reservation/…/",
}


class MessageTemplateForm(forms.ModelForm):
    event = forms.ChoiceField(choices=[(name, name) for name in MESSAGES])

    class Meta:
        model = MessageTemplate
        fields = ["event", "channel", "locale", "subject", "body", "active"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Head office's wording per event × channel × language; the built-in text applies where none is active."""

    form = MessageTemplateForm
    list_display = ["event", "channel", "locale", "active", "updated_at"]
    list_filter = ["event", "channel", "locale", "active"]
    readonly_fields = ["preview"]

    @admin.display(description=_("Preview with a sample order"))
    def preview(self, obj):
        if not obj or not obj.pk:
            return _("Save to see a preview.")
        subject, body = obj.render(SAMPLE_CONTEXT)
        return format_html(
            '<div data-testid="preview"><strong>{}</strong><pre style="white-space:pre-wrap">{}</pre></div>',
            subject,
            body,
        )


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    fields = ["created_at", "event_type", "webhook_id", "status", "attempts", "last_status_code", "last_error"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """A channel's webhook endpoints; one failing for a day or more is marked (head office looks at it)."""

    # Links without a scheme are read as https (Django 6 default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["url", "channel", "active", "event_types", "failing_since", "failing_for_a_day", "disabled_reason"]
    list_filter = ["active", "channel"]
    search_fields = ["url", "channel__code"]
    fields = [
        "channel",
        "url",
        "event_types",
        "active",
        "secret",
        "previous_secret",
        "disabled_reason",
        "failing_since",
    ]
    readonly_fields = ["disabled_reason", "failing_since"]
    inlines = [WebhookDeliveryInline]

    @admin.display(boolean=True, description=_("failing for a day"))
    def failing_for_a_day(self, obj):
        from notifications.webhooks import failing_for_a_day

        return failing_for_a_day().filter(pk=obj.pk).exists()


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every message to every endpoint, its attempts and last answer; "send again" sends the same
    message (same webhook-id) now."""

    list_display = ["created_at", "endpoint", "event_type", "status", "attempts", "last_status_code", "webhook_id"]
    list_filter = ["status", "event_type", "endpoint__channel"]
    search_fields = ["webhook_id", "endpoint__url"]
    list_select_related = ["endpoint"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again"))
    def send_again(self, request, queryset):
        from notifications import webhooks

        for delivery in queryset:
            webhooks.send_again(delivery=delivery)
        self.message_user(request, _("%(n)s deliveries will be sent again.") % {"n": queryset.count()})
