"""The playbook as code: one class per scenario, registered here. The manual pages, the cases API and the care
console read this registry, so the words people read never drift from what the code does."""

from support_playbook.scenarios.base import ManualAction, Resolution, Scenario, Step, Suggestion
from support_playbook.scenarios.followups import PickupNotCollected, ReservationNoShow
from support_playbook.scenarios.messages import MessageUndelivered
from support_playbook.scenarios.missing import IncompleteOrderHome, IncompleteOrderPickup
from support_playbook.scenarios.parcels import DeliveryException, ParcelNotReceived
from support_playbook.scenarios.returns import ReturnOverdue, ReturnProblem
from support_playbook.scenarios.stock import StockDiscrepancy

SCENARIOS: dict[str, Scenario] = {
    scenario.code: scenario
    for scenario in (
        IncompleteOrderHome(),
        IncompleteOrderPickup(),
        ParcelNotReceived(),
        DeliveryException(),
        PickupNotCollected(),
        ReservationNoShow(),
        MessageUndelivered(),
        StockDiscrepancy(),
        ReturnProblem(),
        ReturnOverdue(),
    )
}


def scenario_for(code: str) -> Scenario:
    return SCENARIOS[code]


__all__ = ["SCENARIOS", "ManualAction", "Resolution", "Scenario", "Step", "Suggestion", "scenario_for"]
