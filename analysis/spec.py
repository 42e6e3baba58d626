"""Sweep specifications: what to vary, how to sample it, what to keep.

A spec is a small YAML file in the spirit of SALib's ``ProblemSpec``::

    scenario: abe_2015                 # shipped name, or a path relative to this file
    years: 15                          # optional horizon override
    set: {parameters.alignment_noise: 0.05}      # optional fixed overrides
    parameters:                        # scenario paths, as for `greatgame run --set`
      powers.japan.budget.loans: {range: [0.1, 3.0]}
      parameters.choice_sensitivity: {range: [2, 8]}
      parameters.join_binding_above: {range: [2, 5], type: int}
      initiatives.kishida_2024.enabled: {values: [true, false]}
    design: lhs                        # grid | lhs | sobol | morris | list
    samples: 64                        # lhs: points; sobol: base N (N*(D+2) points); morris: trajectories
    levels: 4                          # grid: values per range; morris: grid levels
    replicates: 4                      # runs per point
    seed: 42                           # master seed
    outcomes:
      scalars: [wedge_achieved, incumbent_share_mean, kazakhstan:incumbent_share]
      trajectories: {every: 4, columns: [incumbent_share_mean, challenger_share_mean]}

Errors come as one line naming the file, the field and what was expected, like
scenario errors.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import numpy as np
import pandas as pd
import yaml
from pydantic import (BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator,
                      model_validator)

from greatgame.sim import ScenarioError, load_scenario
from greatgame.sim.errors import suggest
from greatgame.sim.reporters import MODEL_COLUMNS, REPUBLIC_FLAGS, REPUBLIC_SCALARS, republic_row_columns
from greatgame.sim.scenario import LoadedScenario, load_yaml_text, resolve_path, scenario_with, shipped_dir
from greatgame.sim.yaml_loader import describe_error

from .limits import MAX_POINTS, MAX_RUNS, MAX_YEARS

DESIGNS = ("grid", "lhs", "sobol", "morris", "list")
# Model-level outcomes that are numbers (the date and the list of republics are not).
MODEL_OUTCOMES = tuple(c for c in MODEL_COLUMNS if c not in ("date", "opposite_republics"))
DEFAULT_TRAJECTORY_COLUMNS = ("incumbent_share_mean", "challenger_share_mean", "wedged_republics")
# The headline as an outcome: the shift each share takes from the challenger's initiatives, at the
# horizon (with - without, the same seed and parameters; share units, 0-1). Each run with one of
# these runs the counterfactual too (twice the work); at the last step only.
SHIFT_MODEL_OUTCOMES = ("incumbent_shift_mean", "challenger_shift_mean")
SHIFT_REPUBLIC_OUTCOMES = ("incumbent_shift", "challenger_shift")


def is_shift_outcome(name: str) -> bool:
    return name in SHIFT_MODEL_OUTCOMES or name.partition(":")[2] in SHIFT_REPUBLIC_OUTCOMES


def challenger_initiatives(sc) -> list[str]:
    """The enabled initiatives whose power is the scenario's wedge challenger: what the
    counterfactual of the headline switches off."""
    return [k for k, v in sc.initiatives.items() if v.power == sc.wedge.challenger and v.enabled]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class RangeParam(_Strict):
    """A real or integer range, both ends included."""

    range: tuple[float, float]
    type: Literal["real", "int"] = "real"

    @model_validator(mode="after")
    def _ordered(self):
        lo, hi = self.range
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"range: both ends must be finite numbers, got [{lo:g}, {hi:g}]")
        if not lo < hi:
            raise ValueError(f"range: the lower end must be below the upper end, got [{lo:g}, {hi:g}]")
        if self.type == "int" and not (float(lo).is_integer() and float(hi).is_integer()):
            raise ValueError(f"range: an int range needs whole-number ends, got [{lo:g}, {hi:g}]")
        return self

    def ends(self) -> list[Any]:
        lo, hi = self.range
        return [int(lo), int(hi)] if self.type == "int" else [lo, hi]

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        lo, hi = self.range
        if self.type == "int":
            return np.minimum(lo + np.floor(u * (hi - lo + 1)), hi).astype(int)
        return lo + u * (hi - lo)

    def grid(self, levels: int) -> list[Any]:
        lo, hi = self.range
        if self.type == "int":
            n = int(hi - lo) + 1
            if n <= levels:
                return list(range(int(lo), int(hi) + 1))
            return sorted({int(round(v)) for v in np.linspace(lo, hi, levels)})
        return [float(v) for v in np.linspace(lo, hi, levels)]


class ValuesParam(_Strict):
    """A categorical parameter: one of a list of values."""

    values: list[Any] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _unique(cls, v):
        # 1 and 1.0 are one number (the same design point twice); true stays a flag, not 1
        def key(x):
            if isinstance(x, (int, float)) and not isinstance(x, bool):
                return ("number", float(x))
            return (type(x).__name__, repr(x))

        if len({key(x) for x in v}) != len(v):
            raise ValueError("values: each value may appear only once (1 and 1.0 are the same number)")
        return v

    def ends(self) -> list[Any]:
        return list(self.values)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
        return np.array(self.values, dtype=object)[idx]

    def grid(self, levels: int) -> list[Any]:
        return list(self.values)


def design_size(spec: "SweepSpec") -> int:
    """The number of design points, computed without building the design (a grid's count
    is an upper bound when an integer range rounds two levels to one value)."""
    d = spec.design
    if d == "list":
        return len(spec.points or [])
    if d == "grid":
        levels = spec.levels or 5
        n = 1
        for p in spec.parameters.values():
            if isinstance(p, ValuesParam):
                n *= len(p.values)
            elif p.type == "int":
                n *= min(levels, int(p.range[1] - p.range[0]) + 1)
            else:
                n *= levels
        return n
    k = len(spec.parameters)
    samples = spec.samples or 0
    if d == "sobol":
        return samples * (k + 2)
    if d == "morris":
        return samples * (k + 1)
    return samples


def _param_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        return "range" if "range" in v else "values" if "values" in v else None
    return "range" if isinstance(v, RangeParam) else "values" if isinstance(v, ValuesParam) else None


ParamSpec = Annotated[Union[Annotated[RangeParam, Tag("range")], Annotated[ValuesParam, Tag("values")]],
                      Discriminator(_param_kind)]


class Trajectories(_Strict):
    every: int = Field(4, ge=1, description="keep every n-th step (4 = yearly), and the last")
    columns: list[str] = Field(default_factory=lambda: list(DEFAULT_TRAJECTORY_COLUMNS))


class Outcomes(_Strict):
    scalars: list[str] | None = Field(None, description="outcomes at the last step; default: every model-level measure "
                                                        "and each republic's incumbent and challenger shares")
    trajectories: Trajectories | None = None


class SweepSpec(_Strict):
    name: str | None = None
    description: str | None = None
    scenario: str
    years: float | None = Field(None, ge=0.25, le=MAX_YEARS, description="horizon override: at least one quarter")
    set: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, ParamSpec] = Field(default_factory=dict)
    design: Literal["grid", "lhs", "sobol", "morris", "list"] = "grid"
    samples: int | None = Field(None, ge=1)
    levels: int | None = Field(None, ge=2)
    points: list[dict[str, Any]] | None = None
    replicates: int = Field(1, ge=1, le=MAX_RUNS)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    common_random_numbers: bool = Field(True, description="replicate i of every point shares seed i")
    outcomes: Outcomes = Outcomes()

    @model_validator(mode="after")
    def _design_needs(self):
        d = self.design
        if d == "list":
            if not self.points:
                raise ValueError("points: the 'list' design needs a non-empty list of points")
        elif self.points is not None:
            raise ValueError(f"points: only the 'list' design takes points (design is '{d}')")
        if d != "list" and not self.parameters:
            raise ValueError("parameters: at least one parameter to vary is required")
        if d in ("lhs", "sobol", "morris") and self.samples is None:
            raise ValueError(f"samples: the '{d}' design needs a sample count")
        if d in ("sobol", "morris") and any(isinstance(p, ValuesParam) and len(p.values) < 2
                                           for p in self.parameters.values()):
            raise ValueError(f"parameters: every categorical parameter of a '{d}' design needs two values or more")
        if d == "morris" and self.levels is not None and self.levels % 2:
            raise ValueError(f"levels: a Morris design needs an even number of levels (an odd number biases "
                             f"SALib's sample), got {self.levels}")
        if d == "sobol" and self.samples is not None and self.samples & (self.samples - 1):
            raise ValueError(f"samples: a Sobol design needs a power of 2 (Saltelli), got {self.samples}")
        return self


class LoadedSpec:
    """A validated spec with its base scenario and design."""

    def __init__(self, spec: SweepSpec, file: str, text: str, base: LoadedScenario):
        self.spec, self.file, self.text, self.base = spec, file, text, base
        self.scenario_ref = spec.scenario  # the scenario as found: a path beside the spec file, or as given
        self.hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.scalars = resolve_outcomes(spec.outcomes.scalars, base, file, "outcomes.scalars", shifts=True)
        traj = spec.outcomes.trajectories
        self.trajectory_columns = (resolve_outcomes(traj.columns, base, file, "outcomes.trajectories.columns")
                                   if traj else [])

    @property
    def parameter_names(self) -> list[str]:
        if self.spec.design == "list":
            names = list(self.spec.parameters)
            for pt in self.spec.points or []:
                names += [k for k in pt if k not in names]
            return names
        return list(self.spec.parameters)

    def design(self) -> pd.DataFrame:
        return build_design(self.spec)

    def problem(self) -> dict:
        """The SALib problem: every parameter sampled on [0, 1] and mapped to its range."""
        names = list(self.spec.parameters)
        return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


# ---------------------------------------------------------------- loading and validation


def _fail(file: str, path: str, msg: str) -> ScenarioError:
    return ScenarioError(path, msg, file=file)


def shipped_specs_dir() -> Path:
    from importlib import resources

    return Path(str(resources.files("greatgame.sweeps")))


def shipped_spec_names() -> list[str]:
    return sorted(p.stem for p in shipped_specs_dir().glob("*.yaml"))


def resolve_spec(name_or_path: str | Path) -> Path:
    """A spec file given by path, or a shipped spec by name (``japan_money``), from any folder.

    A bare name (no folder, no suffix) is always the shipped spec of that name, never a file
    of the current folder; give a path (``./japan_money.yaml``) for your own."""
    p = Path(name_or_path)
    text = str(name_or_path)
    bare = "/" not in text and "\\" not in text and p.suffix == ""
    if bare:
        shipped = shipped_specs_dir() / f"{text}.yaml"
        if text and shipped.is_file():
            return shipped
        if not p.exists():
            names = shipped_spec_names()
            raise _fail(text, "", f"no such sweep spec file, and no shipped spec of that name{suggest(text, names)}; "
                                  f"shipped: {', '.join(names)}")
    return p


def read_spec(path: str | Path) -> LoadedSpec:
    """Read and validate a spec file (or a shipped spec by name); every problem is a
    one-line :class:`ScenarioError`."""
    p = resolve_spec(path)
    file = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(file, "", "no such file") from None
    except IsADirectoryError:
        raise _fail(file, "", "is a directory, not a sweep spec") from None
    except UnicodeDecodeError:
        raise _fail(file, "", "not a text file (expected YAML)") from None
    try:
        raw = load_yaml_text(text)
    except yaml.YAMLError as e:
        where, what = describe_error(e)
        raise _fail(file, where, f"not valid YAML ({what})") from None
    if not isinstance(raw, dict):
        raise _fail(file, "", "expected a mapping of spec fields (scenario, parameters, design …)")
    return validate_spec(raw, file, text, base_dir=p.parent)


def _refuse_misread_numbers(raw: dict, file: str) -> None:
    """A flag or a text where the spec wants a number (``replicates: true``, ``seed: "7"``,
    ``range: [yes, 3]``) or a text where it wants a flag: refused, not read as 1, 7 or true."""
    def number(where: str, v: Any) -> None:
        if isinstance(v, (bool, str)):
            raise _fail(file, where, f"expected a number, got {str(v).lower() if isinstance(v, bool) else repr(v)}")

    for key in ("years", "samples", "levels", "replicates", "seed"):
        if raw.get(key) is not None:
            number(key, raw[key])
    crn = raw.get("common_random_numbers")
    if crn is not None and not isinstance(crn, bool):
        raise _fail(file, "common_random_numbers", f"expected true or false, got {crn!r}")
    for name, p in (raw.get("parameters") or {}).items() if isinstance(raw.get("parameters"), dict) else ():
        ends = p.get("range") if isinstance(p, dict) else None
        if isinstance(ends, list):
            for i, v in enumerate(ends):
                number(f"parameters.{name}.range[{i}]", v)
    traj = (raw.get("outcomes") or {}).get("trajectories") if isinstance(raw.get("outcomes"), dict) else None
    if isinstance(traj, dict) and traj.get("every") is not None:
        number("outcomes.trajectories.every", traj["every"])


def validate_spec(raw: dict, file: str, text: str | None = None, base_dir: Path | None = None) -> LoadedSpec:
    text = text if text is not None else yaml.safe_dump(raw, sort_keys=True)
    _refuse_misread_numbers(raw, file)
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as e:
        raise _spec_error(e, file) from None
    check_size(spec, file)
    # The base scenario: a shipped name, a path relative to the spec, or as given.
    # (beside the spec, then shipped, as for extends; a name found neither way is tried as given)
    scenario_ref = spec.scenario
    if base_dir is not None:
        try:
            found = resolve_path(spec.scenario, relative_to=base_dir)
            if found.parent.resolve() != shipped_dir().resolve():  # a shipped name stays a name
                scenario_ref = str(found)
        except ScenarioError:
            pass
    try:
        base = load_scenario(scenario_ref, overrides=dict(spec.set) or None, years=spec.years)
    except ScenarioError as e:
        raise _fail(file, "scenario", f"{spec.scenario}: {e}") from None
    # Every parameter path must exist and accept its range ends (or each value).
    plain = base.scenario.model_dump()
    checks = [(f"parameters.{name}", name, v) for name, p in spec.parameters.items() for v in p.ends()]
    for i, pt in enumerate(spec.points or []):
        checks += [(f"points[{i}].{name}", name, v) for name, v in pt.items()]
    for where, name, value in checks:
        try:
            scenario_with(base.scenario, {name: value}, plain=plain)
        except ScenarioError as e:
            detail = e.message if e.path == name else f"{e.path}: {e.message}"
            raise _fail(file, where, f"{detail} (value {value!r})") from None
    loaded = LoadedSpec(spec, file, text, base)
    loaded.scenario_ref = scenario_ref
    return loaded


def check_size(spec: SweepSpec, file: str) -> None:
    """Refuse a design too large to run, before building it (see analysis/limits.py)."""
    n = design_size(spec)
    field = {"grid": "levels", "list": "points"}.get(spec.design, "samples")
    if n > MAX_POINTS:
        how = {"grid": f"a grid of {n:,} points", "list": f"{n:,} points",
               "lhs": f"{n:,} LHS samples", "sobol": f"{n:,} Sobol points",
               "morris": f"{n:,} Morris points"}[spec.design]
        raise _fail(file, field, f"{how} is more than the limit of {MAX_POINTS:,} design points; split the sweep "
                                 f"or use fewer levels or samples")
    if n * spec.replicates > MAX_RUNS:
        raise _fail(file, "replicates", f"{n:,} points x {spec.replicates:,} replicates = {n * spec.replicates:,} "
                                        f"runs, more than the limit of {MAX_RUNS:,} runs per sweep; split the sweep")


def _spec_error(exc: ValidationError, file: str) -> ScenarioError:
    err = max(exc.errors(), key=lambda e: (e["type"] != "missing", len(e["loc"])))
    loc = [str(x) for x in err["loc"]]
    if len(loc) >= 3 and loc[0] == "parameters" and loc[2] in ("range", "values"):
        del loc[2]  # the discriminator's tag, not a field
    if len(loc) >= 2 and loc[0] == "parameters" and err["type"] in ("union_tag_not_found", "union_tag_invalid"):
        return _fail(file, ".".join(loc[:2]), "expected {range: [low, high]} (optionally type: int) "
                                              "or {values: [a, b, ...]}")
    path = ".".join(loc)
    typ = err["type"]
    if typ == "extra_forbidden":
        fields = list(SweepSpec.model_fields) if len(loc) == 1 else []
        msg = f"unknown key '{loc[-1]}'{suggest(loc[-1], fields)}"
        if fields:
            msg += f"; expected one of: {', '.join(fields)}"
    elif typ == "missing":
        msg = "required field is missing"
    elif typ == "literal_error":
        msg = f"expected one of {err.get('ctx', {}).get('expected', '')}, got {err.get('input')!r}"
        if isinstance(err.get("input"), str):
            msg += suggest(err["input"], DESIGNS)
    elif typ in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter((err.get("ctx") or {}).values()), "")
        sym = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[typ]
        msg = f"must be {sym} {bound}, got {err.get('input')!r}"
    elif typ == "finite_number":
        msg = f"expected a finite number, got {err.get('input')!r}"
    else:
        msg = err["msg"].removeprefix("Value error, ")
        if "," in path and path.endswith(")"):
            path = ""
    return _fail(file, path, msg)


def resolve_outcomes(names: list[str] | None, base: LoadedScenario, file: str, where: str,
                     shifts: bool = False) -> list[str]:
    """Check outcome names: a model-level measure, or 'REPUBLIC:COLUMN' for a republic's figure;
    with ``shifts``, also the headline's shifts (``incumbent_shift_mean``, ``REPUBLIC:incumbent_shift``
    and the challenger's), which need an enabled initiative of the challenger."""
    sc = base.scenario
    republics = list(sc.republics)
    columns = republic_outcome_columns(list(sc.powers)) + (list(SHIFT_REPUBLIC_OUTCOMES) if shifts else [])
    model_outcomes = list(MODEL_OUTCOMES) + (list(SHIFT_MODEL_OUTCOMES) if shifts else [])
    if names is None:
        return list(MODEL_OUTCOMES) + [f"{r}:{c}" for r in republics for c in ("incumbent_share", "challenger_share")]
    if not names:
        raise _fail(file, where, "expected at least one outcome")
    for n in names:
        if ":" in n:
            r, _, c = n.partition(":")
            if r not in republics:
                raise _fail(file, where, f"unknown republic '{r}' in '{n}'{suggest(r, republics)}; "
                                         f"expected one of: {', '.join(republics)}")
            if c not in columns:
                extra = (" (the shifts are outcomes at the last step only)"
                         if c in SHIFT_REPUBLIC_OUTCOMES else "")
                raise _fail(file, where, f"unknown republic figure '{c}' in '{n}'{suggest(c, columns)}{extra}")
        elif n not in model_outcomes:
            extra = " (the shifts are outcomes at the last step only)" if n in SHIFT_MODEL_OUTCOMES else ""
            raise _fail(file, where, f"unknown outcome '{n}'{suggest(n, model_outcomes)}{extra}; expected one of: "
                                     f"{', '.join(model_outcomes)}, or REPUBLIC:FIGURE (e.g. kazakhstan:alignment_japan)")
    if len(set(names)) != len(names):
        raise _fail(file, where, "each outcome may appear only once")
    if shifts and any(is_shift_outcome(n) for n in names) and not challenger_initiatives(sc):
        first = next(n for n in names if is_shift_outcome(n))
        raise _fail(file, where, f"'{first}' is the shift caused by the initiatives of {sc.wedge.challenger} "
                                 f"(wedge.challenger), but scenario '{sc.name}' has no enabled initiative of "
                                 f"{sc.wedge.challenger}")
    return list(names)


