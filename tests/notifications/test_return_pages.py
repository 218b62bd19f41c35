"""The customer's returns from the tracking link: start one (items, why, money or exchange, how), follow it,
cancel it while not sent; errors in the customer's language, nothing written."""

import pytest

from notifications.models import Notification
from orders.models import Return
from tests.inventory.factories import SKUFactory
from tests.orders.returns_helpers import delivered, net, place, rnet, stock_row  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_the_tracking_page_offers_a_return_once_delivered(client, rnet):  # noqa: F811
    waiting = place(rnet, [("TEE-M", 1, "29.90")])
    assert "send-back" not in client.get(f"/track/{waiting.tracking_token}/").content.decode()
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    page = client.get(f"/track/{order.tracking_token}/?lang=en").content.decode()
    assert f"/track/{order.tracking_token}/return/" in page and "within 30 days" in page


def test_a_customer_starts_a_return_to_a_store_and_follows_it(client, rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    order_line = order.lines.get()
    form = client.get(f"/track/{order.tracking_token}/return/?lang=en")
    assert form.status_code == 200 and "Too small" in form.content.decode()
    response = client.post(
        f"/track/{order.tracking_token}/return/?lang=en",
        {f"quantity_{order_line.pk}": 1, f"reason_{order_line.pk}": "too_big", "how": "in_store", "store": "MI02"},
    )
    return_request = Return.objects.get()
    assert response.status_code == 302 and response["Location"].startswith(f"/return/{return_request.token}/")
    assert (return_request.how, return_request.location.code, return_request.fee) == ("in_store", "MI02", 0)
    page = client.get(f"/return/{return_request.token}/?lang=en").content.decode()
    assert "Bring the items to the store" in page and "29.90 EUR when all the items arrive" in page
    assert Notification.objects.filter(return_request=return_request, event="return_requested").exists()
    tracking = client.get(f"/track/{order.tracking_token}/?lang=en").content.decode()
    assert f"/return/{return_request.token}/" in tracking

    cancelled = client.post(f"/return/{return_request.token}/?lang=en")
    assert cancelled.status_code == 302
    return_request.refresh_from_db()
    assert return_request.status == Return.Status.CANCELLED
    assert client.post(f"/return/{return_request.token}/?lang=en").status_code == 409


def test_an_exchange_by_locker_holds_the_other_size(client, rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    other = rnet["skus"]["TEE-L"] = SKUFactory(code="TEE-L", product=rnet["skus"]["TEE-M"].product, size="L")
    from inventory import services as stock

    stock.receive_stock(location=rnet["WH01"], sku=other, quantity=1)
    order_line = order.lines.get()
    response = client.post(
        f"/track/{order.tracking_token}/return/?lang=en",
        {
            f"quantity_{order_line.pk}": 1,
            f"reason_{order_line.pk}": "too_small",
            f"exchange_{order_line.pk}": "TEE-L",
            "how": "locker",
            "locker": "LK01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return_request = Return.objects.get()
    assert return_request.drop_off.code == "LK01"
    assert stock_row(rnet, "WH01", "TEE-L") == (1, 1)
    page = client.get(f"/return/{return_request.token}/?lang=en").content.decode()
    assert "put aside for you" in page and "Leave the parcel in the locker" in page
    sent = client.post(f"/return/{return_request.token}/?lang=en", {"action": "sent"})
    assert sent.status_code == 302 and sent["Location"].endswith("done=sent")
    return_request.refresh_from_db()
    assert return_request.status == Return.Status.IN_TRANSIT and return_request.in_transit_at
    assert client.post(f"/return/{return_request.token}/?lang=en").status_code == 409  # on its way: no cancel


def test_mistakes_are_shown_and_nothing_is_written(client, rnet):  # noqa: F811
    order = delivered(rnet, [("TEE-M", 1, "29.90")])
    order_line = order.lines.get()
    url = f"/track/{order.tracking_token}/return/?lang=en"
    nothing = client.post(url, {f"quantity_{order_line.pk}": 0, "how": "carrier"})
    assert nothing.status_code == 422 and "Choose at least one item" in nothing.content.decode()
    no_store = client.post(
        url, {f"quantity_{order_line.pk}": 1, f"reason_{order_line.pk}": "too_big", "how": "in_store"}
    )
    assert no_store.status_code == 422 and "Choose the store" in no_store.content.decode()
    italian = client.post(
        f"/track/{order.tracking_token}/return/?lang=it", {f"quantity_{order_line.pk}": 1, "how": "carrier"}
    )
    assert italian.status_code == 422 and "Dicci perché" in italian.content.decode()
    assert Return.objects.count() == 0
    assert client.get("/track/nope/return/").status_code == 404 and client.get("/return/nope/").status_code == 404
