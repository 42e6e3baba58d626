"""The one YAML loader of the tool: scenarios, sources.yaml, sweep specs, ``--set`` values.

* **YAML 1.2 core schema** for plain scalars: ``true``/``false`` are the only booleans
  (``yes``, ``no``, ``on``, ``off`` are text); integers are decimal (``010`` is 10),
  ``0o17`` octal and ``0x1F`` hexadecimal; no sexagesimal numbers (``184:24`` is text),
  no underscores in numbers (``1_000`` is text), no implicit timestamps (``2015-10-22`` is
  text, which the scenario's date fields parse and check themselves); ``.inf``/``.nan``
  as in YAML 1.2. Explicit standard tags (``!!float``, ``!!int``, ``!!bool``,
  ``!!timestamp`` …) keep their meaning, and a bad value under one (``!!float abc``,
  ``!!bool maybe``, ``!!timestamp 2015-02-30``) is a one-line error with its line.
* **Merge keys** (``<<: *base``, ``<<: [*a, *b]``) are supported; the mapping's own keys
  win over merged ones.
* **A key given twice in one mapping is refused**, naming both lines (plain YAML keeps the
  last silently, so a second ``powers:`` block would drop the first without a word).
* **Limits**: nesting deeper than :data:`MAX_DEPTH` levels, and documents that expand (through
  aliases) to more than :data:`MAX_NODES` nodes, are refused before anything is built.
* **Fast**: libyaml's C parser (``yaml.CSafeLoader``) when PyYAML was built with it, the
  pure-Python parser otherwise; both give the same values.

Errors are :class:`yaml.YAMLError` (with ``problem_mark`` where known); callers turn them
into one-line :class:`~sim.errors.ScenarioError` messages with :func:`describe_error`.
"""

from __future__ import annotations

import binascii
import math
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted; scenarios need about eight."""
MAX_NODES = 1_000_000
"""Most nodes a document may expand to, counting every alias as a copy of what it names."""

CSAFE = getattr(yaml, "CSafeLoader", None) if getattr(yaml, "__with_libyaml__", False) else None
_BASE: type = CSAFE or yaml.SafeLoader
_PARSER: type = CSAFE or yaml.SafeLoader

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_RESOLVERS = [
    (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")),
    (_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")),
    (_FLOAT, re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"), list("-+.0123456789")),
    (_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]),
    (_MERGE, re.compile(r"^(?:<<)$"), ["<"]),
]


def _resolvers() -> dict:
    table: dict = {}
    for tag, regexp, first in _RESOLVERS:
        for ch in first:
            table.setdefault(ch, []).append((tag, regexp))
    return table


def _bad(node, what: str) -> ConstructorError:
    return ConstructorError(None, None, what, node.start_mark)


class _Rules:
    """Safe loading with YAML 1.2 core scalars, merge keys and duplicate keys refused (mixed
    into a safe loader: libyaml's or the pure-Python one)."""

    yaml_implicit_resolvers = _resolvers()

    def __init__(self, stream):
        super().__init__(stream)
        self._checked: set[int] = set()

    # -- mappings: duplicate keys, merge keys ---------------------------------------
    def flatten_mapping(self, node):
        if id(node) not in self._checked:  # before merged keys are added to node.value
            self._checked.add(id(node))
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise _bad(key_node, "a mapping key must be a single value, not a list or a mapping") from None
                tagged = (type(key) is bool, key)  # True and 1 are different keys here
                if tagged in seen:
                    raise _bad(key_node, f"duplicate key '{key}' (first at line {seen[tagged] + 1})")
                seen[tagged] = key_node.start_mark.line
        super().flatten_mapping(node)

    # -- scalars: YAML 1.2 core, with bad explicit values as one-line errors --------------
    def construct_yaml_bool(self, node):
        value = self.construct_scalar(node)
        low = str(value).lower()
        if low in ("true", "false"):
            return low == "true"
        raise _bad(node, f"expected true or false under !!bool, got '{value}'")

    def construct_yaml_int(self, node):
        value = str(self.construct_scalar(node)).strip()
        text = value.lower()
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        try:
            if digits.startswith("0o"):
                return sign * int(digits[2:], 8)
            if digits.startswith("0x"):
                return sign * int(digits[2:], 16)
            if digits.isdigit():
                return sign * int(digits, 10)
        except ValueError:
            pass
        raise _bad(node, f"expected a whole number under !!int, got '{value}'")

    def construct_yaml_float(self, node):
        value = str(self.construct_scalar(node)).strip()
        text = value.lower()
        if text in (".inf", "+.inf"):
            return math.inf
        if text == "-.inf":
            return -math.inf
        if text == ".nan":
            return math.nan
        if re.fullmatch(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:e[-+]?[0-9]+)?", text):
            return float(text)
        raise _bad(node, f"expected a number under !!float, got '{value}'")

    def construct_yaml_timestamp(self, node):
        value = str(self.construct_scalar(node))
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, TypeError, AttributeError, OverflowError) as e:
            why = str(e) if isinstance(e, ValueError) and "day" in str(e) else "expected a date like 2015-10-22"
            raise _bad(node, f"not a valid timestamp '{value}': {why}") from None

    def construct_yaml_binary(self, node):
        try:
            return super().construct_yaml_binary(node)
        except (binascii.Error, UnicodeEncodeError, ValueError) as e:
            raise _bad(node, f"not valid base64 under !!binary: {e}") from None


