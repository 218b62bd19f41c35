"""django-q2 tasks of the support playbook: thin wrappers over services, idempotent, safe to run twice at once."""

from support_playbook.services import cases, kpi_rollup


def run_case_defaults() -> int:
    """Cases nobody decided within CASE_DEFAULT_AFTER get their scenario's default resolution."""
    return cases.run_case_defaults()


def refresh_kpis() -> int:
    """Bring the KPI rollup up to date: the days whose orders, reservations or messages changed since the last run."""
    return kpi_rollup.refresh_kpis().days
