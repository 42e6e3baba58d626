"""Bad input: each malformed scenario gets one precise message (file, field path, expectation)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from greatgame.sim import ScenarioError, load_scenario, shipped_names
from greatgame.sim.scenario import shipped_dir


def write(tmp_path: Path, body: str, name: str = "x.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def error_of(path, **kw) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, **kw)
    msg = str(info.value)
    assert "\n" not in msg, "errors must be one line"
    return msg


CASES = [
    # (yaml body extending abe_2015, expected fragments of the message)
    ("powers: {japan: {budget: {grants: -3}}}", ["powers.japan.budget.grants", "must be ≥ 0, got -3"]),
    ("powers: {japan: {bugdet: {grants: 1}}}", ["powers.japan.bugdet", "unknown key 'bugdet'", "did you mean 'budget'"]),
    ("trade: {china: {total: 38, split: {kazakstan: 1}}}", ["trade.china.split.kazakstan", "unknown republic 'kazakstan'", "did you mean 'kazakhstan'"]),
    ("republics: {kazakhstan: {borders: [chna]}}", ["republics.kazakhstan.borders[0]", "unknown power 'chna'", "did you mean 'china'"]),
    ("events: [{date: 2016-01, kind: membership, republic: kazakhstan, forum: scoo, level: member}]",
     ["events[0].forum", "unknown forum 'scoo'", "did you mean 'sco'"]),
    ("events: [{date: 2016-01, kind: bribe, power: japan}]", ["events[0]", "unknown kind 'bribe'"]),
    ("events: [{date: 2016-13, kind: budget, power: japan, factor: 2}]", ["events[0].date", "month must be 1-12"]),
    ("events: [{date: 2010-01, kind: budget, power: japan, factor: 2}]", ["events[0].date", "must not be before the scenario start"]),
    ("republics: {kazakhstan: {alignment: {china: 0.5, russia: 0.5, japan: 0.5, united_states: 0}}}",
     ["republics.kazakhstan.alignment", "must sum to 1, got 1.500"]),
    ("republics: {kazakhstan: {gdp: lots}}", ["republics.kazakhstan.gdp", "expected a number, got 'lots'"]),
    ("powers: {japan: {strategy: {allocation: everything}}}", ["powers.japan.strategy.allocation"]),
    ("powers: {japan: {soft_power: 1.5}}", ["powers.japan.soft_power", "1.5"]),
    ("powers: {japan: {gdp: {value: 4395, source: nowhere_2020}}}", ["powers.japan.gdp.source", "unknown source 'nowhere_2020'"]),
    ("powers: {japan: {gdp: {value: 4395, quote: unsourced}}}", ["powers.japan.gdp", "needs a source or an assumption"]),
    ("forums: {sco: {members: [kazakhstan, atlantis]}}", ["forums.sco.members[1]", "unknown actor 'atlantis'"]),
    ("relations: [{a: china, b: china, propensity: 0.5}]", ["relations[0]", "two different powers"]),
    ("wedge: {challenger: japan, incumbents: [japan]}", ["wedge.incumbents", "challenger cannot also be an incumbent"]),
    ("start: someday", ["start", "expected a date"]),
    ("years: -1", ["years", "must be ≥ 0.25, got -1"]),
    ("years: 0.1", ["years", "must be ≥ 0.25, got 0.1"]),
    ("years: .inf", ["years", "expected a finite number, got inf"]),
    ("powers: {japan: {budget: {grants: .nan}}}", ["powers.japan.budget.grants", "expected a finite number, got nan"]),
    ("parameters: {weights: {trade: -0.1}}", ["parameters.weights.trade", "must be ≥ 0"]),
    ("republics: {kazakhstan: {neutrality: sometimes}}", ["republics.kazakhstan.neutrality", "expected one of"]),
]


@pytest.mark.parametrize("body, fragments", CASES, ids=[c[1][0] for c in CASES])
def test_bad_values_name_file_field_and_expectation(tmp_path, body, fragments):
    path = write(tmp_path, "name: x\nextends: abe_2015\n" + body + "\n")
    msg = error_of(path)
    assert msg.startswith(str(path)), msg
    for frag in fragments:
        assert frag in msg, f"{frag!r} not in {msg!r}"


def test_yaml_syntax_error_gives_line(tmp_path):
    path = write(tmp_path, "name: x\nextends: abe_2015\npowers: {japan: [\n")
    msg = error_of(path)
    assert str(path) in msg and "line" in msg and "not valid YAML" in msg


def test_unsafe_yaml_tags_are_refused(tmp_path):
    path = write(tmp_path, "name: !!python/object/apply:os.system ['echo hacked']\n")
    msg = error_of(path)
    assert "not valid YAML" in msg


def test_top_level_must_be_mapping(tmp_path):
    path = write(tmp_path, "- just\n- a list\n")
    assert "expected a mapping at the top level" in error_of(path)


def test_missing_extends_target_suggests(tmp_path):
    path = write(tmp_path, "name: x\nextends: abe_2051\n")
    msg = error_of(path)
    assert "extends" in msg and "did you mean 'abe_2015'" in msg


def test_circular_extends(tmp_path):
    write(tmp_path, "name: a\nextends: b.yaml\n", "a.yaml")
    write(tmp_path, "name: b\nextends: a.yaml\n", "b.yaml")
    assert "circular extends" in error_of(tmp_path / "a.yaml")


def test_unknown_scenario_name_suggests():
    msg = error_of("abe2015")
    assert "did you mean 'abe_2015'" in msg


def test_a_key_given_twice_is_refused(tmp_path):
    """Plain YAML keeps the last of two equal keys; a scenario refuses them, naming both lines."""
    path = write(tmp_path, "name: dup\nextends: abe_2015\npowers:\n  japan: {budget: {grants: 0.3}}\n"
                           "years: 5\npowers:\n  china: {budget: {grants: 0.3}}\n")
    msg = error_of(path)
    assert msg == f"{path}: line 6, column 1: not valid YAML: duplicate key 'powers' (first at line 3)"
    nested = write(tmp_path, "name: dup2\nextends: abe_2015\npowers:\n  japan:\n    gdp: 1\n    gdp: 2\n", "n.yaml")
    assert "line 6, column 5: not valid YAML: duplicate key 'gdp' (first at line 5)" in error_of(nested)


def test_a_later_start_on_extends_says_why(tmp_path):
    path = write(tmp_path, "name: late\nextends: abe_2015\nstart: 2020-Q1\nyears: 5\n")
    msg = error_of(path)
    assert "events[0].date: must not be before the scenario start 2020-Q1, got 2016-Q3" in msg
    assert "come with extends: abe_2015; a later start needs a scenario of its own" in msg


def test_a_folder_is_not_a_scenario(tmp_path):
    msg = error_of(str(tmp_path))
    assert f"{tmp_path}: is a folder; expected a scenario YAML file" in msg and "abe_2015" in msg


def test_missing_required_field(tmp_path):
    path = write(tmp_path, "name: x\nstart: 2015\npowers: {}\n")
    msg = error_of(path)
    assert "republics" in msg and "required" in msg


def test_override_of_unknown_actor_is_refused():
    msg = error_of("abe_2015", overrides=["powers.japn.budget.grants=3"])
    assert "did you mean 'japan'" in msg


def test_override_bad_value_says_so():
    msg = error_of("abe_2015", overrides=["powers.japan.budget.grants=-3"])
    assert "powers.japan.budget.grants: must be ≥ 0, got -3 (from --set)" in msg


def test_user_scenario_with_its_own_sources(tmp_path):
    """A user's scenario in the documented format, with a new power and a sources.yaml of its own."""
    write(tmp_path, "sources:\n  my_src: {title: My source, outlet: Me, date: 2024}\n", "sources.yaml")
    path = write(tmp_path, """
        name: eu_enters
        extends: abe_2015
        powers:
          eu:
            gdp: {value: 16000, source: my_src}
            military: {value: 0.3, assumption: "no army of its own"}
            soft_power: {value: 0.5, assumption: "no poll"}
            budget: {grants: {value: 0.3, assumption: "Global Gateway share"}}
        republics:
          kazakhstan: {alignment: {eu: 0.1, japan: 0.048}}
          uzbekistan: {alignment: {eu: 0.1, japan: 0.048}}
          turkmenistan: {alignment: {eu: 0.1, japan: 0.06}}
          kyrgyzstan: {alignment: {eu: 0.1, japan: 0.048}}
          tajikistan: {alignment: {eu: 0.1, japan: 0.048}}
        trade:
          eu: {total: {value: 22, source: my_src}, split: {kazakhstan: 0.8, uzbekistan: 0.2}}
        """, "eu.yaml")
    ls = load_scenario(path)
    assert "eu" in ls.scenario.powers
    assert ls.provenance["trade.eu.total"].source == "my_src"


