"""Writes for cases: opened by domain events (one per incident: a unique key, not a check), worked through the
scenario's live suggestions, each executed by the real services and written on the case's timeline; resolved when
the incident is over (the order whole again), or by the scenario's default once CASE_DEFAULT_AFTER has passed."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omnichannel.errors import DomainError, InvalidInput
from omnichannel.jobs import for_each_due
from omnichannel.transitions import apply_transition
from orders.errors import SourceNoLongerAvailable
from stores.actors import actor_fields
from stores.services import audit
from support_playbook.errors import CaseClosed, StaleSuggestion
from support_playbook.models import Case, CaseEvent
from support_playbook.scenarios import SCENARIOS, scenario_for

C = Case.Status
# Allowed moves: {from: {to, …}}. A resolved or closed case opens again when its incident recurs.
CASE_TRANSITIONS = {
    C.OPEN: {C.WAITING_STORE, C.WAITING_CUSTOMER, C.RESOLVED, C.CLOSED},
    C.WAITING_STORE: {C.OPEN, C.WAITING_CUSTOMER, C.RESOLVED, C.CLOSED},
    C.WAITING_CUSTOMER: {C.OPEN, C.WAITING_STORE, C.RESOLVED, C.CLOSED},
    C.RESOLVED: {C.OPEN, C.CLOSED},
    C.CLOSED: {C.OPEN},
}
# Actions every case has, besides its scenario's resolutions.
GENERAL_ACTIONS = {"note", "close", "assign"}


def record_case_event(*, case: Case, type: str, data=None, actor=None) -> CaseEvent:
    return CaseEvent.objects.create(case=case, type=type, data=data or {}, **actor_fields(actor))


def transition_case(*, case: Case, to: str, actor=None, data=None) -> Case:
    if case.status == to:
        return case
    apply_transition(
        case,
        to=to,
        table=CASE_TRANSITIONS,
        changes={"resolved_at": timezone.now() if to in (C.RESOLVED, C.CLOSED) else None},
        record=lambda moved: record_case_event(case=case, type=moved, data=data or {}, actor=actor),
    )
    return case


@transaction.atomic
def open_case(
    *,
    scenario: str,
    incident_key: str,
    facts: dict | None = None,
    actor=None,
    **concerns,
) -> Case:
    """The case of this incident: opened now, or the existing one (open again if it was resolved), with the
    repeated event on its timeline. `concerns`: order, reservation, fulfillment, location, customer, sku."""
    playbook = scenario_for(scenario)
    now = timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                scenario=scenario,
                incident_key=incident_key[:120],
                priority=playbook.priority,
                due_by=now + playbook.sla,
                default_at=now + settings.CASE_DEFAULT_AFTER if playbook.has_default(facts or {}) else None,
                facts=facts or {},
                **concerns,
            )
            record_case_event(case=case, type="opened", data=facts or {}, actor=actor)
            return case
    except IntegrityError:  # the incident has its case already (maybe opened this instant by another worker)
        case = Case.objects.select_for_update(no_key=True).get(incident_key=incident_key[:120])
    case.facts = {**case.facts, **(facts or {})}
    case.save(update_fields=["facts", "updated_at"])
    record_case_event(case=case, type="repeated", data=facts or {}, actor=actor)
    if not case.is_open:
        transition_case(case=case, to=C.OPEN, actor=actor, data={"reason": "the incident recurred"})
        case.due_by = now + playbook.sla
        case.default_at = now + settings.CASE_DEFAULT_AFTER if playbook.has_default(case.facts) else None
        case.save(update_fields=["due_by", "default_at", "updated_at"])
    elif case.status != C.OPEN:
        transition_case(case=case, to=C.OPEN, actor=actor, data={"reason": "new facts"})
    return case


def _locked(case: Case | int) -> Case:
    return (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .select_related("order", "reservation", "fulfillment", "location", "customer", "sku")
        .get(pk=getattr(case, "pk", case))
    )


def _normalized(params) -> dict:
    if not isinstance(params, dict):
        raise InvalidInput(_("params must be an object."), details={"params": params})
    return {key: value for key, value in params.items()}


@transaction.atomic
def act_on_case(*, case: Case | int, action: str, params: dict | None = None, actor=None) -> Case:
    """Execute one of the case's resolutions, as suggested now. A suggestion that no longer holds (a concurrent
    sale took the units) is refused with `StaleSuggestion`, carrying the suggestions as they are now."""
    case = _locked(case)
    params = _normalized(params or {})
    if action in GENERAL_ACTIONS:
        return _general_action(case, action, params, actor)
    if not case.is_open:
        raise CaseClosed()
    playbook = scenario_for(case.scenario)
    manual = {m.action for m in playbook.manual_actions}
    if action not in manual and not any(s.action == action and s.params == params for s in playbook.suggestions(case)):
        raise _stale(case, playbook, action, params)
    try:
        with transaction.atomic():
            outcome = playbook.run(case, action, params, actor)
    except SourceNoLongerAvailable:
        raise _stale(case, playbook, action, params) from None
    before = {"status": case.status, "resolution": case.resolution}
    case.resolution = action
    case.save(update_fields=["resolution", "updated_at"])
    record_case_event(case=case, type=action, data={"params": params, **outcome}, actor=actor)
    audit(
        actor=actor,
        action=f"case_{action}",
        target=f"case:{case.pk}",
        before=before,
        after={"params": params, **outcome},
        reason=playbook.code,
    )
    _after_action(case, playbook, action, actor)
    return case


def _stale(case, playbook, action, params) -> StaleSuggestion:
    known = {r.action for r in playbook.resolutions} | {m.action for m in playbook.manual_actions}
    if action not in known:
        return StaleSuggestion(
            _("%(action)s is not a resolution of this case.") % {"action": action},
            details={"action": action, "suggestions": [s.as_dict() for s in playbook.suggestions(case)]},
        )
    return StaleSuggestion(
        details={"action": action, "params": params, "suggestions": [s.as_dict() for s in playbook.suggestions(case)]}
    )


def _after_action(case: Case, playbook, action: str, actor) -> None:
    if playbook.settled(case):
        transition_case(case=case, to=C.RESOLVED, actor=actor, data={"resolution": action})
        return
    status = playbook.status_after(case, action)
    if status:
        transition_case(case=case, to=status, actor=actor)


def _general_action(case: Case, action: str, params: dict, actor) -> Case:
    if action == "note":
        text = str(params.get("text", "")).strip()
        if not text:
            raise InvalidInput(_("Write the note."), details={"text": ""})
        record_case_event(case=case, type="note", data={"text": text[:2000]}, actor=actor)
    elif action == "close":
        reason = str(params.get("reason", "")).strip()
        if not reason:
            raise InvalidInput(_("Say why the case is closed."), details={"reason": ""})
        transition_case(case=case, to=C.CLOSED, actor=actor, data={"reason": reason[:500]})
    elif action == "assign":
        if not getattr(actor, "pk", None) or not hasattr(actor, "get_username"):
            raise InvalidInput(_("Only a person can take a case."), details={"action": action})
        case.assignee = actor
        case.save(update_fields=["assignee", "updated_at"])
        record_case_event(case=case, type="assigned", data={"to": actor.get_username()}, actor=actor)
    return case


def suggestions_for(case: Case) -> list:
    """The case's suggestions now (read: computed from live data, never stored)."""
    if not case.is_open:
        return []
    return scenario_for(case.scenario).suggestions(case)


