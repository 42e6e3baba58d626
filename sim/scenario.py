"""Load, merge, annotate and validate scenario files.

A number in a scenario may be bare (``38``) or annotated::

    {value: 38, source: cctv_2015, quote: "In 2014, trade volume stood at 38 billion US dollars"}
    {value: 0.05, assumption: "half-life of about three years"}

Annotations are stripped before validation and kept as :class:`Provenance`,
keyed by the field path, so that every figure can be traced to its source.

An annotated number may also say how uncertain it is: ``range: [low, high]`` (both ends
included, ``low ≤ value ≤ high``) or, for a sourced figure, ``uncertainty: 0.15`` (relative:
value ± 15%). :func:`input_ranges` lists every number of a scenario with its kind (sourced,
assumption, default, unsourced) and range, in the ``--set`` path syntax.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import yaml_loader
from .errors import ScenarioError, suggest
from .schema import Parameters, Scenario

ANNOTATION_KEYS = {"value", "source", "quote", "assumption", "note", "range", "uncertainty"}


@dataclass(frozen=True)
class Provenance:
    source: str | None = None
    quote: str | None = None
    assumption: str | None = None
    note: str | None = None
    origin: str = "file"  # file | command line
    low: float | None = None  # the number's range (from range: or uncertainty:), if it has one
    high: float | None = None
    uncertainty: float | None = None  # relative uncertainty as written (uncertainty: 0.15)


@dataclass
class LoadedScenario:
    """A validated scenario with the provenance of each of its numbers."""

    scenario: Scenario
    provenance: dict[str, Provenance]
    sources: dict[str, dict]
    files: list[str]
    raw: dict = field(repr=False)

    @property
    def content_hash(self) -> str:
        """sha256 of the merged, resolved content: equal hashes, equal inputs."""
        blob = json.dumps(self.scenario.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    def bare_numbers(self) -> list[str]:
        """Paths of numbers in the files that carry neither a source nor an assumption."""
        return [p for p, _ in numbers(self.raw) if p not in self.provenance]


# --------------------------------------------------------------------------- files


@lru_cache(maxsize=1)
def shipped_dir() -> Path:
    return Path(str(resources.files("greatgame.scenarios")))


def shipped_names() -> list[str]:
    return sorted(p.stem for p in shipped_dir().glob("*.yaml") if p.stem != "sources")


def resolve_path(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A scenario by name or path.

    ``relative_to`` (the folder of a file that says ``extends: NAME``): a file NAME(.yaml)
    beside the extending file, else the shipped scenario NAME; never the current folder.
    Without it (a name given on the command line or in Python): a bare shipped name (no
    folder, no suffix) is the shipped file, whatever the current folder holds (write
    ``./abe_2015.yaml`` for a file of that name); anything else is a path, then a shipped name.
    """
    p = Path(name_or_path)
    own = [p] if p.suffix in (".yaml", ".yml") else [p, p.with_name(p.name + ".yaml")]
    single = len(p.parts) == 1 and not p.is_absolute()
    shipped = shipped_dir() / f"{p.stem if p.suffix in ('.yaml', '.yml') else p.name}.yaml"
    if relative_to is not None:
        candidates = own if p.is_absolute() else [relative_to / c for c in own]
        if single:
            candidates.append(shipped)
    elif single and p.suffix == "" and shipped.is_file():
        candidates = [shipped]
    else:
        candidates = [*own, shipped] if single else own
    for c in candidates:
        if c.is_file():
            return c
    if p.is_dir():
        raise ScenarioError("", f"{name_or_path}: is a folder; expected a scenario YAML file or a shipped "
                                f"scenario's name ({', '.join(shipped_names())})")
    hint = suggest(p.stem, shipped_names())
    raise ScenarioError("", f"no scenario file or shipped scenario named '{name_or_path}'{hint}; "
                        f"shipped: {', '.join(shipped_names())}")


def load_yaml_text(text: str) -> Any:
    """Parse YAML text with the tool's one loader (:mod:`sim.yaml_loader`: YAML 1.2 core
    scalars, merge keys, duplicate keys refused, depth and size capped, libyaml when present)."""
    return yaml_loader.load(text)


