import pytest

from inventory.models import StockLevel
from orders import services
from orders.models import Fulfillment
from tests.orders.conftest import HOME_MILAN
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(net, fulfillment, action=""):
    base = f"/dashboard/MI01/orders/{fulfillment.pk}/"
    return f"{base}{action}/" if action else base


def test_the_queue_lists_this_stores_work_only(client, net, mi01_staff):
    pickup = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    other = place(net, [("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "MI02"})
    page = client.get("/dashboard/MI01/orders/")
    assert [f.order.number for f in page.context["to_prepare"]] == [pickup.number]
    assert other.number not in page.content.decode()
    assert client.get(url(net, other.fulfillments.get())).status_code == 404
    home = client.get("/dashboard/MI01/").content.decode()
    assert 'data-panel="orders_today"' in home and 'data-menu="orders"' in home


def test_pick_ready_wrong_code_then_hand_over(client, net, mi01_staff):
    order = place(net, [("TEE-M", 2, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    assert client.post(url(net, fulfillment, "start_picking")).status_code == 302
    assert client.post(url(net, fulfillment, "ready")).status_code == 302
    fulfillment.refresh_from_db()
    wrong = "000000" if fulfillment.pickup_code != "000000" else "111111"
    response = client.post(url(net, fulfillment, "hand_over"), {"pickup_code": wrong})
    assert response.status_code == 422 and "does not match" in response.content.decode()
    fulfillment.refresh_from_db()
    assert fulfillment.status == "ready_for_pickup"
    short = client.post(url(net, fulfillment, "hand_over"), {"pickup_code": "12"})
    assert short.status_code == 422
    response = client.post(url(net, fulfillment, "hand_over"), {"pickup_code": fulfillment.pickup_code}, follow=True)
    assert response.status_code == 200
    fulfillment.refresh_from_db()
    assert fulfillment.status == "collected"
    level = StockLevel.objects.get(location=net["MI01"], sku=net["skus"]["TEE-M"])
    assert (level.on_hand, level.committed) == (0, 0)
    assert "collected" in response.content.decode()


def test_illegal_actions_are_refused_and_change_nothing(client, net, mi01_staff):
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    response = client.post(url(net, fulfillment, "hand_over"), {"pickup_code": "123456"})
    assert response.status_code == 409
    assert client.post(url(net, fulfillment, "ship"), {"carrier": "BRT", "tracking_number": "1"}).status_code == 409
    assert client.get(url(net, fulfillment, "start_picking")).status_code == 405
    fulfillment.refresh_from_db()
    assert fulfillment.status == "pending"


def test_report_missing_from_the_page(client, net, mi01_staff):
    order = place(net, [("TEE-M", 2, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    line = fulfillment.lines.get()
    too_many = client.post(url(net, fulfillment, "report_missing"), {"line": line.pk, "quantity": 5})
    assert too_many.status_code == 400
    client.post(url(net, fulfillment, "report_missing"), {"line": line.pk, "quantity": 1})
    line.refresh_from_db()
    assert line.quantity_short == 1
    # MI01 was the pickup store's own shelf: the missing tee now travels from the warehouse (ship-to-store), and
    # the customer is told it arrives later.
    recovered = order.fulfillments.exclude(pk=fulfillment.pk).get()
    assert (recovered.source_location.code, recovered.flow) == ("WH01", "ship_to_store")
    assert order.events.filter(type="pickup_delayed").count() == 1


def test_ship_from_store_needs_carrier_and_tracking(client, net, mi01_staff):
    order = place(net, [("TEE-M", 1, "19.90")], {**HOME_MILAN, "speed": "same_day"})
    fulfillment = order.fulfillments.get()
    assert fulfillment.source_location.code == "MI01"
    client.post(url(net, fulfillment, "start_picking"))
    client.post(url(net, fulfillment, "pack"))
    assert client.post(url(net, fulfillment, "ship"), {"carrier": "", "tracking_number": ""}).status_code == 422
    client.post(url(net, fulfillment, "ship"), {"carrier": "Glovo", "tracking_number": "GL-1"})
    fulfillment.refresh_from_db()
    assert (fulfillment.status, fulfillment.carrier) == ("shipped", "Glovo")


def test_a_ship_to_store_parcel_is_received_by_the_pickup_store(client, net):
    order = place(net, [("JEANS-42", 1, "89.90")], {"method": "store_pickup", "pickup_location": "BG01"})
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    services.mark_packed(fulfillment=fulfillment)
    services.ship_fulfillment(fulfillment=fulfillment, carrier="BRT", tracking_number="T")
    user = UserFactory(username="bg01.associate")
    StoreMembershipFactory(user=user, location=net["BG01"])
    client.force_login(user)
    page = client.get("/dashboard/BG01/orders/")
    assert [f.order.number for f in page.context["incoming"]] == [order.number]
    detail = client.get(f"/dashboard/BG01/orders/{fulfillment.pk}/")
    assert "receive" in detail.context["actions"] and "Why it is sourced from here" in detail.content.decode()
    client.post(f"/dashboard/BG01/orders/{fulfillment.pk}/receive/")
    client.post(f"/dashboard/BG01/orders/{fulfillment.pk}/ready/")
    assert Fulfillment.objects.get(pk=fulfillment.pk).status == "ready_for_pickup"


def test_the_warehouse_queue_shows_only_what_a_warehouse_does(client, net):
    """No till and no incoming customer parcels in a warehouse; a store with those capabilities has both."""
    user = UserFactory(username="wh01.manager")
    StoreMembershipFactory(user=user, location=net["WH01"], role="manager")
    StoreMembershipFactory(user=user, location=net["MI01"], role="manager")
    client.force_login(user)
    warehouse = client.get("/dashboard/WH01/orders/").content.decode()
    assert "To prepare" in warehouse
    assert "Waiting at the till" not in warehouse and "Parcels coming to this store" not in warehouse
    store = client.get("/dashboard/MI01/orders/").content.decode()
    assert "Waiting at the till" in store and "Parcels coming to this store" in store


def test_a_split_orders_page_heads_this_locations_part_and_says_the_whole_orders_status(client, net, mi01_staff):
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    first = order.fulfillments.get()
    assert first.source_location == net["MI01"]
    services.report_missing(fulfillment_line=first.lines.get(), quantity=1)  # the warehouse sends it instead
    page = client.get(url(net, first)).content.decode()
    heading = page[page.index("<h1>") : page.index("</h1>")]
    assert "Cancelled" in heading  # this location's part
    assert 'data-testid="order-status"' in page and "in 2 parts; the whole order: Placed." in page


def test_why_it_is_sourced_here_reads_in_the_pages_language_with_the_units_available(client, net, mi01_staff):
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    page = client.get(url(net, fulfillment), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    table = page[page.index('data-testid="sourcing"') :]
    table = table[: table.index("</table>")]
    assert "prima lo stock del negozio di ritiro" in table and "own stock" not in table
    assert "Unità disponibili" in table
    mi01 = next(entry for entry in order.sourcing["explanation"] if entry["location"] == "MI01")
    assert (mi01["covers_units"], mi01["available_units"]) == (1, 2)  # MI01 has 2 tees, the order needs 1
    assert 'data-label="Unità disponibili">2</td>' in table


def test_a_resourced_parcel_shows_the_plan_that_sent_it_and_the_orders_first_plan_below(client, net):
    user = UserFactory(username="area.manager")
    for code in ("MI01", "WH01"):
        StoreMembershipFactory(user=user, location=net[code], role="manager")
    client.force_login(user)
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    first = order.fulfillments.get()
    assert first.source_location == net["MI01"]
    services.report_missing(fulfillment_line=first.lines.get(), quantity=1)  # the warehouse sends it instead
    again = order.fulfillments.exclude(pk=first.pk).get()

    def chosen(page, testid):
        table = page[page.index(f'data-testid="{testid}"') :]
        table = table[: table.index("</table>")]
        return [row for row in table.split("<tr>") if "✔" in row]

    page = client.get(f"/dashboard/WH01/orders/{again.pk}/").content.decode()
    assert "<strong>WH01</strong>" in chosen(page, "sourcing")[0]  # the plan in force: the warehouse
    assert "TEE-M sourced again, missing at MI01" in page
    assert "<strong>MI01</strong>" in chosen(page, "sourcing-earlier")[0]  # the first plan, as history
    page = client.get(f"/dashboard/MI01/orders/{first.pk}/").content.decode()
    assert "<strong>MI01</strong>" in chosen(page, "sourcing")[0]  # this parcel came from the first plan
    assert "<strong>WH01</strong>" in chosen(page, "sourcing-earlier")[0]


def test_the_store_finds_past_orders_by_number_name_or_phone(client, net, mi01_staff):
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)
    services.hand_over(fulfillment=fulfillment, pickup_code=fulfillment.pickup_code)
    elsewhere = place(net, [("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "MI02"})
    for query in ("", order.number.lower(), "Giulia", "333 123 4567"):
        page = client.get("/dashboard/MI01/orders/history/", {"q": query}).content.decode()
        assert f'data-order="{order.number}"' in page, query
        assert elsewhere.number not in page  # another store's order never shows
    nobody = client.get("/dashboard/MI01/orders/history/", {"q": "nobody"}).content.decode()
    assert 'data-testid="history"' not in nobody


def test_the_order_page_shows_the_phone_and_sends_the_pickup_code_again(client, net, mi01_staff):
    from notifications.models import Notification

    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    fulfillment = services.mark_ready_for_pickup(fulfillment=fulfillment)
    page = client.get(url(net, fulfillment)).content.decode()
    assert 'href="tel:+393331234567"' in page
    assert client.post(url(net, fulfillment, "resend_code")).status_code == 302
    fulfillment.refresh_from_db()
    sms = Notification.objects.get(order=order, event="pickup_code_resent", channel="sms")
    assert fulfillment.pickup_code in sms.body_text  # the same code: nothing changes at the till


def test_not_collected_needs_the_box_ticked(client, net, mi01_staff):
    order = place(net, [("TEE-M", 1, "19.90")], {"method": "store_pickup", "pickup_location": "MI01"})
    fulfillment = services.mark_ready_for_pickup(
        fulfillment=services.start_picking(fulfillment=order.fulfillments.get())
    )
    assert client.post(url(net, fulfillment, "not_collected")).status_code == 422  # one tap records nothing
    fulfillment.refresh_from_db()
    assert fulfillment.status == "ready_for_pickup"
    assert client.post(url(net, fulfillment, "not_collected"), {"confirm": "yes"}).status_code == 302
    fulfillment.refresh_from_db()
    assert fulfillment.status == "not_collected"
