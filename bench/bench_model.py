"""Benchmark: a 60-step run of ``abe_2015`` against a bare Mesa 3.5 model of the same shape.

Run as ``.venv/bin/python bench/bench_model.py`` (``make bench``); see bench/README.md.

"ours"  ``GreatGameModel(loaded, rng=seed)`` followed by ``run_for(60)``. Model construction
        is timed; scenario loading/validation (``load_scenario``) is not, and is reported on
        its own line.
"bare"  a Mesa 3.5 model with as many agents of two classes as ours, the same 60 steps via
        ``run_for(60)``, and a ``mesa.DataCollector`` with as many model reporters and
        agent-type reporters per agent type as ours (all counts read from a live
        GreatGameModel). Reporters are trivial module-level functions; each agent step is one
        draw through ``model.rng``. Written in idioms that survive Mesa 4.

Both run in one process, interleaved run by run; the report gives per-run medians, the ratio
ours/bare and the target (<= 3x). Nothing is asserted: this is a report, not a test.

"batch_run by name" (issue 13): ``mesa.batch_run(GreatGameModel, {"scenario": "abe_2015"},
rng=[...], max_steps=60, number_processes=1)`` against ``mesa.batch_run(BareModel, <shape>,
rng=[...], ...)``, same seeds, same steps, same data collection (Mesa's default: the last
step), one process, the two alternating batch by batch. Ours pays the scenario lookup on
every run (a read and a hash of the files, an unpickled copy of the validated scenario; the
first run of the process also parses and validates it).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import platform
import pstats
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import mesa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from greatgame.sim import GreatGameModel, load_scenario  # noqa: E402

SCENARIO = "abe_2015"
STEPS = 60
TARGET_RATIO = 3.0


# ====================================================================== bare model
# Module-level reporters (picklable, no lambdas); one column per functools.partial, the way
# sim/reporters.py builds its per-power columns.


def model_value(model, i: int) -> float:
    return model.values[i]


def agent_value(agent, i: int) -> float:
    return agent.values[i]


class BareAgentA(mesa.Agent):
    """Stands in for PowerAgent: one random draw per step."""

    def __init__(self, model: BareModel, n_values: int):
        super().__init__(model)  # Mesa assigns unique_id
        self.values = [0.0] * max(n_values, 1)

    def step(self) -> None:
        self.values[0] = self.model.rng.random()


class BareAgentB(mesa.Agent):
    """Stands in for RepublicAgent: one random draw per step."""

    def __init__(self, model: BareModel, n_values: int):
        super().__init__(model)
        self.values = [0.0] * max(n_values, 1)

    def step(self) -> None:
        self.values[0] = self.model.rng.random()


class BareModel(mesa.Model):
    """The same shape as GreatGameModel (agents, reporters, steps), none of its substance."""

    def __init__(self, n_a: int, n_b: int, n_model_rep: int, n_a_rep: int, n_b_rep: int, rng=None):
        super().__init__(rng=rng)
        self.values = [0.0] * max(n_model_rep, 1)
        for _ in range(n_a):
            BareAgentA(self, n_a_rep)
        for _ in range(n_b):
            BareAgentB(self, n_b_rep)
        self.datacollector = mesa.DataCollector(
            model_reporters={f"m{i}": partial(model_value, i=i) for i in range(n_model_rep)},
            agenttype_reporters={
                BareAgentA: {f"a{i}": partial(agent_value, i=i) for i in range(n_a_rep)},
                BareAgentB: {f"b{i}": partial(agent_value, i=i) for i in range(n_b_rep)},
            },
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        self.values[0] = self.rng.random()
        self.agents_by_type[BareAgentA].shuffle_do("step")
        self.agents_by_type[BareAgentB].shuffle_do("step")
        self.datacollector.collect(self)


# ====================================================================== runs


def run_ours(loaded, seed: int) -> GreatGameModel:
    m = GreatGameModel(loaded, rng=seed)
    m.run_for(STEPS)
    return m


def run_bare(shape: dict, seed: int) -> BareModel:
    m = BareModel(**shape, rng=seed)
    m.run_for(STEPS)
    return m


def shape_of(m: GreatGameModel) -> dict:
    """Agent and reporter counts of a live GreatGameModel."""
    dc = m.datacollector
    power_t, republic_t = type(m.power_agents[0]), type(m.republic_agents[0])
    return {
        "n_a": len(m.power_agents),
        "n_b": len(m.republic_agents),
        "n_model_rep": len(dc.model_reporters),
        "n_a_rep": len(dc.agenttype_reporters.get(power_t, {})),
        "n_b_rep": len(dc.agenttype_reporters.get(republic_t, {})),
    }


def timed(fn, seed: int) -> tuple[float, object]:
    """Seconds for one run. Garbage left by earlier runs is collected first, untimed, so
    that one model's cyclic garbage is not charged to the other."""
    gc.collect()
    t0 = time.perf_counter()
    m = fn(seed)
    return time.perf_counter() - t0, m


