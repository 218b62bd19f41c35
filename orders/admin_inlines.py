"""Read-only inlines every orders admin page shares: lines and timelines are written by services, never by hand."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def readable_data(data: dict):
    """An event's data as "key: value" lines instead of raw JSON (nested values stay compact)."""
    if not data:
        return "–"
    return format_html_join(mark_safe("<br>"), "<strong>{}</strong>: {}", ((k, v) for k, v in data.items()))


class ReadableEventInline(ReadOnlyInline):
    """A timeline row: when, what (in words), details and who, readable."""

    fields = ["at", "what", "details", "who"]

    @admin.display(description=_("event"))
    def what(self, event):
        return event.get_type_display()

    @admin.display(description=_("details"))
    def details(self, event):
        return readable_data({k: v for k, v in event.data.items() if k != "explanation"})

    @admin.display(description=_("by"))
    def who(self, event):
        return event.actor_label or "–"
