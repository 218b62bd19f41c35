"""Channel webhooks against a real receiving server on loopback: signed per Standard Webhooks (verified with the
standard's own verification), retried on 5xx with the same webhook-id until accepted once, 4xx not retried, 410
disables the endpoint, a worker that died mid-delivery is taken over with the same id, availability pushes
coalesced per SKU with sold_out / back_in_stock."""

import http.server
import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from standardwebhooks import Webhook

from inventory import services as stock
from notifications import webhooks
from notifications.webhook_models import WebhookDelivery, WebhookEndpoint
from orders import services
from tests.inventory.factories import ChannelListingFactory
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place

# Committed transactions: the availability pushes follow the feed, which hands out only committed changes.
pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A channel's webhook receiver on loopback: answers each request with the next status of `answers` (then
    200), keeps what it was sent."""

    def __init__(self, answers=()):
        self.answers = list(answers)
        self.requests = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                status = receiver.answers.pop(0) if receiver.answers else 200
                receiver.requests.append({"headers": dict(self.headers), "body": body, "answered": status})
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "120")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def accepted(self):
        return [r for r in self.requests if 200 <= r["answered"] < 300]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True  # the receiver is on loopback
    made = []

    def make(answers=()):
        made.append(Receiver(answers))
        return made[-1]

    yield make
    for server in made:
        server.close()


def endpoint_for(net, url, **fields):  # noqa: F811
    return WebhookEndpoint.objects.create(channel=net["web"], url=url, **fields)


def ship(order):
    parcel = order.fulfillments.get()
    services.start_picking(fulfillment=parcel)


def test_a_status_change_is_signed_and_accepted_once_after_two_failures(net, receiver):  # noqa: F811
    server = receiver([500, 503])
    endpoint = endpoint_for(net, server.url, event_types=["order.status_changed"])
    order = place(net, [("TEE-M", 1, "19.90")], HOME_MILAN)
    ship(order)  # placed -> in progress
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1  # the first try, after commit, got a 500
    for minutes in (5, 30):  # backoff: later attempts when due
        with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
            webhooks.sweep_webhooks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert [r["answered"] for r in server.requests] == [500, 503, 200]
    assert len(server.accepted()) == 1
    ids = {r["headers"]["webhook-id"] for r in server.requests}
    assert ids == {delivery.webhook_id}  # every attempt the same message
    # The same message each time; verified as it arrived the first time (the standard refuses a timestamp from
    # the future, and the retries were sent in travelled time).
    assert {r["body"] for r in server.requests} == {server.requests[0]["body"]}
    payload = Webhook(endpoint.secret).verify(server.requests[0]["body"], server.requests[0]["headers"])
    assert payload["type"] == "order.status_changed"
    assert payload["data"] == {"order": order.number, "external_id": "", "previous": "placed", "status": "in_progress"}


def test_a_4xx_is_not_retried_and_a_410_disables_the_endpoint(net, receiver):  # noqa: F811
    server = receiver([400, 410])
    endpoint = endpoint_for(net, server.url, event_types=["order.status_changed"])
    for _ in range(2):
        ship(place(net, [("TEE-M", 1, "19.90")], HOME_MILAN))
    statuses = list(WebhookDelivery.objects.order_by("id").values_list("status", "attempts", "last_status_code"))
    assert statuses == [("failed", 1, 400), ("failed", 1, 410)]
    endpoint.refresh_from_db()
    assert not endpoint.active and "410" in endpoint.disabled_reason
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert webhooks.sweep_webhooks() == 0
    assert len(server.requests) == 2
    ship(place(net, [("TEE-M", 1, "19.90")], HOME_MILAN))
    assert WebhookDelivery.objects.count() == 2  # a disabled endpoint gets nothing new


def test_a_worker_that_died_mid_delivery_is_taken_over_with_the_same_id(net, receiver, monkeypatch):  # noqa: F811
    server = receiver()
    endpoint_for(net, server.url, event_types=["order.status_changed"])
    monkeypatch.setattr(webhooks, "_enqueue", lambda ids: None)  # the task is lost with its worker
    ship(place(net, [("TEE-M", 1, "19.90")], HOME_MILAN))
    delivery = WebhookDelivery.objects.get()
    # A worker claimed it and died before finishing.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now(), attempts=1)
    assert webhooks.sweep_webhooks() == 0  # its claim is fresh: nobody else sends it yet
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert webhooks.sweep_webhooks() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert [r["headers"]["webhook-id"] for r in server.requests] == [delivery.webhook_id]


def test_during_a_rotation_both_secrets_sign(net, receiver):  # noqa: F811
    server = receiver()
    old = WebhookEndpoint(channel=net["web"]).secret
    endpoint = endpoint_for(net, server.url, previous_secret=old, event_types=["order.status_changed"])
    ship(place(net, [("TEE-M", 1, "19.90")], HOME_MILAN))
    request = server.accepted()[0]
    assert len(request["headers"]["webhook-signature"].split(" ")) == 2
    Webhook(endpoint.secret).verify(request["body"], request["headers"])
    Webhook(old).verify(request["body"], request["headers"])


def test_private_targets_are_refused_unless_allowed(net, settings):  # noqa: F811
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    assert webhooks.target_refused("http://127.0.0.1:9/hooks")
    assert webhooks.target_refused("http://10.1.2.3/hooks")
    assert webhooks.target_refused("ftp://example.com/")
    endpoint_for(net, "http://127.0.0.1:9/hooks", event_types=["order.status_changed"])
    ship(place(net, [("TEE-M", 1, "19.90")], HOME_MILAN))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "refused" in delivery.last_error


def test_availability_pushes_are_coalesced_per_sku_and_say_sold_out_and_back(net, receiver):  # noqa: F811
    server = receiver()
    for sku in net["skus"].values():
        ChannelListingFactory(sku=sku, channel=net["web"])
    endpoint = endpoint_for(net, server.url, event_types=["availability.changed"])
    assert webhooks.push_availability_changes() == 0  # a new subscription starts from now
    scarf = net["skus"]["SCARF"]
    stock.receive_stock(location=net["MI02"], sku=scarf, quantity=1)
    stock.adjust_stock(location=net["MI02"], sku=scarf, delta=-2, note="damaged")  # 1 + 1 - 2 = 0
    assert webhooks.push_availability_changes() == 1  # two changes, one push with the last number
    first = Webhook(endpoint.secret).verify(server.requests[-1]["body"], server.requests[-1]["headers"])
    assert first["data"] == {"channel": "web", "sku": "SCARF", "channel_available": 0, "sold_out": True}
    stock.receive_stock(location=net["MI02"], sku=scarf, quantity=3)
    assert webhooks.push_availability_changes() == 1
    back = Webhook(endpoint.secret).verify(server.requests[-1]["body"], server.requests[-1]["headers"])
    assert back["data"] == {"channel": "web", "sku": "SCARF", "channel_available": 3, "back_in_stock": True}
    assert webhooks.push_availability_changes() == 0


def test_a_reserved_name_is_refused_without_a_lookup(net, settings):  # noqa: F811
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert "reserved" in webhooks.target_refused("https://hooks.brunello.example/oms")
