"""Throughput of sweeps: runs per second of a 1,000-run sweep of abe_2015 (60 steps).

Backends: 1 worker (in process), a process pool of 2, and a 2-worker local Dask
cluster. Prints runs/s for each, the speed-up of 2 workers over 1, and what 10,000
runs would take. Targets (issue 3): 10,000 runs in under a minute on 2 cores; 2
workers at least 1.7x one. A report, not a test: nothing is asserted.

    .venv/bin/python bench/bench_sweep.py [--runs 1000] [--trajectories]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from greatgame.analysis.spec import read_spec  # noqa: E402
from greatgame.analysis.sweep import run_sweep  # noqa: E402

SPEC = """\
name: bench
scenario: abe_2015
parameters:
  powers.japan.budget.loans: {{range: [0.1, 3.0]}}
  powers.japan.budget.grants: {{range: [0.01, 0.5]}}
  parameters.choice_sensitivity: {{range: [2, 8]}}
  initiatives.japan_2015_tour.enabled: {{values: [true, false]}}
design: lhs
samples: {points}
replicates: 4
seed: 2024
{trajectories}
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000, help="runs per backend (a multiple of 4)")
    ap.add_argument("--trajectories", action="store_true", help="also keep yearly trajectories")
    args = ap.parse_args()
    points = max(1, args.runs // 4)
    traj = "outcomes: {trajectories: {every: 4}}" if args.trajectories else ""
    print(f"greatgame sweep bench: abe_2015, 60 steps, {points * 4} runs per backend "
          f"({'with' if args.trajectories else 'without'} trajectories) | Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        spec_file = Path(tmp) / "bench.yaml"
        spec_file.write_text(SPEC.format(points=points, trajectories=traj), encoding="utf-8")
        spec = read_spec(spec_file)
        tables = {}
        for label, kw in (("1 worker", {"workers": 1}), ("2 workers (process pool)", {"workers": 2}),
                          ("2-worker local Dask cluster", {"dask_local": 2})):
            t0 = time.perf_counter()
            r = run_sweep(spec, Path(tmp) / label.split()[0] / label.split()[-1].strip("()"), **kw)
            wall = time.perf_counter() - t0
            rates[label] = r.total / wall
            tables[label] = r.scalars
            print(f"  {label:<28} {r.total} runs in {wall:6.2f} s  = {rates[label]:7.1f} runs/s"
                  f"  ({r.failed} failed; wall time incl. start-up and writing)")
        first = next(iter(tables.values()))
        same = all(t.equals(first) for t in tables.values())
        print(f"  tables identical across backends: {same}")
    one, two = rates["1 worker"], rates["2 workers (process pool)"]
    dask2 = rates["2-worker local Dask cluster"]
    print(f"speed-up 2 workers / 1: {two / one:.2f}x (target >= 1.7x); Dask 2 / 1: {dask2 / one:.2f}x")
    best = max(two, dask2)
    print(f"10,000 runs at the best 2-core rate: {10_000 / best:.0f} s (target < 60 s)")
    print(f"SUMMARY sweep: 1w {one:.0f} runs/s, 2w {two:.0f} runs/s ({two / one:.2f}x), "
          f"dask2 {dask2:.0f} runs/s, 10k runs ~{10_000 / best:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
