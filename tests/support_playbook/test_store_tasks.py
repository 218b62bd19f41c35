"""A short pick asks the location to recount the item (issue 12, items 1 and 5): the task appears in that
store's task list with a badge, the count corrects on-hand with a ledger row, or it is not done with a reason."""

import pytest

from inventory.models import CountedItem, StockLevel, StockMovement
from orders import services
from support_playbook.models import StoreTask
from tests.inventory.ledger import assert_ledger_agrees
from tests.orders.conftest import HOME_MILAN, net  # noqa: F401  (fixture)
from tests.orders.helpers import place
from tests.stores.factories import StoreMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def short_pick_at_the_warehouse(net, quantity=2):  # noqa: F811
    order = place(net, [("JEANS-42", quantity, "89.90")], HOME_MILAN)
    fulfillment = order.fulfillments.get()
    services.start_picking(fulfillment=fulfillment)
    services.report_missing(fulfillment_line=fulfillment.lines.get(), quantity=1)
    return order


def staff_of(net, code, client):  # noqa: F811
    user = UserFactory(username=f"{code.lower()}.associate")
    StoreMembershipFactory(user=user, location=net[code])
    client.force_login(user)
    return user


def test_a_short_pick_opens_one_recount_of_the_item_where_it_was_missing(net):  # noqa: F811
    first = short_pick_at_the_warehouse(net)
    second = short_pick_at_the_warehouse(
        net, quantity=1
    )  # the same item missing again: the same open task, asked again
    task = StoreTask.objects.get()
    assert (task.location, task.sku.code, task.status, task.order) == (net["WH01"], "JEANS-42", "open", first)
    assert first.number in task.reason
    assert list(task.events.values_list("type", flat=True)) == ["opened", "asked_again"]
    assert second.number in task.events.last().data["reason"]


def test_a_task_reads_in_the_stores_language_whatever_language_opened_it(net, settings):  # noqa: F811
    from django.utils import translation

    settings.LANGUAGE_CODE = "it"  # the brand's stores speak Italian
    with translation.override("en"):  # e.g. the warehouse's WMS calling the API in English
        order = short_pick_at_the_warehouse(net)
    with translation.override("en"):
        assert StoreTask.objects.get().reason == f"1 unità non trovata nel prelievo dell'ordine {order.number}"


def test_the_store_counts_and_on_hand_becomes_the_shelfs_truth(net, client):  # noqa: F811
    short_pick_at_the_warehouse(net)
    task = StoreTask.objects.get()
    user = staff_of(net, "WH01", client)
    page = client.get("/dashboard/WH01/tasks/").content.decode()
    assert f'data-task="{task.pk}"' in page and 'data-menu="tasks"' in page
    level = StockLevel.objects.get(location=net["WH01"], sku=task.sku)
    assert (level.on_hand, level.committed) == (2, 1)  # after the short pick
    response = client.post(f"/dashboard/WH01/tasks/{task.pk}/done/", {f"done-{task.pk}-counted": "4"})
    assert response.status_code == 302
    level.refresh_from_db()
    task.refresh_from_db()
    assert level.on_hand == 4 and task.status == "done" and task.closed_by == user
    # Within tolerance (2 units): applied at once.
    assert task.result == {"counted": 4, "on_hand_before": 2, "difference": 2, "outcome": "applied"}
    movement = StockMovement.objects.get(reason="count", reference=f"count:task-{task.pk}")
    assert (movement.delta_on_hand, movement.actor) == (2, user)
    assert_ledger_agrees()
    # Done is final.
    assert client.post(f"/dashboard/WH01/tasks/{task.pk}/done/", {f"done-{task.pk}-counted": "1"}).status_code == 409


def test_a_count_below_what_orders_hold_is_refused_with_a_clear_error(net, client):  # noqa: F811
    short_pick_at_the_warehouse(net)
    task = StoreTask.objects.get()
    staff_of(net, "WH01", client)
    response = client.post(f"/dashboard/WH01/tasks/{task.pk}/done/", {f"done-{task.pk}-counted": "0"})
    assert response.status_code == 422 and "committed" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"


def test_cannot_do_needs_a_reason_and_another_store_sees_nothing(net, client):  # noqa: F811
    short_pick_at_the_warehouse(net)
    task = StoreTask.objects.get()
    staff_of(net, "MI01", client)
    assert f'data-task="{task.pk}"' not in client.get("/dashboard/MI01/tasks/").content.decode()
    assert client.post(f"/dashboard/MI01/tasks/{task.pk}/cannot_do/", {}).status_code == 404
    staff_of(net, "WH01", client)
    assert (
        client.post(f"/dashboard/WH01/tasks/{task.pk}/cannot_do/", {f"cannot_do-{task.pk}-reason": ""}).status_code
        == 422
    )
    answer = client.post(
        f"/dashboard/WH01/tasks/{task.pk}/cannot_do/", {f"cannot_do-{task.pk}-reason": "inventory day"}
    )
    assert answer.status_code == 302
    task.refresh_from_db()
    assert task.status == "cannot_do" and task.result == {"reason": "inventory day"}


def test_a_recount_answer_of_100000_waits_for_the_manager_and_is_not_sellable(net, client):  # noqa: F811
    short_pick_at_the_warehouse(net)
    task = StoreTask.objects.get()
    staff_of(net, "WH01", client)
    response = client.post(f"/dashboard/WH01/tasks/{task.pk}/done/", {f"done-{task.pk}-counted": "100000"})
    assert response.status_code == 302
    level = StockLevel.objects.get(location=net["WH01"], sku=task.sku)
    assert (level.on_hand, level.committed) == (2, 1)
    task.refresh_from_db()
    assert task.result["outcome"] == "awaiting_approval"
    item = CountedItem.objects.get(session__code=f"task-{task.pk}")
    assert (item.book_at_start, item.counted, item.status) == (2, 100000, "awaiting_approval")