@pytest.mark.parametrize("name", shipped_names())
def test_every_shipped_number_has_a_source_or_assumption(name):
    ls = load_scenario(name)
    assert ls.bare_numbers() == [], f"{name}: numbers with neither source nor assumption: {ls.bare_numbers()}"
    for path, prov in ls.provenance.items():
        assert prov.source or (prov.assumption and prov.assumption.strip()), path


def test_sources_list_is_complete():
    from greatgame.sim.scenario import load_sources

    sources = load_sources()
    for sid, entry in sources.items():
        assert entry.get("title") and entry.get("date"), sid
        assert entry.get("file") or entry.get("url"), sid
    files = [e["file"] for e in sources.values() if e.get("file")]
    assert len(files) == 5  # the five source articles
    assert (shipped_dir() / "sources.yaml").is_file()


# ---------------------------------------------------------------- the one YAML loader (issue 13)

from greatgame.sim import yaml_loader  # noqa: E402
from greatgame.sim.scenario import clear_cache, load_spec, parse_assignment, resolve_path  # noqa: E402


@pytest.mark.parametrize("pure_python", [False, True], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize("text, value", [
    ("a: yes", "yes"), ("a: no", "no"), ("a: on", "on"), ("a: off", "off"), ("a: y", "y"),
    ("a: true", True), ("a: False", False),
    ("a: 010", 10), ("a: 0o17", 15), ("a: 0x1F", 31), ("a: -7", -7),
    ("a: 184:24", "184:24"), ("a: 1_000", "1_000"), ("a: 2015-10-22", "2015-10-22"),
    ("a: 1e3", 1000.0), ("a: .5", 0.5), ("a: -1.5e-3", -0.0015), ("a: ~", None), ("a:", None),
])
def test_yaml_1_2_core_scalars(text, value, pure_python):
    """YAML 1.1 read yes/on as true (so 1 for a number), 010 as 8 and 184:24 as 11064."""
    got = yaml_loader.load(text, pure_python=pure_python)["a"]
    assert got == value and type(got) is type(value)


def test_libyaml_and_pure_python_read_shipped_files_alike():
    if yaml_loader.CSAFE is not None:
        assert issubclass(yaml_loader.Loader, yaml_loader.CSAFE)  # the fast path is the one used
    for f in sorted(shipped_dir().glob("*.yaml")):
        text = f.read_text(encoding="utf-8")
        assert yaml_loader.load(text) == yaml_loader.load(text, pure_python=True), f.name


@pytest.mark.parametrize("pure_python", [False, True], ids=["libyaml", "pure-python"])
def test_merge_keys_are_supported(pure_python):
    text = "base: &b {gdp: 1, growth: 0.02}\nc:\n  <<: *b\n  gdp: 3\nd: {<<: [{x: 1}, {x: 2, y: 3}], z: 0}\n"
    got = yaml_loader.load(text, pure_python=pure_python)
    assert got["c"] == {"gdp": 3, "growth": 0.02}  # own keys win over merged ones
    assert got["d"] == {"x": 1, "y": 3, "z": 0}  # the first merged mapping wins over later ones


def test_merge_keys_in_a_scenario(tmp_path):
    path = write(tmp_path, """\
        name: merged
        extends: abe_2015
        powers:
          japan:
            budget: &money {grants: 0.7, loans: 1.1, investment: 0.4}
          united_states:
            budget: {<<: *money, loans: 0.2}
        """)
    sc = load_scenario(path).scenario
    assert sc.powers["united_states"].budget.grants == 0.7 and sc.powers["united_states"].budget.loans == 0.2


@pytest.mark.parametrize("body, fragment", [
    ("x: !!float abc", "line 3, column 4: not valid YAML: expected a number under !!float, got 'abc'"),
    ("x: !!bool maybe", "line 3, column 4: not valid YAML: expected true or false under !!bool, got 'maybe'"),
    ("x: !!int 12abc", "not valid YAML: expected a whole number under !!int, got '12abc'"),
    ("x: !!timestamp 2015-02-30", "not valid YAML: not a valid timestamp '2015-02-30'"),
    ("x: !!timestamp someday", "not valid YAML: not a valid timestamp 'someday'"),
    ("x: {[1, 2]: 3}", "not valid YAML: a mapping key must be a single value"),
    ("x: {<<: 3}", "not valid YAML: expected a mapping or list of mappings for merging"),
    ("x: " + "[" * 900 + "]" * 900, f"not valid YAML: nested more than {yaml_loader.MAX_DEPTH} levels deep"),
])
def test_bad_yaml_values_are_one_line(tmp_path, body, fragment):
    path = write(tmp_path, "name: x\nextends: abe_2015\n" + body + "\n")
    msg = error_of(path)
    assert msg.startswith(f"{path}: line ") and fragment in msg, msg


def test_deep_nesting_and_alias_bombs_are_refused_before_building():
    with pytest.raises(yaml_loader.yaml.YAMLError, match="nested more than"):
        yaml_loader.load("a: " + "{b: " * 100_000 + "1" + "}" * 100_000)
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(yaml_loader.yaml.YAMLError, match="expands to more than"):
        yaml_loader.load("\n".join(lines))
    assert yaml_loader.load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}  # a plain alias is fine


