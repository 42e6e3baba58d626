"""Scenario discovery on a sweep: which parameter ranges make an outcome happen?

PRIM (the Patient Rule Induction Method, EMA Workbench's implementation) peels the
parameter space, a little at a time, towards a box where the runs of interest are dense:
each step of the peeling trajectory trades **coverage** (the share of all runs of interest
that fall inside the box) for **density** (the share of runs inside the box that are of
interest); **mass** is the share of all runs inside the box. Optionally a CART tree
(scikit-learn) gives a second view as a handful of if-then rules.

X is the spec's parameters, one row per run (real ranges as floats, integer ranges as
ints, categorical and boolean parameters as pandas categories); y is the outcome of each
successful run: a boolean outcome as it is, a numeric one as ``value >= threshold``.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from greatgame.sim.errors import suggest

from .sensitivity import RUN_COLUMNS, AnalysisError, outcome_columns, read_sweep_folder

DEFAULT_COVERAGE = 0.5


@contextmanager
def quiet():
    """No warnings and no EMA Workbench log lines while PRIM or CART run."""
    ema = logging.getLogger("EMA")
    level = ema.level
    ema.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            yield
    finally:
        ema.setLevel(level)


def _prim():
    with quiet():
        from ema_workbench.analysis import prim
    return prim


# ---------------------------------------------------------------- inputs


@dataclass
class SweepTable:
    """A sweep's runs, ready for discovery: parameters and outcomes."""

    path: Path | None
    scalars: pd.DataFrame
    parameters: dict[str, str]  # name -> "real" | "int" | "values"
    values: dict[str, list] = field(default_factory=dict)  # categorical parameters: their values, in spec order
    manifest: dict = field(default_factory=dict)


def parameter_kinds(spec_text: str | None) -> tuple[dict[str, str], dict[str, list]]:
    """Each parameter's kind from the sweep's spec.yaml, or guessed from the columns'
    dtypes when the spec cannot be read."""
    from greatgame.sim.scenario import load_yaml_text

    from .spec import RangeParam, SweepSpec

    kinds, values = {}, {}
    if spec_text:
        try:
            spec = SweepSpec.model_validate(load_yaml_text(spec_text))  # as the sweep read it
        except Exception:  # a spec this version cannot read: fall back on the table's dtypes
            spec = None
        if spec is not None:
            for name, p in spec.parameters.items():
                if isinstance(p, RangeParam):
                    kinds[name] = p.type
                else:
                    kinds[name], values[name] = "values", list(p.values)
            for pt in spec.points or []:
                for name in pt:
                    kinds.setdefault(name, "")
    return kinds, values


def load_sweep(path: str | Path) -> SweepTable:
    """The scalars of a finished sweep folder with its parameters (from spec.yaml and
    design.parquet); one-line errors for anything else."""
    p = Path(path)
    manifest, scalars = read_sweep_folder(p)
    spec_file = p / "spec.yaml"
    spec_text = spec_file.read_text(encoding="utf-8") if spec_file.exists() else None
    design_file = p / "design.parquet"
    names: list[str] = []
    if design_file.exists():
        try:
            names = [c for c in pd.read_parquet(design_file).columns if c not in ("point", "index")]
        except Exception:  # noqa: BLE001 - unreadable: the spec names the parameters
            names = []
    kinds, values = parameter_kinds(spec_text)
    for n in names:
        kinds.setdefault(n, "")
    kinds = {n: k for n, k in kinds.items() if n in scalars.columns}
    if not kinds:
        raise AnalysisError(f"{p}: cannot tell the sweep's parameters (no readable spec.yaml or design.parquet)")
    for n, k in kinds.items():
        if not k:  # from the dtype
            s = scalars[n]
            kinds[n] = ("values" if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
                        else "int" if pd.api.types.is_integer_dtype(s) else "real")
    return SweepTable(p, scalars, kinds, values, manifest)


def make_x(scalars: pd.DataFrame, kinds: dict[str, str], values: dict[str, list] | None = None
           ) -> tuple[pd.DataFrame, list[str]]:
    """The parameter frame PRIM reads, and the parameters left out (with the reason)."""
    values = values or {}
    cols, dropped = {}, []
    for name, kind in kinds.items():
        s = scalars[name]
        if s.isna().any():
            dropped.append(f"{name} (some points leave it at the scenario's value)")
            continue
        if kind == "values" or pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            vals = [v for v in values.get(name, []) if v in set(s.tolist())] or sorted(set(s.tolist()), key=repr)
            cols[name] = pd.Categorical(s.tolist(), categories=vals)
        elif kind == "int":
            cols[name] = s.astype("int64").to_numpy()
        else:
            cols[name] = s.astype("float64").to_numpy()
        if len(set(s.tolist())) < 2:
            cols.pop(name)
            dropped.append(f"{name} (the same in every run)")
    return pd.DataFrame(cols, index=scalars.index), dropped


