"""Scenario errors that name the field path, and the cross-reference checks."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from .schema import Scenario

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
REST_OF_WORLD = "rest_of_world"


class ScenarioError(Exception):
    """A problem in a scenario: where (file, field path) and what was expected."""

    def __init__(self, path: str, message: str, file: str | None = None):
        super().__init__(message)
        self.path = path
        self.message = message
        self.file = file

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.path) if p]
        return ": ".join(parts + [self.message])

    def __reduce__(self):
        # Exceptions pickle as cls(*args); ours take (path, message, file): keep every attribute,
        # so an error raised in a worker process reaches the parent whole.
        return _rebuild, (type(self), self.message, dict(self.__dict__))


def _rebuild(cls, message: str, state: dict) -> ScenarioError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class NonFiniteOutcome(ScenarioError):
    """The model produced a NaN or infinite value in an outcome: an error, not a silent "no
    wedge" (a NaN share compares false with everything)."""

    def __init__(self, measure: str, step: int, date: str):
        super().__init__(measure, f"the model produced a non-finite value (NaN or inf) at step {step} ({date}); "
                         "check the scenario's magnitudes (GDPs, weights, rates)")
        self.measure = measure


def suggest(word: str, options: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _need(kind: str, name: str, known: Iterable[str], path: str) -> None:
    known = list(known)
    if name not in known:
        raise ScenarioError(path, f"unknown {kind} '{name}'{suggest(name, known)}; expected one of: {', '.join(known)}")


def check_references(sc: "Scenario") -> None:
    """Refuse any actor, forum or source name the scenario does not define."""
    powers = list(sc.powers)
    republics = list(sc.republics)
    for key in powers + republics:
        if not _ID_RE.match(key):
            raise ScenarioError(key, "actor ids must be lower-case letters, digits and underscores")
    dup = set(powers) & set(republics)
    if dup:
        raise ScenarioError("republics", f"'{sorted(dup)[0]}' is defined both as a power and as a republic")
    if not powers:
        raise ScenarioError("powers", "at least one power is required")
    if not republics:
        raise ScenarioError("republics", "at least one republic is required")
    actors = powers + republics

    for p, pw in sc.powers.items():
        alloc = pw.strategy.allocation
        if isinstance(alloc, dict):
            for r in alloc:
                _need("republic", r, republics, f"powers.{p}.strategy.allocation.{r}")
        if isinstance(pw.soft_power, dict):
            for r in pw.soft_power:
                _need("republic", r, republics, f"powers.{p}.soft_power.{r}")
    for r, rep in sc.republics.items():
        for i, b in enumerate(rep.borders):
            _need("power", b, powers, f"republics.{r}.borders[{i}]")
        for p in rep.remittances:
            _need("power", p, powers, f"republics.{r}.remittances.{p}")
        for p in rep.alignment:
            _need("power", p, powers, f"republics.{r}.alignment.{p}")
        missing = [p for p in powers if p not in rep.alignment]
        if missing:
            raise ScenarioError(f"republics.{r}.alignment", f"no share given for power '{missing[0]}' (give 0 if none)")

    for table in ("trade", "investment", "aid", "loans", "energy"):
        for p, alloc in getattr(sc, table).items():
            _need("power", p, powers, f"{table}.{p}")
            for r in alloc.republics():
                where = "by_republic" if alloc.by_republic is not None else "split"
                _need("republic", r, republics, f"{table}.{p}.{where}.{r}")
    for p, ties in sc.security.items():
        _need("power", p, powers, f"security.{p}")
        for r in ties:
            _need("republic", r, republics, f"security.{p}.{r}")

    forums = dict(sc.forums)
    for iname, ini in sc.initiatives.items():
        if ini.power is not None:
            _need("power", ini.power, powers, f"initiatives.{iname}.power")
        for fname in ini.forums:
            if fname in forums:
                raise ScenarioError(f"initiatives.{iname}.forums.{fname}", "a forum of that name already exists")
        forums.update(ini.forums)
    for fname, f in sc.forums.items():
        _check_forum(f"forums.{fname}", f, actors)
    for iname, ini in sc.initiatives.items():
        for fname, f in ini.forums.items():
            _check_forum(f"initiatives.{iname}.forums.{fname}", f, actors)

    seen = set()
    for i, rel in enumerate(sc.relations):
        for side in ("a", "b"):
            _need("power", getattr(rel, side), powers, f"relations[{i}].{side}")
        if rel.a == rel.b:
            raise ScenarioError(f"relations[{i}]", "a relation needs two different powers")
        pair = frozenset((rel.a, rel.b))
        if pair in seen:
            raise ScenarioError(f"relations[{i}]", f"the pair {rel.a}-{rel.b} is given twice")
        seen.add(pair)

    for i, ev in enumerate(sc.events):
        _check_event(f"events[{i}]", ev, powers, republics, forums, sc)
    for iname, ini in sc.initiatives.items():
        for i, ev in enumerate(ini.events):
            _check_event(f"initiatives.{iname}.events[{i}]", ev, powers, republics, forums, sc)

    _need("power", sc.wedge.challenger, powers, "wedge.challenger")
    for i, p in enumerate(sc.wedge.incumbents):
        _need("power", p, powers, f"wedge.incumbents[{i}]")
    if sc.wedge.challenger in sc.wedge.incumbents:
        raise ScenarioError("wedge.incumbents", "the challenger cannot also be an incumbent")
    if not sc.wedge.incumbents:
        raise ScenarioError("wedge.incumbents", "name at least one incumbent power")


def _check_forum(path: str, f, actors: list[str]) -> None:
    _need("actor", f.convenor, actors, f"{path}.convenor")
    for i, m in enumerate(f.members):
        _need("actor", m, actors, f"{path}.members[{i}]")
    for i, m in enumerate(f.observers):
        _need("actor", m, actors, f"{path}.observers[{i}]")
        if m in f.members:
            raise ScenarioError(f"{path}.observers[{i}]", f"'{m}' is already a member")


def _check_event(path: str, ev, powers, republics, forums, sc) -> None:
    if ev.date.quarters_since(sc.start) < 0:
        hint = (f" (events and base-year figures come with extends: {sc.extends}; a later start needs a scenario "
                f"of its own)" if sc.extends else "")
        raise ScenarioError(f"{path}.date", f"must not be before the scenario start {sc.start}, got {ev.date}{hint}")
    kind = ev.kind
    if hasattr(ev, "power") and ev.power is not None:
        _need("power", ev.power, powers, f"{path}.power")
    if kind == "pledge":
        for r in ev.amounts:
            _need("republic", r, republics, f"{path}.amounts.{r}")
    elif kind == "summit":
        for i, r in enumerate(ev.republics):
            _need("republic", r, republics, f"{path}.republics[{i}]")
        if ev.forum is not None:
            _need("forum", ev.forum, forums, f"{path}.forum")
    elif kind == "membership":
        _need("republic", ev.republic, republics, f"{path}.republic")
        _need("forum", ev.forum, forums, f"{path}.forum")
    elif kind == "infrastructure":
        for i, r in enumerate(ev.republics):
            _need("republic", r, republics, f"{path}.republics[{i}]")
        for i, p in enumerate(ev.partners):
            _need("partner", p, powers + [REST_OF_WORLD], f"{path}.partners[{i}]")
    elif kind == "shock":
        if ev.republic is not None:
            _need("republic", ev.republic, republics, f"{path}.republic")
        if ev.power is None and ev.republic is None and ev.target != "energy_price":
            raise ScenarioError(path, "a shock needs a power, a republic or both (only an energy_price shock "
                                      "may apply to everyone)")
