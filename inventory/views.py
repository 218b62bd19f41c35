from django.shortcuts import render
from django.utils.translation import gettext as _

from inventory.selectors import stock_lookup as stock_lookup_selector
from stores.access import store_member_required


@store_member_required
def stock_lookup(request):
    """Search by SKU, GTIN or name: this store's on hand / committed / available and the nearest stores'."""
    query = request.GET.get("q", "").strip()
    context = {"query": query, "page_title": _("Stock lookup")}
    if query:
        context.update(stock_lookup_selector(location=request.location, query=query))
    return render(request, "inventory/stock_lookup.html", context)