def ms(s: float) -> str:
    return f"{s * 1e3:8.2f} ms"


def positive_int(text: str) -> int:
    v = int(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {v}")
    return v


# ====================================================================== profile


def _short(key: tuple) -> str:
    """'name (file:line)' with the path cut to the project or the installed package."""
    file, line, name = key
    if file == "~":  # built-in
        return name
    p = Path(file)
    try:
        rel = p.resolve().relative_to(ROOT)
        if rel.parts[0] != ".venv":
            return f"{name} ({rel}:{line})"
    except ValueError:
        pass
    parts = p.parts
    if "site-packages" in parts:
        rel = Path(*parts[parts.index("site-packages") + 1:])
    else:
        rel = Path(*parts[-2:])
    return f"{name} ({rel}:{line})"


def _key(func) -> tuple:
    c = func.__code__
    return (c.co_filename, c.co_firstlineno, c.co_name)


def _children(stats: dict, parent: tuple) -> list[tuple[float, int, tuple]]:
    """(cumulative seconds, calls, callee) for every function called from ``parent``."""
    out = []
    for func, (_cc, _nc, _tt, _ct, callers) in stats.items():
        if parent in callers:
            nc, _cc2, _tt2, ct = callers[parent]
            out.append((ct, nc, func))
    return sorted(out, reverse=True)


def print_profile(loaded, seed: int, reference_s: float) -> None:
    """cProfile one of our runs: a per-phase table, then the top 15 by cumulative time."""
    gc.collect()
    pr = cProfile.Profile()
    pr.enable()
    run_ours(loaded, seed)
    pr.disable()
    ps = pstats.Stats(pr)
    stats = ps.stats  # {func: (cc, nc, tottime, cumtime, {caller: (nc, cc, tottime, cumtime)})}
    total = ps.total_tt

    def ct_of(key) -> tuple[float, int]:
        row = stats.get(key)
        return (row[3], row[1]) if row else (0.0, 0)

    def line(depth: int, label: str, secs: float, calls: int | None = None) -> None:
        n = f"x{calls}" if calls else ""
        print(f"  {'  ' * depth}{label:<{66 - 2 * depth}} {n:>6} {secs * 1e3:8.2f} ms {100 * secs / total:5.1f}%")

    def tree(parent, depth: int, min_share: float = 0.005, expand: int = 0) -> None:
        for ct, nc, func in _children(stats, parent):
            if ct < min_share * total:
                continue
            line(depth, _short(func), ct, nc)
            if "agentset.py" in func[0]:
                # Agent methods run inside AgentSet.shuffle_do/do: show them, and what they call.
                tree(func, depth + 1, min_share, expand=1)
            elif expand:
                tree(func, depth + 1, 0.01, expand - 1)

    init_key, step_key = _key(GreatGameModel.__init__), _key(GreatGameModel.step)
    run_key = _key(mesa.Model.run_for)
    init_ct, _ = ct_of(init_key)
    run_ct, _ = ct_of(run_key)
    step_ct, step_n = ct_of(step_key)

    print(f"\nprofile: one run of ours (seed {seed}) under cProfile: {total * 1e3:.1f} ms "
          f"(unprofiled median {reference_s * 1e3:.1f} ms; the profiler inflates small calls)")
    print("per phase (cumulative time; phases under 0.5% left out, 1% inside agent methods):")
    line(0, "construction: GreatGameModel.__init__", init_ct, 1)
    tree(init_key, 1)
    line(0, f"run_for({STEPS})", run_ct, 1)
    line(1, "GreatGameModel.step", step_ct, step_n)
    tree(step_key, 2)
    line(1, "Mesa event loop, scheduled scenario events (run_for - step)", run_ct - step_ct)

    print("\ntop 15 by cumulative time:")
    print(f"  {'ncalls':>7} {'tottime':>9} {'cumtime':>9}  function")
    rows = sorted(stats.items(), key=lambda kv: kv[1][3], reverse=True)[:15]
    for func, (_cc, nc, tt, ct, _callers) in rows:
        print(f"  {nc:>7} {tt * 1e3:6.1f} ms {ct * 1e3:6.1f} ms  {_short(func)}")


# ====================================================================== main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=positive_int, default=5, help="repetitions (default 5)")
    ap.add_argument("--runs", type=positive_int, default=20,
                    help="runs of each model per repetition, interleaved (default 20)")
    ap.add_argument("--profile", action="store_true",
                    help="also cProfile one of our runs: per-phase table and top 15 by cumulative time")
    args = ap.parse_args(argv)

    print(f"greatgame bench: {SCENARIO}, {STEPS} steps | Python {platform.python_version()}, "
          f"Mesa {mesa.__version__}, {platform.machine()}")

    # Scenario loading/validation: timed on its own, excluded from the runs below.
    load_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        loaded = load_scenario(SCENARIO)
        load_times.append(time.perf_counter() - t0)
    print(f"scenario load+validate (excluded below): first {ms(load_times[0])}, "
          f"median of 5 {ms(statistics.median(load_times))}")

    probe = GreatGameModel(loaded, rng=0)  # untimed: only to read the shape
    shape = shape_of(probe)
    del probe
    print(f"shape: {shape['n_a']} powers + {shape['n_b']} republics; reporters: "
          f"{shape['n_model_rep']} model, {shape['n_a_rep']} per power, {shape['n_b_rep']} per republic")

    ours = partial(run_ours, loaded)
    bare = partial(run_bare, shape)
    t_ours: list[float] = []
    t_bare: list[float] = []
    steps_seen = set()
    print(f"timing: {args.repeats} repeats x {args.runs} runs of each, interleaved, no warm-up "
          "(construction + run_for; per-run medians)")
    for r in range(args.repeats):
        rep_ours, rep_bare = [], []
        for k in range(args.runs):
            seed = 1000 * (r + 1) + k
            # Interleave run by run; which model goes first alternates, so drift hits both alike.
            pair = [(ours, rep_ours), (bare, rep_bare)]
            if (r + k) % 2:
                pair.reverse()
            for fn, sink in pair:
                dt, m = timed(fn, seed)
                sink.append(dt)
                steps_seen.add((type(m).__name__, m.steps))
                del m
        t_ours += rep_ours
        t_bare += rep_bare
        mo, mb = statistics.median(rep_ours), statistics.median(rep_bare)
        print(f"  repeat {r + 1}/{args.repeats}: ours {ms(mo)}  bare {ms(mb)}  ratio {mo / mb:5.2f}x")

    steps = sorted(steps_seen)
    if any(s != STEPS for _, s in steps):
        print(f"  note: steps run per model {steps}, expected {STEPS}")

    med_ours, med_bare = statistics.median(t_ours), statistics.median(t_bare)
    ratio = med_ours / med_bare
    verdict = "PASS" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    n = len(t_ours)
    print(f"\nper run, median of {n} (min .. max):")
    print(f"  ours (GreatGameModel) {ms(med_ours)}   ({ms(min(t_ours)).strip()} .. {ms(max(t_ours)).strip()})")
    print(f"  bare Mesa model       {ms(med_bare)}   ({ms(min(t_bare)).strip()} .. {ms(max(t_bare)).strip()})")
    print(f"  ratio ours/bare       {ratio:8.2f}x    target <= {TARGET_RATIO:g}x: {verdict}")

    b_ours, b_bare = batch_by_name(shape, args.repeats, args.runs)
    b_ratio = b_ours / b_bare
    b_verdict = "PASS" if b_ratio <= TARGET_RATIO else "ABOVE TARGET"

    if args.profile:
        print_profile(loaded, seed=0, reference_s=med_ours)

    print(f"\nSUMMARY {SCENARIO} {STEPS} steps: ours {med_ours * 1e3:.2f} ms/run, bare {med_bare * 1e3:.2f} ms/run, "
          f"ratio {ratio:.2f}x (target <= {TARGET_RATIO:g}x) {verdict} "
          f"[{args.repeats}x{args.runs} runs, Mesa {mesa.__version__}, Python {platform.python_version()}]")
    print(f"SUMMARY batch_run by name {SCENARIO} {STEPS} steps: ours {b_ours * 1e3:.2f} ms/run, "
          f"bare {b_bare * 1e3:.2f} ms/run, ratio {b_ratio:.2f}x (target <= {TARGET_RATIO:g}x) {b_verdict}")
    return 0


def batch_by_name(shape: dict, repeats: int, runs: int) -> tuple[float, float]:
    """Per-run medians (seconds) of mesa.batch_run by scenario name, ours and bare."""
    print(f"\nbatch_run by name: {repeats} repeats x {runs} runs of each (one batch_run call of {runs} seeds "
          "per model and repeat, alternating; per-run = batch time / runs)")
    per_ours, per_bare = [], []
    for r in range(repeats):
        seeds = [5000 * (r + 1) + k for k in range(runs)]
        calls = [("ours", GreatGameModel, {"scenario": SCENARIO}, per_ours),
                 ("bare", BareModel, shape, per_bare)]
        if r % 2:
            calls.reverse()
        got = {}
        for label, cls, params, sink in calls:
            gc.collect()
            t0 = time.perf_counter()
            rows = mesa.batch_run(cls, parameters=params, rng=seeds, max_steps=STEPS, number_processes=1,
                                  display_progress=False)
            dt = (time.perf_counter() - t0) / runs
            sink.append(dt)
            got[label] = dt
            assert {row["Step"] for row in rows} == {STEPS}, f"{label}: expected {STEPS} steps"
        print(f"  repeat {r + 1}/{repeats}: ours {ms(got['ours'])}  bare {ms(got['bare'])}  "
              f"ratio {got['ours'] / got['bare']:5.2f}x")
    mo, mb = statistics.median(per_ours), statistics.median(per_bare)
    print(f"  per run, median of {repeats} batches: ours {ms(mo)}, bare {ms(mb)}, ratio {mo / mb:.2f}x")
    return mo, mb


if __name__ == "__main__":
    sys.exit(main())
