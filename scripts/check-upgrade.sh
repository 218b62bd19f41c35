#!/usr/bin/env bash
# Upgrade check: the database an older commit leaves after `seed_demo`, migrated by this tree's code, keeps every
# order, line, parcel, payment, reservation, return and case as it was (each row's columns that both versions
# have). Usage: scripts/check-upgrade.sh COMMIT   (a throwaway PostgreSQL unless DATABASE_URL is set)
set -euo pipefail
cd "$(dirname "$0")/.."
OLD="${1:?usage: scripts/check-upgrade.sh COMMIT}"
if [ -z "${DATABASE_URL:-}" ]; then
  exec scripts/with-postgres.sh "$0" "$@"
fi
PY="$PWD/.venv/bin/python"
WORK="$(mktemp -d)"
trap 'git worktree remove --force "$WORK/old" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
git worktree add -q --detach "$WORK/old" "$OLD"

# Every row of the tables that hold people's orders, as {table: {pk: {column: value}}}.
SNAPSHOT='
import json, os
from django.apps import apps
TABLES = ["orders.Customer", "orders.Order", "orders.OrderLine", "orders.Fulfillment", "orders.FulfillmentLine",
          "orders.Payment", "orders.RefundRequest", "orders.OrderEvent", "orders.Reservation",
          "orders.ReservationLine", "orders.ReservationEvent", "orders.Return", "orders.ReturnLine",
          "orders.ReturnEvent", "support_playbook.Case", "inventory.StockLevel", "inventory.StockHold"]
out = {}
for label in TABLES:
    model = apps.get_model(label)
    columns = [f.attname for f in model._meta.concrete_fields]
    out[label] = {str(row["pk"] if "pk" in row else row["id"]): {k: str(v) for k, v in row.items()}
                  for row in model.objects.order_by("pk").values(*columns)}
open(os.environ["SNAPSHOT_FILE"], "w").write(json.dumps(out))
'
export DEBUG=true
(cd "$WORK/old" && "$PY" manage.py migrate -v 0 && "$PY" manage.py seed_demo >/dev/null \
  && SNAPSHOT_FILE="$WORK/before.json" "$PY" manage.py shell -c "$SNAPSHOT" >/dev/null)
"$PY" manage.py migrate -v 1 | grep -E "^  Applying" || echo "  (no migration to apply)"
SNAPSHOT_FILE="$WORK/after.json" "$PY" manage.py shell -c "$SNAPSHOT" >/dev/null
"$PY" - "$WORK/before.json" "$WORK/after.json" "$OLD" <<'PYTHON'
import json, sys
before, after = (json.load(open(path)) for path in sys.argv[1:3])
problems, rows = [], 0
for table, old_rows in before.items():
    new_rows = after.get(table, {})
    if set(old_rows) != set(new_rows):
        problems.append(f"{table}: rows {len(old_rows)} before, {len(new_rows)} after")
    for pk, old in old_rows.items():
        rows += 1
        new = new_rows.get(pk, {})
        changed = [column for column in old if column in new and old[column] != new[column]]
        if changed:
            problems.append(f"{table} {pk}: {', '.join(changed)} changed")
for problem in problems[:20]:
    print(problem)
print(f"upgrade from {sys.argv[3]}: {rows} rows in {len(before)} tables, {len(problems)} differences")
sys.exit(1 if problems or rows == 0 else 0)
PYTHON
