"""Domain events of the inventory app. Upper apps connect receivers in their AppConfig.ready; receivers run inside
the transaction that sent the event, so what they write (a store task, a case) commits or rolls back with it."""

from django.dispatch import Signal

# The books and the shelf disagree at a location, beyond what is simply corrected: kwargs `location` (row),
# `sku` (row), `units` (the difference: + found, - missing), `reason` (machine word: "till_oversold", "count"),
# `facts` (dict for the case), `open_case` (bool: large enough that a person must look at it, not only recount),
# `incident_key` (one case per incident).
stock_discrepancy = Signal()

# Stock rows changed (on-hand, committed or safety stock), from every path that writes them, inside the writing
# transaction: kwargs `level_ids` (frozenset of StockLevel ids). What a channel may sell may have moved: the channel
# change log (the availability feed and its webhooks) hooks in here, through `inventory.services.stock_moved`.
stock_changed = Signal()
