"""Reads of returns for the API, the store's returns desk and the customer's return page."""

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from omnichannel.errors import NotFound
from omnichannel.phones import phone_in_query
from orders.models import ExchangeLine, Order, Return, ReturnEvent, ReturnLine


def return_detail_queryset() -> QuerySet:
    """Everything a return's page or answer shows, in a fixed number of queries (and what its refund needs)."""
    return Return.objects.select_related(
        "channel", "customer", "location", "drop_off", "exchange_order"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=ReturnLine.objects.select_related(
                "order_line__sku__product", "order_line__order__payment", "reason"
            ).prefetch_related("order_line__order__lines"),
        ),
        Prefetch("exchange_lines", queryset=ExchangeLine.objects.select_related("sku__product")),
        Prefetch(
            "events", queryset=ReturnEvent.objects.select_related(*ReturnEvent.ACTOR_RELATIONS).order_by("at", "id")
        ),
    )


def return_for_channel(*, number: str, channel_id: int | None) -> Return:
    """The return with this number if `channel_id` may see it (a channel sees its own only)."""
    returns = return_detail_queryset().filter(number=number)
    if channel_id is not None:
        returns = returns.filter(channel_id=channel_id)
    found = returns.first()
    if found is None:
        raise NotFound(f"Unknown return: {number}", details={"number": number})
    return found


def return_at(*, location, number: str) -> Return:
    """A return received at this location; 404 for any other (a store does not see another store's returns)."""
    found = return_detail_queryset().filter(location=location, number=number).first()
    if found is None:
        raise NotFound(f"Unknown return: {number}", details={"number": number})
    return found


def return_by_token(token: str) -> Return:
    found = return_detail_queryset().filter(token=token).first()
    if found is None:
        raise NotFound("Unknown return.")
    return found


def returns_at(*, location, status: str = "") -> QuerySet:
    """Returns this location receives, the ones still to come first."""
    returns = (
        Return.objects.filter(location=location)
        .select_related("customer", "drop_off")
        .prefetch_related("lines__order_line__sku__product")
    )
    if status:
        returns = returns.filter(status=status)
    return returns


def expected_returns(*, location) -> QuerySet:
    return returns_at(location=location).filter(status__in=Return.EXPECTED)


def _contact_match(query: str) -> Q:
    """An order's or a return's email or phone (typed any way), given with it or on its customer."""
    condition = Q(contact_email__iexact=query) | Q(customer__email__iexact=query)
    phone = phone_in_query(query)
    if phone:
        condition |= Q(contact_phone=phone) | Q(customer__phone=phone)
    return condition


def find_for_return(query: str) -> list[Order]:
    """Orders a customer at the counter may return from, found by order number, return number, email or phone
    (typed any way): the newest first, at most 20."""
    query = (query or "").strip()
    if not query:
        return []
    condition = Q(number__iexact=query) | Q(lines__return_lines__return_request__number__iexact=query)
    condition |= _contact_match(query)
    return list(Order.objects.filter(condition).select_related("customer").distinct().order_by("-created_at")[:20])


def return_reasons_by_sku(*, product_id: int | None = None) -> list[dict]:
    """Units returned (announced on returns that were not cancelled) per SKU and reason, the most returned first:
    what merchandisers read on a product's page and export as CSV."""
    rows = ReturnLine.objects.exclude(return_request__status=Return.Status.CANCELLED)
    if product_id is not None:
        rows = rows.filter(order_line__sku__product_id=product_id)
    return list(
        rows.values(
            "order_line__sku__product__style",
            "order_line__sku__product__name",
            "order_line__sku__code",
            "order_line__sku__colour",
            "order_line__sku__size",
            "reason__code",
            "reason__name_en",
            "reason__name_it",
        )
        .annotate(
            units=Sum("quantity"), received=Sum("quantity_received"), returns=Count("return_request", distinct=True)
        )
        .order_by("-units", "order_line__sku__code", "reason__code")
    )


def returns_matching(*, location, query: str) -> QuerySet:
    """This location's returns found by return or order number, email or phone (typed any way)."""
    query = (query or "").strip()
    condition = Q(number__iexact=query) | Q(lines__order_line__order__number__iexact=query) | _contact_match(query)
    ids = Return.objects.filter(condition, location=location).values("pk")
    return returns_at(location=location).filter(pk__in=ids).order_by("-created_at")


def transfers_to(*, location) -> QuerySet:
    """Returned units stores sent on to this location (the returns centre) and not booked in yet."""
    return (
        Return.objects.filter(
            transfer_shipped_at__isnull=False, transfer_received_at__isnull=True, lines__sent_to_warehouse__gt=0
        )
        .exclude(location=location)
        .select_related("location")
        .prefetch_related("lines__order_line__sku__product")
        .distinct()
        .order_by("transfer_shipped_at")
    )