class Loader(_Rules, _BASE):
    """The loader: libyaml's parser when available."""


class PyLoader(_Rules, yaml.SafeLoader):
    """The same rules on the pure-Python parser (the fallback; also used by the tests)."""


for _cls in (Loader, PyLoader):
    _cls.yaml_constructors = dict(_cls.yaml_constructors)
    for _tag, _fn in ((_BOOL, _Rules.construct_yaml_bool), (_INT, _Rules.construct_yaml_int),
                      (_FLOAT, _Rules.construct_yaml_float), (_TIMESTAMP, _Rules.construct_yaml_timestamp),
                      ("tag:yaml.org,2002:binary", _Rules.construct_yaml_binary)):
        _cls.yaml_constructors[_tag] = _fn


def check_limits(text: str, parser: type = _PARSER) -> None:
    """Refuse nesting deeper than MAX_DEPTH and expansion beyond MAX_NODES, from the parser's
    events alone (nothing is built), so a hostile file costs one pass of the parser."""
    depth = 0
    stack: list[list] = []  # [anchor, nodes] per open collection
    sizes: dict[str, int] = {}
    total = 0
    for ev in yaml.parse(text, Loader=parser):
        kind = type(ev)
        if kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConstructorError(None, None, f"nested more than {MAX_DEPTH} levels deep", ev.start_mark)
            stack.append([ev.anchor, 1])
            continue
        if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            depth -= 1
            anchor, n = stack.pop()
            if anchor is not None:
                sizes[anchor] = n
        elif kind is yaml.ScalarEvent:
            n = 1
            if ev.anchor is not None:
                sizes[ev.anchor] = 1
        elif kind is yaml.AliasEvent:
            n = sizes.get(ev.anchor, 1)
        else:
            continue
        if stack:
            stack[-1][1] += n
        total += n
        if total > MAX_NODES:
            raise ConstructorError(None, None, f"expands to more than {MAX_NODES:,} values (through aliases)",
                                   ev.start_mark)


def load(text: str, pure_python: bool = False) -> Any:
    """One YAML document, with the rules above (``pure_python``: without libyaml)."""
    check_limits(text, yaml.SafeLoader if pure_python else _PARSER)
    loader = (PyLoader if pure_python else Loader)(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_value(text: str) -> Any:
    """A ``--set`` value: YAML under the same rules, or the text itself when it is not YAML."""
    if not text.strip():
        return ""
    try:
        return load(text)
    except yaml.YAMLError:
        return text


def describe_error(e: yaml.YAMLError) -> tuple[str, str]:
    """(where, what) of a YAML error: 'line L, column C' and the problem in a few words."""
    mark = getattr(e, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    what = getattr(e, "problem", None) or str(e).splitlines()[0]
    context = getattr(e, "context", None)
    if context and str(what).startswith("but "):  # "expected a single document in the stream, but found another"
        what = f"{context}, {what}"
    return where, " ".join(str(what).split())
