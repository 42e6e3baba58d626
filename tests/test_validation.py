"""Bad input: each malformed scenario gets one precise message (file, field path, expectation)."""

from __future__ import annotations

import textwrap
from pathlib import Path

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
