"""Time `manage.py import_stock` on a large file (default 100 000 lines) against PostgreSQL.

    scripts/with-postgres.sh .venv/bin/python bench/import_stock.py [--lines 100000]

Uses the benchmark network of bench/network.py (built when missing), writes a CSV of random distinct
(location, SKU) pairs with new counts, runs the real command in a subprocess and reports lines/s.
Results go to bench/results/import_stock.json. Not run in CI.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from network import ROOT, build_network, setup_django, write_result  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--locations", type=int, default=60)
    parser.add_argument("--skus", type=int, default=50_000)
    args = parser.parse_args()

    setup_django()
    build_network(locations=args.locations, skus=args.skus, stocked_share=0.35)
    from stores.models import Location

    codes = list(Location.objects.filter(city="Bench").order_by("code").values_list("code", flat=True))
    rng = random.Random(42)
    pairs = set()
    while len(pairs) < args.lines:
        pairs.add((rng.choice(codes), rng.randint(1, args.skus)))
    counts = random.Random()  # fresh counts every run, so lines really change the stock
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["location", "sku", "on_hand"])
        for location, sku in sorted(pairs):
            writer.writerow([location, f"BENCH-{sku:07d}", counts.randint(0, 30)])
        path = handle.name
    started = time.perf_counter()
    run = subprocess.run(
        # --skip-invalid: the database may hold units other benchmarks committed, which a random count can undercut.
        [str(ROOT / ".venv/bin/python"), "manage.py", "import_stock", path, "--skip-invalid"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "false"},
    )
    seconds = time.perf_counter() - started
    os.unlink(path)
    if run.returncode:
        sys.exit(f"import_stock failed:\n{run.stderr[-2000:]}")
    result = {
        "lines": args.lines,
        "seconds": round(seconds, 1),
        "lines_per_second": round(args.lines / seconds),
        "output": run.stdout.strip().splitlines()[-1],
    }
    write_result("import_stock", result)


if __name__ == "__main__":
    main()