def read_yaml(path: Path, reads: list | None = None) -> Any:
    """A YAML file's content; ``reads`` (a list) gets ("file", path, sha256 of the bytes)."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError("", f"cannot read file: {e}", file=str(path)) from None
    if reads is not None:
        reads.append(("file", path, hashlib.sha256(data).hexdigest()))
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> Any:
    """YAML text of ``file``; a YAML problem is a one-line ScenarioError naming file and line."""
    try:
        return load_yaml_text(text)
    except yaml.YAMLError as e:
        where, what = yaml_loader.describe_error(e)
        raise ScenarioError(where, f"not valid YAML: {what}", file=file) from None


def load_sources(extra_dirs: list[Path] = (), reads: list | None = None) -> dict[str, dict]:
    """The shipped source list, plus any sources.yaml beside the user's scenarios."""
    out: dict[str, dict] = {}
    for d in [shipped_dir(), *extra_dirs]:
        f = d / "sources.yaml"
        if not f.is_file() and reads is not None:
            reads.append(("file", f, None))
        if f.is_file():
            data = read_yaml(f, reads) or {}
            entries = data.get("sources", data) if isinstance(data, dict) else None
            if not isinstance(entries, dict):
                raise ScenarioError("sources", "expected a mapping of source ids", file=str(f))
            for sid, entry in entries.items():
                if not isinstance(entry, dict) or "title" not in entry:
                    raise ScenarioError(f"sources.{sid}", "expected a mapping with at least a title", file=str(f))
                out[str(sid)] = entry
    return out


def _read_chain(path: Path, seen: tuple[Path, ...] = (), reads: list | None = None) -> tuple[dict, list[Path]]:
    """The merged raw tree of a scenario and everything it extends; ``reads`` (a list) gets
    every file read and every ``extends`` resolution (see :func:`load_scenario`'s cache)."""
    path = path.resolve()
    if path in seen:
        raise ScenarioError("extends", "circular extends: " + " -> ".join(p.name for p in (*seen, path)), file=str(path))
    data = read_yaml(path, reads)
    if not isinstance(data, dict):
        raise ScenarioError("", "expected a mapping at the top level", file=str(path))
    parent_name = data.get("extends")
    if parent_name is None:
        return data, [path]
    if not isinstance(parent_name, str):
        raise ScenarioError("extends", "expected the name or path of another scenario", file=str(path))
    try:
        parent_path = resolve_path(parent_name, relative_to=path.parent)
    except ScenarioError as e:
        raise ScenarioError("extends", e.message, file=str(path)) from None
    if reads is not None:
        reads.append(("extends", parent_name, path.parent, parent_path))
    parent, files = _read_chain(parent_path, (*seen, path), reads)
    return deep_merge(parent, data), [*files, path]