def make_y(scalars: pd.DataFrame, outcome: str, threshold: float | None, parameters: list[str]
           ) -> tuple[np.ndarray, str]:
    """The runs of interest (a boolean per row) and a description of the rule."""
    available = outcome_columns(scalars, parameters)
    if outcome not in scalars.columns or outcome in RUN_COLUMNS or outcome in parameters:
        raise AnalysisError(f"--outcome: unknown outcome '{outcome}'{suggest(outcome, available)}; this sweep "
                            f"records: {', '.join(available)}")
    s = scalars[outcome]
    if pd.api.types.is_bool_dtype(s):
        if threshold is not None:
            raise AnalysisError(f"--threshold: '{outcome}' is true or false already; leave out --threshold")
        return s.fillna(False).astype(bool).to_numpy(), f"{outcome} is true"
    if not pd.api.types.is_numeric_dtype(s):
        raise AnalysisError(f"--outcome: '{outcome}' is not a number or a flag")
    if threshold is None:
        lo, hi = float(s.min()), float(s.max())
        raise AnalysisError(f"--outcome {outcome} is a number (from {lo:.4g} to {hi:.4g} in these runs); give "
                            f"--threshold T to look for the runs with {outcome} >= T")
    return (s.astype(float) >= threshold).to_numpy(), f"{outcome} >= {threshold:g}"


# ---------------------------------------------------------------- PRIM


@dataclass
class Discovery:
    """A PRIM peeling trajectory, the chosen box and (optionally) CART rules."""

    target: str
    n: int
    n_interest: int
    trajectory: pd.DataFrame
    boxes: list[dict[str, dict]]  # per box on the trajectory: restricted parameter -> limits
    chosen: int
    rule: str
    dropped: list[str] = field(default_factory=list)
    cart: dict | None = None
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def box(self) -> dict[str, dict]:
        return self.boxes[self.chosen]

    @property
    def stats(self) -> dict[str, float]:
        r = self.trajectory.iloc[self.chosen]
        return {k: (float(r[k]) if k in ("coverage", "density", "mass") else int(r[k]))
                for k in ("coverage", "density", "mass", "res_dim", "n", "k")}

    def to_json(self) -> dict:
        return {
            "target": self.target,
            "runs": self.n,
            "runs_of_interest": self.n_interest,
            "chosen_box": self.chosen,
            "rule": self.rule,
            "box": self.box,
            "stats": self.stats,
            "left_out": self.dropped,
            "trajectory": [{**{k: _plain(v) for k, v in row.items()}, "limits": self.boxes[i]}
                           for i, row in enumerate(self.trajectory.to_dict(orient="records"))],
            "cart": self.cart,
        }


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def _limits(box_lim: pd.DataFrame, box_init: pd.DataFrame, qp: dict, ints: list[str] = ()) -> dict[str, dict]:
    """The restricted parameters of one PRIM box with their limits and quasi-p-values
    (an integer parameter's limits as the whole numbers inside them)."""
    out = {}
    for name in box_lim.columns:
        lo, hi = box_lim[name].iloc[0], box_lim[name].iloc[1]
        lo0, hi0 = box_init[name].iloc[0], box_init[name].iloc[1]
        q = [None if (x is None or x < 0) else float(x) for x in qp.get(name, [-1, -1])]
        if isinstance(lo, set):
            if lo == lo0:
                continue
            keep = sorted((_plain(v) for v in lo), key=repr)
            out[name] = {"values": keep, "of": sorted((_plain(v) for v in lo0), key=repr), "qp": q[0]}
        else:
            if lo == lo0 and hi == hi0:
                continue
            if name in ints:
                lo, hi, lo0, hi0 = int(np.ceil(lo)), int(np.floor(hi)), int(lo0), int(hi0)
            out[name] = {"min": _plain(lo), "max": _plain(hi), "range": [_plain(lo0), _plain(hi0)],
                         "qp_min": q[0] if lo != lo0 else None, "qp_max": q[1] if hi != hi0 else None}
    return out


