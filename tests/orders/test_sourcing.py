"""The sourcing policy, rule by rule, on the pure function (no database)."""

from orders.fulfillment.sourcing import Candidate, Line, Policy, plan_sourcing

MILAN = (45.4642, 9.1900)
SHIPPING_STORE = frozenset({"ship_from_store", "click_and_collect", "ship_to_store"})


def loc(location_id, code, lat, lon, available, caps=SHIPPING_STORE, priority=50, kind="store"):
    return Candidate(location_id, code, kind, lat, lon, priority, frozenset(caps), available)


def WH(available, **kw):
    return loc(1, "WH01", 45.3237, 9.1371, available, caps={"ships"}, priority=10, kind="warehouse", **kw)


def MI01(available, **kw):
    return loc(2, "MI01", 45.4786, 9.2105, available, **kw)


def MI02(available, **kw):
    return loc(3, "MI02", 45.4615, 9.1866, available, **kw)


def TO01(available, **kw):
    return loc(4, "TO01", 45.0677, 7.6826, available, **kw)


def RM01(available, **kw):
    return loc(5, "RM01", 41.9009, 12.4801, available, **kw)


A, B = Line(101, "A", 1), Line(102, "B", 2)


def sources(plan):
    return [(f.source, f.flow, f.lines) for f in plan.fulfillments]


def test_home_delivery_from_the_closest_location_that_has_everything():
    plan = plan_sourcing(
        lines=[A, B],
        method="home_delivery",
        speed="standard",
        destination=MILAN,
        candidates=[WH({101: 5, 102: 5}), MI02({101: 1, 102: 2}), TO01({101: 9, 102: 9})],
    )
    assert plan.ok and sources(plan) == [("MI02", "ship", [(101, 1), (102, 2)])]
    chosen = [e for e in plan.explanation if e["chosen"]]
    assert [e["location"] for e in chosen] == ["MI02"] and chosen[0]["distance_km"] < 1
    lost = {e["location"]: e["why"] for e in plan.explanation if not e["chosen"]}
    assert lost["WH01"] == lost["TO01"] == "a closer or higher-priority location covers the order"


def test_fewest_shipments_beats_distance():
    # MI02 is closest but has only A; the warehouse has both: one parcel instead of two.
    plan = plan_sourcing(
        lines=[A, B],
        method="home_delivery",
        speed="standard",
        destination=MILAN,
        candidates=[MI02({101: 1}), WH({101: 1, 102: 2})],
    )
    assert sources(plan) == [("WH01", "ship", [(101, 1), (102, 2)])]


def test_a_split_order_uses_the_fewest_sources():
    plan = plan_sourcing(
        lines=[A, B],
        method="home_delivery",
        speed="standard",
        destination=MILAN,
        candidates=[MI02({101: 1}), MI01({102: 1}), RM01({102: 2})],
    )
    assert sources(plan) == [("RM01", "ship", [(102, 2)]), ("MI02", "ship", [(101, 1)])]
    assert {e["location"]: e["chosen"] for e in plan.explanation} == {"MI02": True, "RM01": True, "MI01": False}


def test_priority_breaks_distance_ties():
    same_place = dict(lat=45.0, lon=9.0)
    first = loc(7, "ZZ01", same_place["lat"], same_place["lon"], {101: 1}, priority=10)
    second = loc(8, "AA01", same_place["lat"], same_place["lon"], {101: 1}, priority=90)
    plan = plan_sourcing(lines=[A], method="home_delivery", destination=MILAN, candidates=[second, first])
    assert sources(plan) == [("ZZ01", "ship", [(101, 1)])]


def test_click_and_collect_uses_the_pickup_stores_own_stock_first():
    pickup = MI01({101: 1, 102: 2})
    plan = plan_sourcing(
        lines=[A, B], method="store_pickup", pickup=pickup, candidates=[WH({101: 50, 102: 50}), pickup, MI02({101: 5})]
    )
    assert sources(plan) == [("MI01", "pickup", [(101, 1), (102, 2)])]
    assert plan.explanation[0] == {
        "location": "MI01",
        "distance_km": 0.0,
        "priority": 50,
        "covers_units": 3,
        "available_units": 3,
        "chosen": True,
        "why": "pickup store's own stock first",
        "why_code": "pickup_own_stock",
        "why_params": {},
    }


def test_click_and_collect_ships_what_the_pickup_store_lacks():
    pickup = MI01({101: 1})
    plan = plan_sourcing(lines=[A, B], method="store_pickup", pickup=pickup, candidates=[WH({102: 4}), pickup])
    assert sources(plan) == [("MI01", "pickup", [(101, 1)]), ("WH01", "ship_to_store", [(102, 2)])]


def test_a_pickup_store_without_ship_to_store_can_only_serve_its_own_stock():
    pickup = MI01({101: 1}, caps={"click_and_collect"})
    plan = plan_sourcing(lines=[A, B], method="store_pickup", pickup=pickup, candidates=[WH({102: 4}), pickup])
    assert not plan.ok and plan.shortfalls == [{"sku": "B", "requested": 2, "available": 0}]


def test_safety_stock_is_already_kept_back_in_available():
    # A store with 1 unit on hand and 1 unit of safety stock is passed in with available 0.
    plan = plan_sourcing(
        lines=[A], method="home_delivery", destination=MILAN, candidates=[MI02({101: 0}), WH({101: 1})]
    )
    assert sources(plan) == [("WH01", "ship", [(101, 1)])]


def test_same_day_only_from_stores_offering_it_within_the_radius():
    same_day = SHIPPING_STORE | {"same_day"}
    plan = plan_sourcing(
        lines=[A],
        method="home_delivery",
        speed="same_day",
        destination=MILAN,
        policy=Policy(same_day_radius_km=30),
        candidates=[WH({101: 9}), MI01({101: 1}, caps=same_day), RM01({101: 9}, caps=same_day)],
    )
    assert sources(plan) == [("MI01", "ship", [(101, 1)])]
    why = {e["location"]: e["why"] for e in plan.explanation}
    assert why["WH01"] == "does not offer same-day delivery"
    assert why["RM01"].endswith("beyond the same-day radius of 30 km")


def test_same_day_refused_when_no_store_in_range_has_it():
    same_day = SHIPPING_STORE | {"same_day"}
    plan = plan_sourcing(
        lines=[A],
        method="home_delivery",
        speed="same_day",
        destination=MILAN,
        candidates=[WH({101: 9}), RM01({101: 9}, caps=same_day)],
    )
    assert not plan.ok and plan.fulfillments == []
    assert plan.shortfalls == [{"sku": "A", "requested": 1, "available": 0}]


def test_not_enough_anywhere_reports_the_network_total():
    plan = plan_sourcing(
        lines=[Line(101, "A", 5)], method="home_delivery", destination=MILAN, candidates=[WH({101: 2}), MI01({101: 1})]
    )
    assert plan.shortfalls == [{"sku": "A", "requested": 5, "available": 3}]