def is_annotated(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node and set(node) <= ANNOTATION_KEYS


def deep_merge(base: Any, over: Any) -> Any:
    """Mappings merge key by key; anything else (lists, numbers, annotated numbers) is replaced."""
    if isinstance(base, dict) and isinstance(over, dict) and not is_annotated(base) and not is_annotated(over):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def strip_annotations(node: Any, path: str, prov: dict[str, Provenance], sources: dict, file: str | None) -> Any:
    if is_annotated(node):
        src, assumption = node.get("source"), node.get("assumption")
        if src is None and not assumption:
            raise ScenarioError(path, "an annotated number needs a source or an assumption", file=file)
        if src is not None and str(src) not in sources:
            raise ScenarioError(_join(path, "source"), f"unknown source '{src}'{suggest(src, sources)}; "
                                "add it to sources.yaml", file=file)
        value = node["value"]
        if isinstance(value, (dict, list)):
            raise ScenarioError(_join(path, "value"), "expected a single number or word", file=file)
        low, high = range_of(node, path, file)
        prov[path] = Provenance(source=src, quote=node.get("quote"), assumption=assumption, note=node.get("note"),
                                low=low, high=high, uncertainty=node.get("uncertainty"))
        return value
    if isinstance(node, dict):
        return {k: strip_annotations(v, _join(path, k), prov, sources, file) for k, v in node.items()}
    if isinstance(node, list):
        return [strip_annotations(v, _join(path, i), prov, sources, file) for i, v in enumerate(node)]
    return node


def is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _num(x: Any) -> str:
    return f"{x:g}" if is_number(x) else _fmt(x)


def range_of(node: dict, path: str, file: str | None) -> tuple[float | None, float | None]:
    """(low, high) of an annotated number from its ``range: [low, high]`` or relative
    ``uncertainty: u`` (value × (1 ± u)); (None, None) if it gives neither."""
    rng, unc = node.get("range"), node.get("uncertainty")
    if rng is None and unc is None:
        return None, None
    key = "range" if rng is not None else "uncertainty"
    value = node["value"]
    if rng is not None and unc is not None:
        raise ScenarioError(path, "give either range: [low, high] or uncertainty: (relative), not both", file=file)
    if not is_number(value) or not math.isfinite(value):
        raise ScenarioError(_join(path, key), f"only a finite number can have a {key}, got value {_fmt(value)}",
                            file=file)
    if unc is not None:
        if not is_number(unc) or not math.isfinite(unc) or unc < 0:
            raise ScenarioError(_join(path, key), f"expected a relative uncertainty, a finite number ≥ 0 "
                                                  f"(0.15 for ±15%), got {_num(unc)}", file=file)
        lo, hi = sorted((value * (1 - unc), value * (1 + unc)))
        return float(lo), float(hi)
    if not (isinstance(rng, list) and len(rng) == 2 and all(is_number(x) for x in rng)):
        raise ScenarioError(_join(path, key), f"expected [low, high], two numbers, got {_fmt(rng)}", file=file)
    lo, hi = rng
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ScenarioError(_join(path, key), f"expected finite ends, got [{_num(lo)}, {_num(hi)}]", file=file)
    if not lo <= value <= hi:
        raise ScenarioError(_join(path, key), f"expected [low, high] with low ≤ value ≤ high, got "
                                              f"[{_num(lo)}, {_num(hi)}] for value {_num(value)}", file=file)
    return float(lo), float(hi)


def numbers(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """(path, value) of every figure in a raw tree: annotated values and bare numbers."""
    out: list[tuple[str, Any]] = []
    if is_annotated(node):
        out.append((path, node["value"]))
    elif isinstance(node, dict):
        for k, v in node.items():
            out.extend(numbers(v, _join(path, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(numbers(v, _join(path, i)))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        out.append((path, node))
    return out


# --------------------------------------------------------------------------- overrides


def parse_assignment(text: str) -> tuple[str, Any]:
    """'powers.japan.budget.grants=0.5' -> ('powers.japan.budget.grants', 0.5)."""
    if "=" not in text:
        raise ScenarioError("--set", f"expected path=value, got '{text}'")
    path, _, value = text.partition("=")
    path = path.strip()
    if not path:
        raise ScenarioError("--set", f"expected path=value, got '{text}'")
    return path, yaml_loader.load_value(value)


def _split_path(path: str) -> list[Any]:
    """'powers.japan.budget.grants' -> ['powers', 'japan', 'budget', 'grants']; 'relations[0].a'
    -> ['relations', 0, 'a']. An empty segment (``powers..japan``) is refused, not dropped, and
    so is ``extends``: the chain is read before any value is set, so setting it would do nothing."""
    parts = path.split(".")
    if any(not p.strip() for p in parts):
        raise ScenarioError(f"--set {path}", "empty segment in the path (two dots, or a dot at either end); "
                            "expected names separated by single dots, e.g. powers.japan.budget.grants")
    if parts[0].partition("[")[0] == "extends":
        raise ScenarioError(f"--set {path}", "extends cannot be set: it is read before any value is set; "
                            "write a scenario file with extends: NAME instead")
    keys: list[Any] = []
    for part in parts:
        while "[" in part and part.endswith("]"):
            head, _, idx = part.partition("[")
            if head:
                keys.append(head)
            part = "[" + idx
            inner, _, rest = part[1:].partition("]")
            keys.append(int(inner) if inner.isdigit() else inner)
            part = rest
        if part:
            keys.append(part)
    return keys


def apply_override(raw: dict, path: str, value: Any) -> None:
    """Set one value by dotted path; the schema check afterwards refuses unknown keys."""
    keys = _split_path(path)
    node: Any = raw
    walked = ""
    for depth, k in enumerate(keys[:-1]):
        if isinstance(node, list):
            if not isinstance(k, int) or not 0 <= k < len(node):
                raise ScenarioError(f"--set {path}", f"no item {k} at {walked or 'top level'}")
            node = node[k]
        else:
            if k not in node or node[k] is None:
                _check_new_key(keys, depth, node, path)
                node[k] = {}
            elif is_annotated(node[k]):
                raise ScenarioError(f"--set {path}", f"{_join(walked, k)} is a number, not a section")
            node = node[k]
        walked = _join(walked, k)
        if not isinstance(node, (dict, list)):
            raise ScenarioError(f"--set {path}", f"{walked} is a value, not a section")
    last = keys[-1]
    if isinstance(node, dict) and last not in node:
        _check_new_key(keys, len(keys) - 1, node, path)
    if isinstance(node, list):
        if not isinstance(last, int) or not 0 <= last < len(node):
            raise ScenarioError(f"--set {path}", f"no item {last} at {walked}")
    node[last] = _annotate_set(value)


def _annotate_set(value: Any) -> Any:
    """A --set value with each number in it marked as set on the command line; a list or a
    mapping (``borders=[china, russia]``) replaces the old one whole."""
    if isinstance(value, dict):
        return {k: _annotate_set(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_annotate_set(v) for v in value]
    return {"value": value, "assumption": "set on the command line"}


def _check_new_key(keys: list, depth: int, node: dict, path: str) -> None:
    """--set may fill in a field the schema knows, but not invent a new power, republic or forum."""
    key = keys[depth]
    fields = _fields_at(Scenario, tuple(keys[: depth + 1]))
    if fields is not None and key in fields:
        return
    options = list(fields) if fields is not None else [str(k) for k in node]
    where = ".".join(str(k) for k in keys[:depth]) or "the top level"
    raise ScenarioError(f"--set {path}", f"no '{key}' at {where}{suggest(key, options)}"
                        + (f"; expected one of: {', '.join(options)}" if options else ""))


def scenario_with(base: Scenario, values: dict[str, Any], file: str | None = None,
                  plain: dict | None = None) -> Scenario:
    """``base`` with each dotted path set to its value, validated like a scenario file.

    For experiments: no YAML is read, so it costs a fraction of a millisecond. Unknown
    paths and invalid values raise :class:`ScenarioError` naming the path. ``plain``
    (``base.model_dump()``) may be passed in to save dumping it again; it is not changed.
    """
    plain = base.model_dump() if plain is None else plain
    plain = dict(plain)
    try:
        _set_paths(plain, values, file)
    except ScenarioError as e:
        e.path = e.path.removeprefix("--set ")
        e.file = file
        raise
    try:
        return Scenario.model_validate(plain)
    except ScenarioError as e:
        e.file = file
        raise
    except ValidationError as e:
        raise pydantic_to_scenario_error(e, plain, file) from None


def _set_paths(plain: dict, values: dict[str, Any], file: str | None) -> None:
    """Set dotted paths in a plain scenario dict, copying (not mutating) what lies on the way."""
    for path, value in values.items():
        keys = _split_path(path)
        node = plain
        for depth, k in enumerate(keys[:-1]):
            child = node[k] if (isinstance(node, list) and isinstance(k, int) and 0 <= k < len(node)) else (
                node.get(k) if isinstance(node, dict) else None)
            if child is None:
                if isinstance(node, list):
                    raise ScenarioError(path, f"no item {k} at {'.'.join(map(str, keys[:depth])) or 'the top level'}",
                                        file=file)
                _check_new_key(keys, depth, node, path)
                child = {}
            if not isinstance(child, (dict, list)):
                raise ScenarioError(path, f"{'.'.join(map(str, keys[:depth + 1]))} is a value, not a section", file=file)
            child = dict(child) if isinstance(child, dict) else list(child)
            node[k] = child
            node = child
        last = keys[-1]
        if isinstance(node, list):
            if not isinstance(last, int) or not 0 <= last < len(node):
                raise ScenarioError(path, f"no item {last} in the list", file=file)
        elif last not in node:
            _check_new_key(keys, len(keys) - 1, node, path)
        node[last] = value


# --------------------------------------------------------------------------- validation


CACHE_SIZE = 64
# (resolved path, overrides, years) -> (what the load read, pickled LoadedScenario, pickled Scenario)
_cache: OrderedDict[tuple, tuple[list, bytes, bytes]] = OrderedDict()
_cache_lock = threading.Lock()  # models may be built in threads (Dask's threaded workers)


def _still_current(reads: list) -> bool:
    """Every file a cached load read has the same content, and every ``extends`` still
    resolves to the same file (a file may have appeared beside the extending one)."""
    for item in reads:
        if item[0] == "file":
            _, path, digest = item
            try:
                now = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                now = None
            if now != digest:
                return False
        else:
            _, name, folder, resolved = item
            try:
                if resolve_path(name, relative_to=folder).resolve() != resolved.resolve():
                    return False
            except ScenarioError:
                return False
    return True


def _cached(name_or_path: str | Path, overrides, years) -> tuple[list, bytes, bytes]:
    """The cache entry of a load, loading (and validating) when there is none or a file changed.

    The key is the resolved path, the overrides and the years; an entry is used only when
    the content (sha256) of every file of the ``extends`` chain and every sources.yaml is
    the same as when it was read, so an edited file is read again. Entries are kept
    pickled, and every caller gets its own unpickled copy: a run cannot change what the
    next one gets."""
    path = resolve_path(str(name_or_path))
    # repr tells 1, 1.0, True and '1' apart; a summarised repr ("...", e.g. a large array) is no key
    over = repr((list(overrides.items()) if isinstance(overrides, dict) else list(overrides or []), years))
    key = (str(path.resolve()), over) if "..." not in over else None
    with _cache_lock:
        hit = _cache.get(key) if key is not None else None
    if hit is not None and _still_current(hit[0]):
        return hit
    reads: list = []
    loaded = _load_uncached(path, overrides, years, reads)
    entry = (reads, pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL),
             pickle.dumps(loaded.scenario, protocol=pickle.HIGHEST_PROTOCOL))
    if key is not None:
        with _cache_lock:
            _cache[key] = entry
            while len(_cache) > CACHE_SIZE:  # the oldest entry goes first
                _cache.popitem(last=False)
    return entry


def load_scenario(name_or_path: str | Path, overrides: list[str] | dict | None = None,
                  years: float | None = None) -> LoadedScenario:
    """Read, merge (extends), apply overrides, and validate a scenario.

    Validated scenarios are cached by content (see :func:`_cached`): loading the same
    scenario again costs a read and a hash of its files and an unpickled copy."""
    return pickle.loads(_cached(name_or_path, overrides, years)[1])


def load_spec(name_or_path: str | Path, overrides: list[str] | dict | None = None,
              years: float | None = None) -> Scenario:
    """The validated :class:`Scenario` alone (what the model needs), from the same cache."""
    return pickle.loads(_cached(name_or_path, overrides, years)[2])


def clear_cache() -> None:
    _cache.clear()


def _load_uncached(path: Path, overrides, years, reads: list | None = None) -> LoadedScenario:
    raw, files = _read_chain(path, reads=reads)
    raw = copy.deepcopy(raw)
    raw.pop("extends", None)
    raw["extends"] = None
    if len(files) > 1:
        raw["extends"] = files[-2].stem
    items = list(overrides.items()) if isinstance(overrides, dict) else [parse_assignment(o) for o in overrides or []]
    for p, v in items:
        apply_override(raw, p, v)
    set_paths = [p for p, _ in items]
    if years is not None:
        raw["years"] = {"value": years, "assumption": "set on the command line"}
    sources = load_sources([f.parent for f in files if f.parent != shipped_dir()], reads)
    try:
        return validate_raw(raw, sources, files, file=str(path))
    except ScenarioError as e:
        if any(e.path == p or e.path.startswith(p + ".") for p in set_paths):
            e.message += " (from --set)"
        raise


def validate_raw(raw: dict, sources: dict, files: list[Path], file: str | None = None) -> LoadedScenario:
    prov: dict[str, Provenance] = {}
    plain = strip_annotations(raw, "", prov, sources, file)
    try:
        sc = Scenario.model_validate(plain)
    except ScenarioError as e:
        e.file = file
        raise
    except ValidationError as e:
        raise pydantic_to_scenario_error(e, plain, file) from None
    return LoadedScenario(scenario=sc, provenance=prov, sources=sources, files=[str(f) for f in files], raw=raw)


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str] | None:
    """Field names valid at the parent of loc's last element (for suggestions)."""
    from typing import Annotated, Union, get_args, get_origin

    def unwrap(tp):
        while get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        return tp

    tp: Any = model
    for key in loc[:-1]:
        tp = unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if key not in tp.model_fields:
                return None
            tp = tp.model_fields[key].annotation
            continue
        origin = get_origin(tp)
        if origin in (dict, list):
            tp = get_args(tp)[-1]
            continue
        if origin in (Union, __import__("types").UnionType):
            models = [unwrap(a) for a in get_args(tp)]
            models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
            match = [m for m in models if m.model_fields.get("kind") and key in get_args(m.model_fields["kind"].annotation)]
            if match:
                tp = match[0]
                continue
            if len(models) == 1:
                tp = models[0]
                if key in tp.model_fields:
                    tp = tp.model_fields[key].annotation
                continue
            return None
        return None
    tp = unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return None


def _clean_loc(loc: tuple, plain: dict) -> str:
    """Render a pydantic location as a field path, dropping union tags."""
    path = ""
    node: Any = plain
    for key in loc:
        if isinstance(node, list) and isinstance(key, int):
            node = node[key] if key < len(node) else None
            path = _join(path, key)
        elif isinstance(node, dict) and key in node:
            node = node[key]
            path = _join(path, key)
        elif isinstance(node, dict) and node.get("kind") == key:
            continue  # discriminator tag
        elif isinstance(key, str) and key.startswith(("function-", "literal[", "dict[", "list[", "float", "int", "str")):
            continue  # union member tag
        else:
            path = _join(path, key)
            node = None
    return path


def _fmt(v: Any) -> str:
    return repr(v) if isinstance(v, str) else json.dumps(v, default=str) if isinstance(v, (dict, list)) else str(v)


def pydantic_to_scenario_error(exc: ValidationError, plain: dict, file: str | None) -> ScenarioError:
    errors = exc.errors()
    # Prefer the most specific error (union branches produce several).
    err = max(errors, key=lambda e: (e["type"] != "missing", len(e["loc"])))
    loc = err["loc"]
    path = _clean_loc(loc, plain)
    typ, ctx, got = err["type"], err.get("ctx") or {}, err.get("input")
    if typ == "extra_forbidden":
        fields = _fields_at(Scenario, loc) or []
        msg = f"unknown key '{loc[-1]}'{suggest(loc[-1], fields)}"
        if fields:
            msg += f"; expected one of: {', '.join(fields)}"
    elif typ == "missing":
        msg = "required field is missing"
    elif typ in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sym = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[typ]
        bound = next(iter(ctx.values()))
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() and abs(bound) < 1e6 else bound
        msg = f"must be {sym} {bound:g}, got {_fmt(got)}" if isinstance(bound, float) else f"must be {sym} {bound}, got {_fmt(got)}"
    elif typ == "literal_error":
        expected = ctx.get("expected", "")
        opts = [o.strip().strip("'") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        msg = f"expected one of {expected}, got {_fmt(got)}{suggest(got, opts) if isinstance(got, str) else ''}"
    elif typ in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        kind = "a whole number" if typ.startswith("int") else "a number"
        msg = f"expected {kind}, got {_fmt(got)}"
    elif typ == "finite_number":
        msg = f"expected a finite number, got {_fmt(got)}"
    elif typ in ("bool_parsing", "bool_type"):
        msg = f"expected true or false, got {_fmt(got)}"
    elif typ in ("dict_type", "model_type", "model_attributes_type"):
        msg = f"expected a mapping, got {_fmt(got)}"
    elif typ == "list_type":
        msg = f"expected a list, got {_fmt(got)}"
    elif typ in ("string_type",):
        msg = f"expected text, got {_fmt(got)}"
    elif typ == "union_tag_invalid":
        msg = f"unknown kind {_fmt(ctx.get('tag'))}; expected one of {ctx.get('expected_tags')}"
    elif typ == "invalid_key":  # a key that YAML read as a number, a flag or null
        path = _clean_loc(loc[:-1], plain)
        shown = "null" if got is None else str(got).lower() if isinstance(got, bool) else repr(got)
        msg = f"a key must be a name, got {shown}"
        if isinstance(got, bool) or got is None:
            msg += " (quote it if it is meant as text)"
    elif typ == "union_tag_not_found":
        msg = "missing 'kind' (pledge, summit, membership, infrastructure, budget or shock)"
    else:
        msg = err["msg"].removeprefix("Value error, ")
    more = len({e["loc"][:1] for e in errors}) - 1
    if more > 0:
        msg += f" (and problems in {more} other section{'s' if more > 1 else ''})"
    return ScenarioError(path, msg, file=file)


def parameter_defaults() -> dict[str, tuple[Any, str]]:
    """Every model parameter default with its one-line justification."""
    out: dict[str, tuple[Any, str]] = {}

    def walk(model: type[BaseModel], prefix: str):
        for name, f in model.model_fields.items():
            ann = f.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, f"{prefix}.{name}")
            else:
                out[f"{prefix}.{name}"] = (f.default, f.description or "")

    walk(Parameters, "parameters")
    return out


# --------------------------------------------------------------------------- ranges

INPUT_KINDS = ("sourced", "assumption", "default", "unsourced")


@dataclass(frozen=True)
class InputRange:
    """One number of a scenario and its range, in the ``--set`` path syntax.

    kind: ``sourced`` (it cites a source), ``assumption`` (a judgement with its reason),
    ``default`` (a model parameter left at its default, range from sim/ranges.py) or
    ``unsourced`` (a bare number: neither, and so no range). low and high are None when
    the number has no range; equal when it is fixed (a definition or a counterfactual's
    setting)."""

    path: str
    value: float
    kind: str
    source: str = ""
    low: float | None = None
    high: float | None = None
    why: str = ""  # the assumption, or the reason for a default's range

    @property
    def ranged(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def varies(self) -> bool:
        """True if the range is wider than a point: the number is uncertain."""
        return self.ranged and self.high > self.low

    @property
    def judgement(self) -> bool:
        """Assumptions and defaults: numbers set by the modeller's judgement, not read from a source."""
        return self.kind in ("assumption", "default")


def input_ranges(loaded: LoadedScenario, include_defaults: bool = True) -> dict[str, InputRange]:
    """Every number of a scenario (words and dates left out) with its kind, source and range,
    keyed by its path (``overrides={path: x}`` sets it); then, with ``include_defaults``,
    every model parameter the scenario leaves at its default, with its range from
    sim/ranges.py."""
    from .ranges import DEFAULT_RANGES

    out: dict[str, InputRange] = {}
    for path, value in numbers(loaded.raw):
        if not is_number(value):
            continue
        prov = loaded.provenance.get(path)
        if prov is None:
            out[path] = InputRange(path, value, "unsourced")
            continue
        kind = "sourced" if prov.source else "assumption"
        out[path] = InputRange(path, value, kind, str(prov.source or ""), prov.low, prov.high,
                               prov.assumption or "")
    if include_defaults:
        for path, (value, why) in parameter_defaults().items():
            if path in out:
                continue
            low, high, reason = DEFAULT_RANGES.get(path, (None, None, ""))
            out[path] = InputRange(path, value, "default", "", low, high, reason or why)
    return out


def is_composition(path: str) -> bool:
    """A share of a whole that sums to one (a republic's initial alignment): it cannot change
    alone, the other shares make room (see composition_override)."""
    keys = _split_path(path)
    return len(keys) == 4 and keys[0] == "republics" and keys[2] == "alignment"


def composition_override(sc: Scenario, path: str, value: float) -> dict[str, Any]:
    """``{path: value}``, or for a share of a composition the whole composition with the
    other shares scaled to make room, so that it still sums to one."""
    if not is_composition(path):
        return {path: value}
    _, rep, _, power = _split_path(path)
    shares = dict(sc.republics[rep].alignment)
    rest = 1.0 - shares[power]
    scale = (1.0 - value) / rest if rest > 0 else 0.0
    new = {p: (value if p == power else s * scale) for p, s in shares.items()}
    return {f"republics.{rep}.alignment": new}


def check_range_ends(loaded: LoadedScenario, ranges: dict[str, InputRange] | None = None) -> list[ScenarioError]:
    """Each range end set in the scenario must itself be a valid value of its field (a share's
    range within [0, 1], an integer's ends whole): one error per offending path."""
    ranges = input_ranges(loaded) if ranges is None else ranges
    plain = loaded.scenario.model_dump()
    errors = []
    for r in ranges.values():
        if not r.varies:
            continue
        for end in (r.low, r.high):
            v = int(end) if isinstance(r.value, int) and float(end).is_integer() else end
            try:
                scenario_with(loaded.scenario, composition_override(loaded.scenario, r.path, v), plain=plain)
            except ScenarioError as e:
                errors.append(ScenarioError(r.path, f"range end {_num(end)} is not a valid value: {e.message}",
                                            file=loaded.files[-1] if loaded.files else None))
                break
    return errors