def check_options(peel_alpha: float, mass_min: float) -> None:
    if not 0 < peel_alpha < 0.5:
        raise AnalysisError(f"--peel-alpha: must be between 0 and 0.5, got {peel_alpha:g}")
    if not 0 < mass_min < 1:
        raise AnalysisError(f"--min-mass: must be between 0 and 1, got {mass_min:g}")


def prim_boxes(x: pd.DataFrame, y: np.ndarray, peel_alpha: float = 0.05, mass_min: float = 0.05):
    """Run PRIM once (the first box) and return the box object."""
    prim = _prim()
    with quiet():
        p = prim.Prim(x, y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        return p, p.find_box()


def discover(x: pd.DataFrame, y: np.ndarray, peel_alpha: float = 0.05, mass_min: float = 0.05,
             box: int | None = None, target: str = "", dropped: list[str] | None = None,
             kinds: dict[str, str] | None = None) -> Discovery:
    """PRIM on ``x`` and the runs of interest ``y``; choose a box on the trajectory:
    ``box`` if given, else the last one that keeps coverage >= 0.5."""
    y = np.asarray(y, dtype=bool)
    check_options(peel_alpha, mass_min)
    if x.shape[1] == 0:
        raise AnalysisError("no parameter varies over these runs: nothing to restrict")
    # Integer parameters go to PRIM as floats: EMA Workbench 3.0.0 pastes a quantile such as
    # 2.5 into an int64 box limit, which pandas 3 refuses (TypeError). As reals they are peeled
    # between whole values; the limits are reported as whole numbers below.
    ints = [c for c in x.columns if pd.api.types.is_integer_dtype(x[c])]
    p, b = prim_boxes(x.astype({c: "float64" for c in ints}), y, peel_alpha, mass_min)
    traj = b.peeling_trajectory.reset_index(drop=True)
    traj = pd.DataFrame({"box": np.arange(len(traj)), "coverage": traj["coverage"].astype(float),
                         "density": traj["density"].astype(float), "mass": traj["mass"].astype(float),
                         "res_dim": traj["res_dim"].astype(int), "n": traj["n"].astype(int),
                         "k": traj["k"].astype(int)})
    boxes = [_limits(lim, p.box_init, qp, ints) for lim, qp in zip(b.box_lims, b.p_values)]
    traj["restricted"] = [", ".join(bx) for bx in boxes]
    if box is not None:
        if not 0 <= box < len(traj):
            raise AnalysisError(f"--box {box}: the peeling trajectory has boxes 0 to {len(traj) - 1}")
        chosen, rule = box, f"box {box}, as asked (--box)"
    else:
        ok = np.flatnonzero(traj["coverage"].to_numpy() >= DEFAULT_COVERAGE - 1e-12)
        chosen = int(ok[-1]) if len(ok) else 0
        rule = (f"the last box on the trajectory with coverage >= {DEFAULT_COVERAGE:g} (choose another with --box N)"
                if len(ok) else "the first box: no box keeps coverage >= 0.5")
    return Discovery(target, len(y), int(y.sum()), traj, boxes, chosen, rule, list(dropped or []),
                     parameters=dict(kinds or {}))


# ---------------------------------------------------------------- CART


def cart_rules(x: pd.DataFrame, y: np.ndarray, mass_min: float = 0.05, max_depth: int = 4) -> dict:
    """A classification tree (scikit-learn, leaves of at least ``mass_min`` of the runs)
    and, for each leaf where the runs of interest are the majority, its rule."""
    from sklearn.tree import DecisionTreeClassifier

    y = np.asarray(y, dtype=bool)
    sep = "\x1f"
    cats = [c for c in x.columns if isinstance(x[c].dtype, pd.CategoricalDtype)]
    dummies = pd.get_dummies(x, columns=cats, prefix_sep=sep, dtype=float)
    features = list(dummies.columns)
    leaf_min = max(1, int(mass_min * len(y)))
    with quiet():
        clf = DecisionTreeClassifier(min_samples_leaf=leaf_min, max_depth=max_depth, random_state=0)
        clf.fit(dummies.to_numpy(dtype=float), y)
    t = clf.tree_
    leaves = clf.apply(dummies.to_numpy(dtype=float))
    total = max(int(y.sum()), 1)
    rules = []

    def walk(node: int, cond: dict) -> None:
        if t.children_left[node] == -1:
            inside = leaves == node
            n, k = int(inside.sum()), int(y[inside].sum())
            if n and k / n > 0.5:
                rules.append({"conditions": _describe(cond, x), "n": n, "k": k, "density": k / n,
                              "coverage": k / total, "mass": n / len(y)})
            return
        f = features[t.feature[node]]
        thr = float(t.threshold[node])
        for child, side in ((t.children_left[node], "le"), (t.children_right[node], "gt")):
            c = {k: (dict(v) if isinstance(v, dict) else set(v)) for k, v in cond.items()}
            if sep in f:
                col, val = f.split(sep, 1)
                allowed = c.get(col, {str(v) for v in x[col].cat.categories})
                c[col] = (allowed - {val}) if side == "le" else (allowed & {val})
            else:
                lim = c.setdefault(f, {})
                if side == "le":
                    lim["le"] = min(thr, lim.get("le", np.inf))
                else:
                    lim["gt"] = max(thr, lim.get("gt", -np.inf))
            walk(child, c)

    walk(0, {})
    rules.sort(key=lambda r: (-r["k"], -r["density"]))
    accuracy = float((clf.predict(dummies.to_numpy(dtype=float)) == y).mean())
    return {"max_depth": max_depth, "min_leaf": leaf_min, "leaves": int(clf.get_n_leaves()),
            "accuracy": accuracy, "rules": rules}


def _describe(cond: dict, x: pd.DataFrame) -> list[str]:
    out = []
    for col, c in cond.items():
        if isinstance(c, set):
            vals = [v for v in x[col].cat.categories if str(v) in c]
            text = ", ".join(_fmt_value(v) for v in vals)
            out.append(f"{col} = {text}" if len(vals) == 1 else f"{col} in {{{text}}}")
        elif "gt" in c and "le" in c:
            out.append(f"{c['gt']:.4g} < {col} <= {c['le']:.4g}")
        elif "gt" in c:
            out.append(f"{col} > {c['gt']:.4g}")
        else:
            out.append(f"{col} <= {c['le']:.4g}")
    return out


# ---------------------------------------------------------------- output


def _fmt_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _fmt_qp(q: float | None) -> str:
    return "" if q is None else f"qp {q:.2g}"


def format_box(d: Discovery) -> list[str]:
    """The chosen box as parameter ranges with quasi-p-values."""
    box = d.box
    if not box:
        return ["  (no parameter restricted: the whole sweep)"]
    width = max(len(n) for n in box) + 2
    lines = []
    for name, lim in box.items():
        if "values" in lim:
            vals = ", ".join(_fmt_value(v) for v in lim["values"])
            of = ", ".join(_fmt_value(v) for v in lim["of"])
            qp = _fmt_qp(lim["qp"])
            lines.append(f"  {name:<{width}}in {{{vals}}}   (of {{{of}}})" + (f"   {qp}" if qp else ""))
        else:
            lo, hi = lim["min"], lim["max"]
            lo0, hi0 = lim["range"]
            qps = [q for q in (("min " + _fmt_qp(lim["qp_min"])) if lim["qp_min"] is not None else "",
                               ("max " + _fmt_qp(lim["qp_max"])) if lim["qp_max"] is not None else "") if q]
            lines.append(f"  {name:<{width}}{_fmt_value(lo):>9} to {_fmt_value(hi):<9}   (runs span "
                         f"{_fmt_value(lo0)} to {_fmt_value(hi0)})" + (f"   {'; '.join(qps)}" if qps else ""))
    return lines


def summary_rows(d: Discovery, rows: int = 8) -> pd.DataFrame:
    """A few boxes of the trajectory, evenly spread, with the first, the last and the chosen one."""
    n = len(d.trajectory)
    idx = set(np.linspace(0, n - 1, min(rows, n)).round().astype(int).tolist()) | {d.chosen}
    return d.trajectory.iloc[sorted(idx)]


def write(d: Discovery, out: Path, extra: dict | None = None) -> list[Path]:
    from . import output

    output.prepare_dir(Path(out))
    j = output.write_json({**(extra or {}), **d.to_json()}, Path(out) / "discovery.json")
    t = output.write_table(d.trajectory, Path(out) / "prim_trajectory", "parquet")
    return [j, t]


def dumps_rules(cart: dict) -> list[str]:
    lines = []
    for r in cart["rules"]:
        lines.append(f"  IF {' AND '.join(r['conditions']) or '(all runs)'}")
        lines.append(f"     THEN {r['k']} of {r['n']} runs (density {r['density']:.2f}, coverage "
                     f"{r['coverage']:.2f}, mass {r['mass']:.2f})")
    return lines


__all__ = ["Discovery", "SweepTable", "cart_rules", "discover", "format_box", "load_sweep", "make_x", "make_y",
           "summary_rows", "write"]