@pytest.mark.parametrize("value", ["yes", "on", "true", "'38'"])
def test_a_number_field_refuses_booleans_and_text(tmp_path, value):
    path = write(tmp_path, f"name: x\nextends: abe_2015\npowers: {{japan: {{budget: {{grants: {value}}}}}}}\n")
    msg = error_of(path)
    assert "powers.japan.budget.grants: expected a number, got" in msg


def test_booleans_and_text_are_not_counted_as_figures(tmp_path):
    from greatgame.sim.scenario import numbers

    assert numbers({"a": True, "b": "38", "c": 3, "d": {"value": 2, "assumption": "x"}}) == [("c", 3), ("d", 2)]
    path = write(tmp_path, "name: x\nextends: abe_2015\npowers: {japan: {gdp: {value: yes, source: cctv_2015}}}\n")
    assert "powers.japan.gdp: expected a number, got 'yes'" in error_of(path)


def test_leading_zero_is_decimal(tmp_path):
    path = write(tmp_path, "name: x\nextends: abe_2015\nsecurity: {russia: {kyrgyzstan: {bases: 010}}}\n")
    assert load_scenario(path).scenario.security["russia"]["kyrgyzstan"].bases == 10


@pytest.mark.parametrize("body, fragment", [
    ("start: 2015-02-30", "start: no such day: 2015-02-30"),
    ("start: 2015-13-01", "start: month must be 1-12, got 13"),
    ("events: [{date: 2016-04-31, kind: budget, power: japan, factor: 2}]", "events[0].date: no such day: 2016-04-31"),
])
def test_impossible_dates_are_one_line(tmp_path, body, fragment):
    assert fragment in error_of(write(tmp_path, "name: x\nextends: abe_2015\n" + body + "\n"))


