"""Head office's KPI targets (issue 27): one per rate figure for every location, and any location's own."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from omnichannel.errors import DomainError
from support_playbook.models import KpiTarget


def rate_keys() -> dict:
    from support_playbook import kpis

    return {rate.key: rate for rate in kpis.TARGETABLE}


@transaction.atomic
def set_target(*, key: str, location=None, percent: Decimal, actor=None) -> KpiTarget:
    """Set (or change) the target of figure `key` for `location` (None: every location and the network)."""
    if key not in rate_keys():
        raise DomainError(_("This figure takes no target."))
    if not Decimal("0") <= percent <= Decimal("100"):
        raise DomainError(_("A target is between 0 and 100 %."))
    target, _created = KpiTarget.objects.update_or_create(
        key=key, location=location, defaults={"target": (percent / 100).quantize(Decimal("0.0001")), "set_by": actor}
    )
    return target


@transaction.atomic
def remove_target(*, target_id: int) -> None:
    KpiTarget.objects.filter(pk=target_id).delete()
