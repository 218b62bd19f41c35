"""What a playbook scenario is: its words (it/en), who acts, its SLA, the resolutions it offers, the suggestions
it computes from live data, and what executing one of them does (DESIGN.md section 11)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

# Who does a step, as the manual names them.
WHO = {
    "system": _("The system"),
    "store": _("The store"),
    "care": _("Customer care"),
    "customer": _("The customer"),
    "manager": _("The store manager"),
}


@dataclass(frozen=True)
class Step:
    who: str  # a key of WHO
    text: str

    @property
    def who_label(self):
        return WHO[self.who]


@dataclass(frozen=True)
class Resolution:
    action: str
    title: str
    description: str


@dataclass(frozen=True)
class Suggestion:
    """One resolution for this case now, with the parameters that execute it and a label that says why
    ("MI02 has 2 units, 1.2 km from the pickup store")."""

    action: str
    params: dict
    label: str
    primary: bool = False

    def as_dict(self) -> dict:
        return {"action": self.action, "params": self.params, "label": str(self.label)}


@dataclass(frozen=True)
class InputField:
    """A value a person types for a manual action (the corrected email, a note)."""

    name: str
    label: str
    kind: str = "text"  # "text" | "email" | "tel" | "textarea"
    required: bool = True


@dataclass(frozen=True)
class ManualAction:
    """An action that is not computed from data but typed by a person (fix the contact, add a note)."""

    action: str
    label: str
    fields: tuple = field(default_factory=tuple)


class Scenario:
    code: str = ""
    title = ""
    summary = ""  # when it applies
    opened_by = ""  # the event that opens it
    who_acts = ""
    sla: timedelta = timedelta(hours=24)
    priority: int = 2
    steps: tuple = ()
    resolutions: tuple = ()
    # The resolution run by the `run_case_defaults` job once CASE_DEFAULT_AFTER has passed with nobody deciding.
    default_action: str = ""
    default_description = ""
    manual_actions: tuple = ()

    def suggestions(self, case) -> list[Suggestion]:
        """The resolutions possible now, computed from live data (never stored)."""
        return []

    def suggestions_for_cases(self, cases) -> dict[int, list[Suggestion]]:
        """`suggestions` of several cases of this scenario, by case id (the cases list's page). A scenario whose
        suggestions read a lot reads once for all of them."""
        return {case.pk: self.suggestions(case) for case in cases}

    def run(self, case, action: str, params: dict, actor) -> dict:
        """Execute one resolution through the real services; returns what happened (for the case's timeline)."""
        raise NotImplementedError(action)

    def status_after(self, case, action: str) -> str | None:
        """The case's status after `action`, when the action itself decides it (waiting for the store or the
        customer); None: resolved when `settled`, else unchanged."""
        return None

    def settled(self, case) -> bool:
        """The incident is over (the order is whole again, the parcel arrived, the task is done)."""
        return False

    def has_default(self, facts: dict) -> bool:
        """Whether a case with these facts gets a default resolution at `CASE_DEFAULT_AFTER`."""
        return bool(self.default_action)

    def default_suggestions(self, case) -> list[Suggestion]:
        return [s for s in self.suggestions(case) if s.action == self.default_action]