def test_a_real_leap_day_is_a_date(tmp_path):
    path = write(tmp_path, "name: x\nextends: abe_2015\nevents: [{date: 2016-02-29, kind: budget, power: japan, factor: 2}]\n")
    assert load_scenario(path).scenario.events[0].date == "2016-Q1"


# ---------------------------------------------------------------- --set paths

def test_set_extends_is_refused():
    msg = error_of("abe_2015", overrides=["extends=kishida_2024"])
    assert msg.startswith("--set extends: extends cannot be set")
    with pytest.raises(ScenarioError, match="extends cannot be set"):
        load_scenario("abe_2015", overrides={"extends": "kishida_2024"})


@pytest.mark.parametrize("path", ["powers..japan.budget.grants", "powers.japan.budget.grants.", ".powers.japan.gdp"])
def test_empty_path_segments_are_refused(path):
    msg = error_of("abe_2015", overrides=[f"{path}=1"])
    assert msg.startswith(f"--set {path}: empty segment in the path"), msg


def test_set_values_are_read_as_yaml_1_2():
    assert parse_assignment("parameters.choice_sensitivity=010") == ("parameters.choice_sensitivity", 10)
    assert parse_assignment("initiatives.x.enabled=no") == ("initiatives.x.enabled", "no")
    msg = error_of("abe_2015", overrides=["initiatives.japan_2015_tour.enabled=no"])
    assert "initiatives.japan_2015_tour.enabled: expected true or false, got 'no' (from --set)" in msg


# ---------------------------------------------------------------- resolution of names

