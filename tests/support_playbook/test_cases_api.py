"""Cases for helpdesk tools (issue 12, item 7): care keys list, read and act; the same services and the same stale
refusal as the console; and the warehouse reporting a short pick through the fulfillment API (item 6)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import StockLevel, StockMovement
from stores.services import create_api_key
from support_playbook.models import Case
from tests.support_playbook.conftest import HOME_MILAN, net, place  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(**key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {create_api_key(**key)[1]}")
    return api


@pytest.fixture
def warehouse_reports_missing(net):  # noqa: F811
    """A web order of 2 pairs of jeans; the warehouse's WMS reports one missing through the fulfillment API."""
    order = place(net, [("JEANS-42", 2, "89.90")], HOME_MILAN)
    parcel = order.fulfillments.get()
    wms = client_for(kind="location", location=net["WH01"])
    channel = client_for(channel=net["web"])

    def available():
        answer = channel.get("/api/v1/availability/?skus=JEANS-42&location=WH01").json()
        return answer["results"][0]["locations"][0]["available"]

    assert available() == 1
    started = wms.post(f"/api/v1/fulfillments/{parcel.pk}/actions/", {"action": "start_picking"}, format="json")
    assert started.status_code == 200
    answer = wms.post(
        f"/api/v1/fulfillments/{parcel.pk}/actions/",
        {"action": "report_short", "lines": [{"sku": "JEANS-42", "quantity": 1}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="short-1",
    )
    assert answer.status_code == 200, answer.json()
    # The released unit is not sold again: on-hand is lower by the missing pair, committed by the released hold.
    assert available() == 1
    level = StockLevel.objects.get(location=net["WH01"], sku__code="JEANS-42")
    assert (level.on_hand, level.committed) == (2, 1)
    return order


def test_care_lists_reads_and_refunds_through_the_api(net, warehouse_reports_missing):  # noqa: F811
    order = warehouse_reports_missing
    care = client_for(kind="care")
    listed = care.get(f"/api/v1/cases/?order={order.number}").json()["results"]
    assert len(listed) == 1
    case = listed[0]
    assert (case["scenario"], case["status"], case["order"]) == ("incomplete_order_home", "open", order.number)
    refund = next(s for s in case["suggestions"] if s["action"] == "refund_line")
    assert refund["params"] == {"sku": "JEANS-42", "quantity": 1} and "89.90" in refund["label"]
    detail = care.get(f"/api/v1/cases/{case['id']}/").json()
    assert [e["type"] for e in detail["events"]] == ["opened"] and detail["tasks"] == []
    done = care.post(f"/api/v1/cases/{case['id']}/actions/", refund, format="json")
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    order.payment.refresh_from_db()
    assert order.payment.released_amount == Decimal("89.90")  # never charged: released
    # The same suggestion again: it no longer holds (the case is over).
    again = care.post(f"/api/v1/cases/{case['id']}/actions/", refund, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "case_closed"
    assert care.get("/api/v1/cases/?status=resolved").json()["results"][0]["id"] == case["id"]
    assert care.get("/api/v1/cases/").json()["results"] == []


def test_a_stale_or_invented_suggestion_is_a_409_with_the_current_ones(net, warehouse_reports_missing):  # noqa: F811
    care = client_for(kind="care")
    case = Case.objects.get()
    invented = care.post(
        f"/api/v1/cases/{case.pk}/actions/",
        {"action": "refund_line", "params": {"sku": "JEANS-42", "quantity": 5}},
        format="json",
    )
    body = invented.json()["error"]
    assert invented.status_code == 409 and body["code"] == "stale_suggestion"
    assert body["details"]["suggestions"][0]["params"] == {"sku": "JEANS-42", "quantity": 1}
    unknown = care.post(f"/api/v1/cases/{case.pk}/actions/", {"action": "give_everything_away"}, format="json")
    assert unknown.status_code == 409
    bad = care.post(f"/api/v1/cases/{case.pk}/actions/", {"action": "note", "params": "text"}, format="json")
    assert bad.status_code == 400
    extra = care.post(f"/api/v1/cases/{case.pk}/actions/", {"action": "note", "why": 1}, format="json")
    assert extra.status_code == 400 and "why" in extra.json()["error"]["details"]["fields"]
    note = care.post(
        f"/api/v1/cases/{case.pk}/actions/", {"action": "note", "params": {"text": "Called"}}, format="json"
    )
    assert note.status_code == 200 and note.json()["events"][-1]["type"] == "note"
    assert care.get("/api/v1/cases/?status=nope").status_code == 400
    assert care.get("/api/v1/cases/999999/").status_code == 404


def test_head_office_reads_cases_but_cannot_act(net, warehouse_reports_missing):  # noqa: F811
    head_office = client_for(kind="head_office")
    case = Case.objects.get()
    assert head_office.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    refused = head_office.post(
        f"/api/v1/cases/{case.pk}/actions/", {"action": "note", "params": {"text": "x"}}, format="json"
    )
    assert refused.status_code == 403


def test_the_store_reports_a_parcel_not_received_through_the_api(net):  # noqa: F811
    order = place(net, [("JEANS-42", 1, "89.90")], {"method": "store_pickup", "pickup_location": "BG01"})
    parcel = order.fulfillments.get()
    wms = client_for(kind="location", location=net["WH01"])
    for body in (
        {"action": "start_picking"},
        {"action": "mark_packed"},
        {"action": "mark_shipped", "carrier": "BRT", "tracking_number": "BRT-1"},
    ):
        assert wms.post(f"/api/v1/fulfillments/{parcel.pk}/actions/", body, format="json").status_code == 200
    # The warehouse cannot say the store did not receive it (409, naming what it may do); the store can.
    refused = wms.post(f"/api/v1/fulfillments/{parcel.pk}/actions/", {"action": "not_received"}, format="json")
    assert refused.status_code == 409 and "not_received" not in refused.json()["error"]["details"]["allowed"]
    store = client_for(kind="location", location=net["BG01"])
    listed = store.get("/api/v1/locations/BG01/fulfillments/").json()["results"]
    assert "not_received" in listed[0]["actions"]
    answer = store.post(f"/api/v1/fulfillments/{parcel.pk}/actions/", {"action": "not_received"}, format="json")
    assert answer.status_code == 200
    case = Case.objects.get()
    assert (case.scenario, case.fulfillment_id, case.location.code) == ("parcel_not_received", parcel.pk, "BG01")


def test_a_store_that_cannot_fulfil_an_order_reports_every_line_missing(net, client):  # noqa: F811
    from inventory import services as stock
    from tests.support_playbook.conftest import store_staff

    stock.receive_stock(location=net["MI02"], sku=net["skus"]["TEE-M"], quantity=1)
    order = place(
        net, [("TEE-M", 1, "19.90"), ("SCARF", 1, "45.00")], {"method": "store_pickup", "pickup_location": "MI02"}
    )
    fulfillment = order.fulfillments.get()
    assert fulfillment.source_location.code == "MI02"
    client.force_login(store_staff(net, "MI02"))
    url = f"/dashboard/MI02/orders/{fulfillment.pk}/cannot_fulfil/"
    assert client.post(url).status_code == 422  # not confirmed: nothing happens
    assert not StockMovement.objects.filter(reason="shortage").exists()
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    # Both lines are a stock fact at MI02; the tee travels from another store, the scarf nobody else ships: a case.
    shortages = StockMovement.objects.filter(reason="shortage", location=net["MI02"])
    assert sorted(shortages.values_list("sku__code", flat=True)) == ["SCARF", "TEE-M"]
    fulfillment.refresh_from_db()
    assert fulfillment.status == "cancelled"
    assert order.fulfillments.exclude(pk=fulfillment.pk).get().flow == "ship_to_store"
    case = Case.objects.get()
    assert case.scenario == "incomplete_order_pickup" and order.lines.get(sku__code="SCARF").quantity_short_open == 1


def test_cannot_fulfil_through_the_fulfillment_api(net):  # noqa: F811
    order = place(net, [("JEANS-42", 2, "89.90")], HOME_MILAN)
    parcel = order.fulfillments.get()
    wms = client_for(kind="location", location=net["WH01"])
    answer = wms.post(f"/api/v1/fulfillments/{parcel.pk}/actions/", {"action": "cannot_fulfil"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    level = StockLevel.objects.get(location=net["WH01"], sku__code="JEANS-42")
    assert (level.on_hand, level.committed) == (1, 0)
    again = wms.post(f"/api/v1/fulfillments/{parcel.pk}/actions/", {"action": "cannot_fulfil"}, format="json")
    assert again.status_code == 409


def test_the_list_computes_a_pages_suggestions_in_constant_queries_and_as_the_case_reads_them(net):  # noqa: F811
    """Suggestions read live stock for every missing line and every other size of it: the list reads that once for
    the page, and each case's suggestions are those its own page gives."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inventory import services as stock
    from tests.inventory.factories import SKUFactory
    from tests.support_playbook.conftest import short_at_source

    jeans = net["skus"]["JEANS-42"]
    for size in ("44", "46"):
        other = SKUFactory(code=f"JEANS-{size}", product=jeans.product, size=size)
        stock.receive_stock(location=net["MI02"], sku=other, quantity=2)
    stock.receive_stock(location=net["WH01"], sku=jeans, quantity=20)

    def one_more_incomplete_order(n):
        # Home delivery, or click & collect at MI02: the warehouse misses the pair and nobody else has one.
        fulfillment = HOME_MILAN if n % 2 == 0 else {"method": "store_pickup", "pickup_location": "MI02"}
        short_at_source(net, [("JEANS-42", 1, "89.90")], fulfillment, missing_sku="JEANS-42")

    care = client_for(kind="care")
    one_more_incomplete_order(0)
    one_more_incomplete_order(1)
    care.get("/api/v1/cases/")  # per-process caches
    with CaptureQueriesContext(connection) as first:  # one case of each scenario
        assert len(care.get("/api/v1/cases/").json()["results"]) == 2
    for n in range(2, 8):
        one_more_incomplete_order(n)
    stock.receive_stock(location=net["MI01"], sku=jeans, quantity=1)  # now MI01 could send one
    with CaptureQueriesContext(connection) as eight:
        listed = care.get("/api/v1/cases/").json()["results"]
    assert len(listed) == 8
    assert {case["scenario"] for case in listed} == {"incomplete_order_home", "incomplete_order_pickup"}
    assert len(eight.captured_queries) == len(first.captured_queries)

    for case in listed:
        assert case["suggestions"] == care.get(f"/api/v1/cases/{case['id']}/").json()["suggestions"]
        actions = [s["action"] for s in case["suggestions"]]
        assert actions.count("propose_substitute") == 2 and actions[-1] == "refund_line", actions
    assert {s["params"]["substitute"] for s in listed[0]["suggestions"] if "substitute" in s["params"]} == {
        "JEANS-44",
        "JEANS-46",
    }
    assert all(case["suggestions"][0]["params"].get("location") == "MI01" for case in listed)
