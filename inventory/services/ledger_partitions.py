"""The stock ledger (`StockMovement`) partitioned by month on PostgreSQL (omnichannel/partitions.py says how)."""

from datetime import date
from pathlib import Path

from omnichannel import partitions

LEDGER = "inventory_stockmovement"
DEFAULT_PARTITION = partitions.default_partition(LEDGER)


def partition_name(month: date) -> str:
    return partitions.partition_name(LEDGER, month)


def is_partitioned() -> bool:
    return partitions.is_partitioned(LEDGER)


def ledger_partitions() -> list[tuple[str, date]]:
    return partitions.monthly_partitions(LEDGER)


def add_month(month: date) -> bool:
    return partitions.add_month(LEDGER, month)


def ensure_ledger_partitions(*, months_ahead: int = 2, today: date | None = None) -> list[str]:
    return partitions.ensure_months(LEDGER, months_ahead=months_ahead, today=today)


def archive_ledger_months(*, before: date, into: Path) -> list[Path]:
    return partitions.archive_months(LEDGER, before=before, into=into)