def test_a_stray_file_in_the_working_folder_does_not_shadow_a_shipped_scenario(tmp_path, monkeypatch):
    (tmp_path / "abe_2015.yaml").write_text("name: stray\nstart: 2015\npowers: {}\nrepublics: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    kishida = load_scenario("kishida_2024")  # extends: abe_2015
    assert kishida.files[0] == str((shipped_dir() / "abe_2015.yaml").resolve())
    assert load_scenario("abe_2015").scenario.name == "abe_2015"
    assert resolve_path("abe_2015") == shipped_dir() / "abe_2015.yaml"
    with pytest.raises(ScenarioError, match="at least one power"):  # a path still names the stray file
        load_scenario("./abe_2015.yaml")


def test_a_file_beside_the_extending_file_shadows_the_shipped_one(tmp_path, monkeypatch):
    study, elsewhere = tmp_path / "study", tmp_path / "elsewhere"
    study.mkdir(), elsewhere.mkdir()
    (study / "abe_2015.yaml").write_text("name: my_base\nextends: " + str(shipped_dir() / "abe_2015.yaml")
                                         + "\nyears: 3\n", encoding="utf-8")
    (study / "mine.yaml").write_text("name: mine\nextends: abe_2015\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    loaded = load_scenario(study / "mine.yaml")
    assert loaded.scenario.years == 3 and loaded.files[1] == str((study / "abe_2015.yaml").resolve())
    (study / "lone.yaml").write_text("name: lone\nextends: ../elsewhere/base.yaml\n", encoding="utf-8")
    (elsewhere / "base.yaml").write_text("name: b\nextends: abe_2015\nyears: 2\n", encoding="utf-8")
    assert load_scenario(study / "lone.yaml").scenario.years == 2  # a relative path is the extending file's


# ---------------------------------------------------------------- limits

@pytest.mark.parametrize("body, fragment", [
    ("forums: {sco: {meetings_per_year: 1e9}}", "forums.sco.meetings_per_year: must be ≤ 365"),
    ("powers: {japan: {gdp: 1e-320}}", "powers.japan.gdp: must be at least 1e-09"),
    ("republics: {kazakhstan: {gdp: 5e-324}}", "republics.kazakhstan.gdp: must be at least 1e-09"),
    ("parameters: {weights: {trade: 1e308}}", "parameters.weights.trade: must be ≤ 1e+12, got 1e+308"),
    ("trade: {china: {total: 38, split: {kazakhstan: 1e308, kyrgyzstan: 1e308}}}", "trade.china.split.kazakhstan: must be ≤ 1e+12"),
    ("events: [{date: 2016, kind: infrastructure, name: r, republics: [kazakhstan], partners: [japan], "
     "trade_boost: 1e9}]", "events[0].trade_boost: must be ≤ 100"),
    ("events: [{date: 2016, kind: infrastructure, name: r, republics: [kazakhstan], partners: [japan], "
     "trade_boost: 1, ramp_years: 1e-9}]", "events[0].ramp_years: must be ≥ 0.25"),
    ("years: 1e9", "years: must be ≤ 200"),
])
def test_limits_are_checked_before_anything_runs(tmp_path, body, fragment):
    msg = error_of(write(tmp_path, "name: x\nextends: abe_2015\n" + body + "\n"))
    assert fragment in msg, msg


def test_the_largest_trade_boost_on_the_shortest_ramp_stays_finite(tmp_path):
    from greatgame.sim import GreatGameModel

    path = write(tmp_path, "name: x\nextends: abe_2015\nyears: 1\nevents: [{date: 2015-Q4, kind: infrastructure, "
                           "name: r, republics: [kazakhstan], partners: [japan, rest_of_world], trade_boost: 100, "
                           "ramp_years: 0.25}]\n")
    m = GreatGameModel(str(path), rng=1).run()
    assert np.isfinite(m.trade).all() and m.trade[m._pi["japan"], m._ri["kazakhstan"]] > 50


# ---------------------------------------------------------------- the cache

def test_loading_by_name_is_cached_and_each_caller_gets_its_own_copy():
    clear_cache()
    a, b = load_scenario("kishida_2024"), load_scenario("kishida_2024")
    assert a.scenario == b.scenario and a.scenario is not b.scenario and a.raw is not b.raw
    a.scenario.powers["japan"].budget.grants = 99.0  # a caller (or a run) changing its copy
    a.scenario.powers.pop("china")
    a.raw["powers"]["japan"] = None
    c = load_spec("kishida_2024")
    assert c == b.scenario and c.powers["japan"].budget.grants != 99.0 and "china" in c.powers


def test_an_edited_file_is_read_again(tmp_path):
    base = write(tmp_path, "name: base\nextends: abe_2015\nyears: 3\n", "base.yaml")
    top = write(tmp_path, "name: top\nextends: base\n", "top.yaml")
    assert load_spec(top).years == 3
    base.write_text("name: base\nextends: abe_2015\nyears: 4\n", encoding="utf-8")  # same path, new content
    assert load_spec(top).years == 4
    (tmp_path / "sources.yaml").write_text("sources: {mine: {title: Mine}}\n", encoding="utf-8")
    base.write_text("name: base\nextends: abe_2015\nyears: {value: 5, source: mine}\n", encoding="utf-8")
    assert load_scenario(top).provenance["years"].source == "mine"
    (tmp_path / "sources.yaml").write_text("sources: {other: {title: Other}}\n", encoding="utf-8")
    assert "unknown source 'mine'" in error_of(top)  # a sources.yaml edit is seen too


def test_a_new_file_beside_the_extending_one_is_seen(tmp_path):
    top = write(tmp_path, "name: top\nextends: abe_2015\n", "top.yaml")
    assert load_spec(top).years == 15
    write(tmp_path, "name: local\nextends: " + str(shipped_dir() / "abe_2015.yaml") + "\nyears: 2\n", "abe_2015.yaml")
    assert load_spec(top).years == 2


def test_overrides_and_years_are_part_of_the_key():
    assert load_spec("abe_2015", years=2).years == 2
    assert load_spec("abe_2015").years == 15
    assert load_spec("abe_2015", overrides={"powers.japan.budget.grants": 0.9}).powers["japan"].budget.grants == 0.9
    assert load_spec("abe_2015", overrides={"powers.japan.budget.grants": 0.8}).powers["japan"].budget.grants == 0.8


# ---------------------------------------------------------------- sweep specs: the same loader

def spec_error(path) -> str:
    from greatgame.analysis.spec import read_spec

    with pytest.raises(ScenarioError) as info:
        read_spec(path)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_sweep_specs_use_the_same_loader(tmp_path):
    from greatgame.analysis.spec import read_spec

    spec = write(tmp_path, """\
        scenario: abe_2015
        years: 1
        parameters:
          powers.japan.budget.grants: &r {range: [0.1, 2.0]}
          powers.japan.budget.loans: {<<: *r, range: [0.2, 1.0]}
          parameters.join_binding_above: {<<: *r, type: int, range: [2, 4]}
        design: grid
        levels: 2
        replicates: 1
        seed: 010
        """, "s.yaml")
    loaded = read_spec(spec)
    p = loaded.spec.parameters
    assert p["powers.japan.budget.grants"].range == (0.1, 2.0) and p["powers.japan.budget.loans"].range == (0.2, 1.0)
    assert p["parameters.join_binding_above"].type == "int"
    assert loaded.spec.seed == 10  # YAML 1.2: 010 is ten, not octal 8
    spec.write_text(spec.read_text(encoding="utf-8").replace("seed: 010", "seed: 1\nseed: 2"), encoding="utf-8")
    assert "not valid YAML (duplicate key 'seed' (first at line 10))" in spec_error(spec)
    spec.write_text("scenario: abe_2015\nseed: !!int twelve\n", encoding="utf-8")
    assert "line 2, column 7: not valid YAML (expected a whole number under !!int, got 'twelve')" in spec_error(spec)


@pytest.mark.parametrize("values, fragment", [
    ("[1, 1.0]", "each value may appear only once (1 and 1.0 are the same number)"),
    ("[0.5, yes]", "expected a number, got 'yes'"),
    ("[0.5, true]", "expected a number, got true"),
])
def test_sweep_values_that_collapse_or_misread_are_refused(tmp_path, values, fragment):
    spec = write(tmp_path, f"scenario: abe_2015\nyears: 1\nparameters:\n  powers.japan.budget.grants: {{values: {values}}}\n"
                           "design: grid\nreplicates: 1\nseed: 1\n", "s.yaml")
    assert fragment in spec_error(spec)


def test_a_spec_finds_its_scenario_beside_it_not_in_the_working_folder(tmp_path, monkeypatch):
    from greatgame.analysis.spec import read_spec

    study, elsewhere = tmp_path / "study", tmp_path / "elsewhere"
    study.mkdir(), elsewhere.mkdir()
    write(study, "name: mine\nextends: abe_2015\nyears: 2\n", "mine.yaml")
    write(elsewhere, "name: stray\nextends: abe_2015\nyears: 3\n", "mine.yaml")
    spec = write(study, "scenario: mine\nparameters:\n  powers.japan.budget.grants: {range: [0.1, 1]}\n"
                        "design: grid\nlevels: 2\nreplicates: 1\nseed: 1\n", "s.yaml")
    monkeypatch.chdir(elsewhere)
    assert read_spec(spec).base.scenario.years == 2


def test_scenario_errors_survive_pickling():
    """Errors raised in worker processes reach the parent whole (exceptions pickle as cls(*args))."""
    import pickle

    from greatgame.sim.errors import NonFiniteOutcome

    e = pickle.loads(pickle.dumps(ScenarioError("powers.japan.gdp", "must be > 0", file="x.yaml")))
    assert type(e) is ScenarioError and str(e) == "x.yaml: powers.japan.gdp: must be > 0"
    n = pickle.loads(pickle.dumps(NonFiniteOutcome("influence", 3, "2016-Q2")))
    assert type(n) is NonFiniteOutcome and n.measure == "influence" and str(n).startswith("influence: ")


@pytest.mark.parametrize("body, fragment", [
    ("1: x", ": a key must be a name, got 1"),
    ("powers: {japan: {budget: {true: 1}}}", "powers.japan.budget: a key must be a name, got true (quote it"),
    ("---\nname: y\n", "expected a single document in the stream, but found another document"),
])
def test_odd_keys_and_documents_are_one_line(tmp_path, body, fragment):
    msg = error_of(write(tmp_path, "name: x\nextends: abe_2015\n" + body + "\n"))
    assert fragment in msg, msg


def test_a_cached_scenario_is_not_parsed_or_validated_again(monkeypatch):
    from greatgame.sim import GreatGameModel
    from greatgame.sim import scenario as scenario_module

    GreatGameModel("us_disengaged", rng=1, years=1)  # fills the cache
    calls = []
    real = yaml_loader.load
    monkeypatch.setattr(yaml_loader, "load", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setattr(scenario_module, "validate_raw", lambda *a, **k: calls.append("validate"))
    for seed in range(3):
        GreatGameModel("us_disengaged", rng=seed, years=1)
    assert calls == []
    scenario_module.clear_cache()
    with pytest.raises(Exception):  # without the cache it parses and validates (here: the stub returns None)
        GreatGameModel("us_disengaged", rng=1, years=1)
    assert calls and calls[-1] == "validate"


def test_the_cache_key_tells_equal_looking_values_apart():
    off = {"initiatives.japan_2015_tour.enabled": False}
    assert load_spec("abe_2015", overrides=off).initiatives["japan_2015_tour"].enabled is False
    with pytest.raises(ScenarioError, match="expected true or false, got 0"):
        load_spec("abe_2015", overrides={"initiatives.japan_2015_tour.enabled": 0})  # 0 == False, yet refused
    assert load_spec("abe_2015", overrides={"parameters.choice_sensitivity": 5}).parameters.choice_sensitivity == 5
    with pytest.raises(ScenarioError, match="expected a number, got '5'"):
        load_spec("abe_2015", overrides={"parameters.choice_sensitivity": "5"})


@pytest.mark.parametrize("line, fragment", [
    ("replicates: true", "replicates: expected a number, got true"),
    ("replicates: '3'", "replicates: expected a number, got '3'"),
    ("seed: yes", "seed: expected a number, got 'yes'"),
    ("common_random_numbers: yes", "common_random_numbers: expected true or false, got 'yes'"),
])
def test_spec_numbers_refuse_flags_and_text(tmp_path, line, fragment):
    spec = write(tmp_path, "scenario: abe_2015\nyears: 1\nparameters:\n  powers.japan.budget.grants: {range: [0.1, 1]}\n"
                           f"design: grid\nlevels: 2\n{line}\n", "s.yaml")
    assert fragment in spec_error(spec)
    spec.write_text("scenario: abe_2015\nparameters:\n  powers.japan.budget.grants: {range: [true, 1]}\n", encoding="utf-8")
    assert "parameters.powers.japan.budget.grants.range[0]: expected a number, got true" in spec_error(spec)