def republic_outcome_columns(power_ids: list[str]) -> list[str]:
    return [c for c in republic_row_columns(power_ids)] + [c for c in REPUBLIC_FLAGS]


# ---------------------------------------------------------------- designs


def build_design(spec: SweepSpec) -> pd.DataFrame:
    """One row per design point (index ``point``), one column per parameter, in design order.

    SALib designs (lhs, sobol, morris) sample the unit hypercube and map each coordinate to
    its parameter (ranges linearly, integers and categories by equal slices); their order is
    the order SALib's analysers expect."""
    params = spec.parameters
    names = list(params)
    seed = spec.seed % (2**32)
    if spec.design == "list":
        rows = [dict(pt) for pt in spec.points or []]
        df = pd.DataFrame(rows)
    elif spec.design == "grid":
        levels = spec.levels or 5
        axes = [p.grid(levels) for p in params.values()]
        df = pd.DataFrame(list(itertools.product(*axes)), columns=names)
    else:
        from SALib.sample import latin, morris, sobol

        problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
        if spec.design == "lhs":
            unit = latin.sample(problem, spec.samples, seed=seed)
        elif spec.design == "sobol":
            unit = sobol.sample(problem, spec.samples, calc_second_order=False, scramble=True, seed=seed)
        else:
            unit = morris.sample(problem, spec.samples, num_levels=spec.levels or 4, seed=seed)
        df = pd.DataFrame({n: params[n].from_unit(unit[:, i]) for i, n in enumerate(names)})
        for n in names:  # keep numbers as numbers when a categorical holds only numbers
            if isinstance(params[n], ValuesParam):
                df[n] = pd.Series(list(df[n]), dtype=_values_dtype(params[n].values))
    df.index.name = "point"
    return df


def _values_dtype(values: list[Any]):
    if all(isinstance(v, bool) for v in values):
        return bool
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return float if any(isinstance(v, float) for v in values) else int
    return object
