"""The store's returns desk: buy online, return in store at the counter, and returns announced for this store;
form errors write nothing, another store's return is a 404."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import services
from orders.models import Return
from tests.orders.helpers import money
from tests.orders.returns_helpers import available, delivered, line, rnet, stock_row  # noqa: F401  (fixture)
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mi01_staff(client, rnet):  # noqa: F811
    user = UserFactory(username="mi01.associate", first_name="Paola")
    StoreMembershipFactory(user=user, location=rnet["MI01"])
    client.force_login(user)
    return user


def test_a_customer_at_the_counter_is_found_by_phone_and_refunded_on_the_spot(client, rnet, mi01_staff):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 2, "20.00")])
    desk = client.get("/dashboard/MI01/returns/", {"q": "333 123 4567"})
    assert [o.number for o in desk.context["orders"]] == [order.number]

    start = client.get(f"/dashboard/MI01/returns/order/{order.number}/")
    assert start.status_code == 200
    order_line = order.lines.get()
    response = client.post(
        f"/dashboard/MI01/returns/order/{order.number}/",
        {f"quantity_{order_line.pk}": 2, f"reason_{order_line.pk}": "damaged", f"note_{order_line.pk}": "stain"},
    )
    return_request = Return.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/returns/{return_request.number}/")
    assert return_request.how == "in_store" and return_request.location == rnet["MI01"]
    assert return_request.events.get(type="requested").actor == mi01_staff

    page = client.get(f"/dashboard/MI01/returns/{return_request.number}/")
    assert page.context["preview"].amount == Decimal("40.00")
    before = available(rnet, "MI01", "TEE-M")
    return_line = return_request.lines.get()
    receipt = {f"restock_here_{return_line.pk}": 1, f"write_off_{return_line.pk}": 1, "confirm": "on"}
    # A damaged unit at the desk: the associate must say whether it is refunded now or decided by customer care.
    undecided = client.post(f"/dashboard/MI01/returns/{return_request.number}/receive/", receipt)
    assert undecided.status_code == 422 and 'data-testid="damaged-refund-error"' in undecided.content.decode()
    response = client.post(
        f"/dashboard/MI01/returns/{return_request.number}/receive/", {**receipt, "damaged_refund": "now"}
    )
    assert response.status_code == 302
    return_request.refresh_from_db()
    assert return_request.status == Return.Status.CLOSED
    assert available(rnet, "MI01", "TEE-M") == before + 1
    assert money(order)[2] == Decimal("40.00")
    done = client.get(f"/dashboard/MI01/returns/{return_request.number}/").content.decode()
    assert "40.00 EUR" in done and 'data-testid="written-off">1<' in done


def test_form_errors_write_nothing(client, rnet, mi01_staff):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    order_line = order.lines.get()
    nothing = client.post(f"/dashboard/MI01/returns/order/{order.number}/", {f"quantity_{order_line.pk}": 0})
    assert nothing.status_code == 422 and Return.objects.count() == 0
    no_reason = client.post(f"/dashboard/MI01/returns/order/{order.number}/", {f"quantity_{order_line.pk}": 1})
    assert no_reason.status_code == 422 and Return.objects.count() == 0
    too_many = client.post(
        f"/dashboard/MI01/returns/order/{order.number}/",
        {f"quantity_{order_line.pk}": 2, f"reason_{order_line.pk}": "too_small"},
    )
    assert too_many.status_code == 422 and Return.objects.count() == 0

    return_request = services.request_return(how="in_store", location=rnet["MI01"], lines=[line(order, "TEE-M")])
    return_line = return_request.lines.get()
    on_hand = stock_row(rnet, "MI01", "TEE-M")
    unconfirmed = client.post(
        f"/dashboard/MI01/returns/{return_request.number}/receive/", {f"restock_here_{return_line.pk}": 1}
    )
    assert unconfirmed.status_code == 422
    over = client.post(
        f"/dashboard/MI01/returns/{return_request.number}/receive/",
        {f"restock_here_{return_line.pk}": 1, f"quarantine_{return_line.pk}": 1, "confirm": "on"},
    )
    assert over.status_code == 422 and "announced" in over.content.decode()
    return_request.refresh_from_db()
    assert return_request.status == Return.Status.REQUESTED and stock_row(rnet, "MI01", "TEE-M") == on_hand


def test_returns_announced_for_this_store_wait_on_the_desk_and_others_are_hidden(client, rnet, mi01_staff):  # noqa: F811
    here = services.request_return(
        how="in_store", location=rnet["MI01"], lines=[line(delivered(rnet, [("TEE-M", 1, "20.00")]), "TEE-M")]
    )
    elsewhere = services.request_return(
        how="in_store",
        location=rnet["MI02"],
        lines=[line(delivered(rnet, [("TEE-M", 1, "20.00")], email="marco@example.com"), "TEE-M")],
    )
    desk = client.get("/dashboard/MI01/returns/")
    assert [r.number for r in desk.context["expected"]] == [here.number]
    assert elsewhere.number not in desk.content.decode()
    assert client.get(f"/dashboard/MI01/returns/{elsewhere.number}/").status_code == 404
    assert client.post(f"/dashboard/MI01/returns/{elsewhere.number}/receive/", {}).status_code == 404
    home = client.get("/dashboard/MI01/").content.decode()
    assert "/dashboard/MI01/returns/" in home  # the menu entry, with its badge


def test_cancel_at_the_counter(client, rnet, mi01_staff):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    return_request = services.request_return(how="in_store", location=rnet["MI01"], lines=[line(order, "TEE-M")])
    response = client.post(f"/dashboard/MI01/returns/{return_request.number}/cancel/", {"cancel-reason": "kept"})
    assert response.status_code == 302
    return_request.refresh_from_db()
    assert return_request.status == Return.Status.CANCELLED


def test_the_desk_reads_in_a_fixed_number_of_queries(client, rnet, mi01_staff):  # noqa: F811
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/dashboard/MI01/returns/").status_code == 200
        return len(queries)

    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    services.request_return(how="in_store", location=rnet["MI01"], lines=[line(order, "TEE-M")])
    one = count()
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        other = delivered(rnet, [("TEE-M", 1, "20.00")], email=email)
        services.request_return(how="in_store", location=rnet["MI01"], lines=[line(other, "TEE-M")])
    assert count() == one


def test_a_store_sends_units_on_and_the_warehouse_books_them_in(client, rnet, mi01_staff):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "20.00")])
    return_request = services.request_return(how="in_store", location=rnet["MI01"], lines=[line(order, "TEE-M")])
    return_line = return_request.lines.get()
    client.post(
        f"/dashboard/MI01/returns/{return_request.number}/receive/",
        {f"send_to_warehouse_{return_line.pk}": 1, "confirm": "on"},
    )
    page = client.get(f"/dashboard/MI01/returns/{return_request.number}/").content.decode()
    assert 'data-testid="transfer"' in page
    assert client.post(f"/dashboard/MI01/returns/{return_request.number}/transfer/").status_code == 302
    return_request.refresh_from_db()
    assert return_request.transfer_shipped_at is not None

    warehouse = UserFactory(username="wh01.associate")
    StoreMembershipFactory(user=warehouse, location=rnet["WH01"])
    client.force_login(warehouse)
    desk = client.get("/dashboard/WH01/returns/")
    assert [r.number for r in desk.context["transfers"]] == [return_request.number]
    centre = stock_row(rnet, "WH01", "TEE-M")
    assert client.post(f"/dashboard/WH01/returns/{return_request.number}/transfer-received/").status_code == 302
    assert stock_row(rnet, "WH01", "TEE-M")[0] == centre[0] + 1
    assert list(client.get("/dashboard/WH01/returns/").context["transfers"]) == []


def test_the_counter_takes_an_item_back_for_another_size_held_in_the_store(client, rnet, mi01_staff, settings):  # noqa: F811
    """The customer wants an L instead of the M: the associate chooses it on the same form; the L is held on the
    store's shelf at once, and receiving the M makes it the customer's click & collect order here, not a refund."""
    from inventory import services as stock
    from tests.inventory.factories import SKUFactory

    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    rnet["skus"]["TEE-L"] = large = SKUFactory(
        code="TEE-L", product=rnet["skus"]["TEE-M"].product, size="L", colour="Nero"
    )
    stock.receive_stock(location=rnet["MI01"], sku=large, quantity=1)
    order_line = order.lines.get()

    page = client.get(f"/dashboard/MI01/returns/order/{order.number}/").content.decode()
    assert "Money back" in page and "Exchange for Nero, size L" in page
    response = client.post(
        f"/dashboard/MI01/returns/order/{order.number}/",
        {f"quantity_{order_line.pk}": 1, f"reason_{order_line.pk}": "too_small", f"exchange_{order_line.pk}": "TEE-L"},
    )
    assert response.status_code == 302
    return_request = Return.objects.get()
    assert [(x.sku.code, x.quantity) for x in return_request.exchange_lines.all()] == [("TEE-L", 1)]
    assert stock_row(rnet, "MI01", "TEE-L") == (1, 1)  # held for the customer at once

    return_line = return_request.lines.get()
    client.post(
        f"/dashboard/MI01/returns/{return_request.number}/receive/",
        {f"restock_here_{return_line.pk}": 1, "confirm": "on"},
    )
    return_request.refresh_from_db()
    replacement = return_request.exchange_order
    assert replacement.method == "store_pickup" and replacement.pickup_location == rnet["MI01"]
    assert [(x.sku.code, x.unit_price) for x in replacement.lines.all()] == [("TEE-L", Decimal("29.90"))]
    assert return_request.refunded_amount == Decimal("0.00") and money(order)[2] == Decimal("0.00")


def test_an_exchange_for_a_size_nobody_has_is_refused_and_writes_nothing(client, rnet, mi01_staff):  # noqa: F811
    from tests.inventory.factories import SKUFactory

    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    SKUFactory(code="TEE-XL", product=rnet["skus"]["TEE-M"].product, size="XL")
    order_line = order.lines.get()
    response = client.post(
        f"/dashboard/MI01/returns/order/{order.number}/",
        {f"quantity_{order_line.pk}": 1, f"reason_{order_line.pk}": "too_small", f"exchange_{order_line.pk}": "TEE-XL"},
    )
    assert response.status_code == 409
    assert 'data-testid="form-error"' in response.content.decode()
    assert Return.objects.count() == 0 and order.lines.get().quantity_returned == 0
