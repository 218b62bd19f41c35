"""Reactions to other apps' domain events (connected in SupportPlaybookConfig.ready)."""

from django.utils.translation import gettext as _

SHORT_PICK_EVENTS = {"item_missing", "item_short_recovered"}


def recount_after_short_pick(sender, event, **kwargs):
    """Units not found while picking: the location counts that item again (its books may be wrong for more than
    the units this order missed)."""
    if event.type not in SHORT_PICK_EVENTS or event.fulfillment_id is None:
        return
    from inventory.models import SKU
    from support_playbook.services import open_recount

    fulfillment = event.fulfillment
    sku = SKU.objects.filter(code=event.data.get("sku")).first()
    if sku is None:
        return
    open_recount(
        location=fulfillment.source_location,
        sku=sku,
        order=event.order,
        reason=_("%(quantity)s not found picking order %(number)s")
        % {"quantity": event.data.get("quantity", ""), "number": event.order.number},
    )
