"""How long the app (`greatgame app`) takes per quarter: the step of the run and its
counterfactual, the tables the panels read, and each panel's figure, as the page does them
(no browser: the PNG bytes are what the page shows).

    .venv/bin/python bench/bench_app.py [SCENARIO] [--steps N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from greatgame import app
from greatgame.app_model import AppModel, model_params


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default="abe_2015")
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()
    model = AppModel(**app.initial_kwargs(model_params(args.scenario)))
    first = model.main.republic_ids[0]
    t0 = time.perf_counter()
    for f in (app.shift_png, app.alignment_png, app.network_png):
        f(model)
    app.channels_png(model, first)
    print(f"first drawing of the four figures (builds and lays them out): {time.perf_counter() - t0:.2f} s")
    rows = {k: [] for k in ("step", "tables", "shift", "alignment", "network", "channels", "total")}
    for _ in range(args.steps):
        t = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        model.frames()
        t2 = time.perf_counter()
        app.shift_png(model)
        app.alignment_png(model)
        app.network_png(model)
        app.channels_png(model, first)
        t3 = time.perf_counter()
        rows["step"].append(t1 - t)
        rows["tables"].append(t2 - t1)
        for k in ("shift", "alignment", "network", "channels"):
            rows[k].append(app.TIMINGS[k])
        rows["total"].append(t3 - t)
    print(f"per quarter, median of {args.steps} ({args.scenario}, one run and its counterfactual):")
    for k, v in rows.items():
        print(f"  {k:<10} {1000 * statistics.median(v):7.1f} ms")


if __name__ == "__main__":
    main()