def suggestions_for_cases(cases) -> dict[int, list]:
    """`suggestions_for` of many cases by case id, each scenario's cases computed together (a page of the list)."""
    found: dict[int, list] = {case.pk: [] for case in cases}
    by_scenario: dict[str, list[Case]] = {}
    for case in cases:
        if case.is_open:
            by_scenario.setdefault(case.scenario, []).append(case)
    for code, group in by_scenario.items():
        found.update(scenario_for(code).suggestions_for_cases(group))
    return found


@transaction.atomic
def task_closed(*, task, actor=None) -> None:
    """A store task of a case was done or could not be done: on the case's timeline at once, and the case
    resolved when that settles the incident, or back to customer care when the store could not help."""
    case = _locked(task.case_id)
    record_case_event(
        case=case,
        type=f"task_{task.status}",
        data={"task": task.pk, "kind": task.kind, "location": task.location.code, **task.result},
        actor=actor,
    )
    if not case.is_open:
        return
    if scenario_for(case.scenario).settled(case):
        transition_case(case=case, to=C.RESOLVED, actor=actor, data={"resolution": f"task_{task.status}"})
    elif case.status == C.WAITING_STORE:
        transition_case(case=case, to=C.OPEN, actor=actor)


def settle_if_over(*, case: Case, actor=None) -> None:
    """An event elsewhere may have ended the incident (the parcel arrived after all): resolve the case."""
    if case.is_open and scenario_for(case.scenario).settled(case):
        transition_case(case=case, to=C.RESOLVED, actor=actor, data={"resolution": "settled"})


def run_case_defaults(*, now=None) -> int:
    """Scheduled job: open cases whose default time has passed with nobody deciding get their scenario's default
    resolution (e.g. the missing items refunded), said so on the case. Each case in its own transaction on a row
    locked with SKIP LOCKED: two runs at once never act twice."""
    now = now or timezone.now()
    due = Case.objects.filter(
        status__in=[C.OPEN, C.WAITING_CUSTOMER, C.WAITING_STORE],
        default_at__lte=now,
        scenario__in=[code for code, s in SCENARIOS.items() if s.default_action],
    )

    def apply(case):
        case = _locked(case)
        playbook = scenario_for(case.scenario)
        applied = []
        for suggestion in playbook.default_suggestions(case):
            try:
                with transaction.atomic():
                    outcome = playbook.run(case, suggestion.action, suggestion.params, None)
            except DomainError as exc:
                record_case_event(
                    case=case, type="default_failed", data={"params": suggestion.params, "error": str(exc.message)}
                )
                continue
            applied.append({"action": suggestion.action, "params": suggestion.params, **outcome})
        case.default_at = None
        case.resolution = playbook.default_action if applied else case.resolution
        case.save(update_fields=["default_at", "resolution", "updated_at"])
        record_case_event(
            case=case,
            type="default_applied",
            data={"after_hours": settings.CASE_DEFAULT_AFTER.total_seconds() / 3600, "applied": applied},
        )
        settle_if_over(case=case)

    return for_each_due(due, apply)
