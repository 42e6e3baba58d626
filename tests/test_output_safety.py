"""Results that cannot mix or lose data: resume checks every input, one writer per folder,
no stale tables of another kind or format, safe folder names, unreadable parts re-run;
limits checked before anything runs; sweeps that fail, are interrupted or lose their main
process; packaging (version, shipped specs by name, the wheel); units in the tables."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import greatgame.analysis as analysis
from greatgame.analysis import limits, outdir, output
from greatgame.analysis import sweep as sweep_mod
from greatgame.analysis.results import ResultsError
from greatgame.analysis.spec import read_spec
from greatgame.analysis.sweep import SpecMismatch, input_changes, run_sweep, sweep_inputs
from greatgame.cli import main
from greatgame.sim.scenario import shipped_dir

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

SPEC = """\
name: tiny
scenario: {scenario}
years: 1
parameters:
  parameters.choice_sensitivity: {{range: [2, 8]}}
design: lhs
samples: 6
replicates: 2
seed: 5
outcomes:
  scalars: [wedge_achieved, incumbent_share_mean]
  trajectories: {{every: 2, columns: [incumbent_share_mean]}}
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def one_error(capsys) -> str:
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip() and not ln.startswith("note:")]
    assert len(err) == 1, err
    assert err[0].startswith("greatgame: error: "), err
    return err[0]


@pytest.fixture
def chain(tmp_path):
    """A user scenario chain: child.yaml extends mybase.yaml (a copy of abe_2015), and a spec on child."""
    base = tmp_path / "mybase.yaml"
    shutil.copy(shipped_dir() / "abe_2015.yaml", base)
    child = write(tmp_path / "child.yaml", """\
        extends: mybase
        name: child
        parameters: {autonomy_cost: {value: 1.5, assumption: "a test variant"}}
        """)
    spec = write(tmp_path / "spec.yaml", SPEC.format(scenario="child.yaml"))
    return base, child, spec


def killed_sweep(spec_path: Path, out: Path, monkeypatch, after: int = 2) -> None:
    """Run a sweep on one process and kill it while the (after+1)-th batch is stored."""
    real = sweep_mod.SweepStore.write_part
    calls = {"n": 0}

    def dying(self, index, scalars, trajectories):
        calls["n"] += 1
        if calls["n"] > after:
            raise KeyboardInterrupt
        real(self, index, scalars, trajectories)

    monkeypatch.setattr(sweep_mod, "batch_size", lambda n, w: 2)
    monkeypatch.setattr(sweep_mod.SweepStore, "write_part", dying)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(read_spec(spec_path), out)
    monkeypatch.setattr(sweep_mod.SweepStore, "write_part", real)


# ---------------------------------------------------------------- resume: every input hashed


@pytest.mark.parametrize("edit", ["base", "child"])
def test_resume_after_a_scenario_file_of_the_chain_changed_is_refused(chain, tmp_path, monkeypatch, edit):
    base, child, spec = chain
    out = tmp_path / "out"
    killed_sweep(spec, out, monkeypatch)
    target, before, after = (base, "value: 4395", "value: 4400") if edit == "base" else (child, "1.5", "1.7")
    text = target.read_text(encoding="utf-8")
    assert before in text
    target.write_text(text.replace(before, after, 1), encoding="utf-8")
    with pytest.raises(SpecMismatch, match=rf"cannot resume: scenario file {target.name} changed"):
        run_sweep(read_spec(spec), out, resume=True)
    # Unchanged parts are still there: nothing was mixed or deleted.
    assert len(list((out / "parts").glob("scalars-*.parquet"))) == 2


def test_resume_with_the_same_inputs_completes_and_records_them(chain, tmp_path, monkeypatch):
    _, _, spec = chain
    out = tmp_path / "out"
    killed_sweep(spec, out, monkeypatch)
    r = run_sweep(read_spec(spec), out, resume=True)
    assert r.skipped == 4 and r.ran == 8 and r.failed == 0
    inputs = json.loads((out / "manifest.json").read_text())["inputs"]
    assert [Path(f["file"]).name for f in inputs["scenario_files"]] == ["mybase.yaml", "child.yaml"]
    assert inputs["scenario_files"][0]["sha256"] == output.file_sha256(chain[0])
    assert inputs["greatgame"] and len(inputs["model_code_sha256"]) == 64


def test_input_changes_name_the_version_and_the_model_code(chain):
    now = sweep_inputs(read_spec(chain[2]))
    assert input_changes(dict(now), now) == []
    changes = input_changes({**now, "greatgame": "0.0.1", "model_code_sha256": "0" * 64}, now)
    assert changes == [f"greatgame 0.0.1 -> {now['greatgame']}", "the model's code (greatgame.sim) changed"]
    assert "older greatgame" in input_changes(None, now)[0]


def test_resume_refuses_a_design_that_differs_from_the_stored_one(chain, tmp_path, monkeypatch):
    _, _, spec = chain
    out = tmp_path / "out"
    killed_sweep(spec, out, monkeypatch)
    d = pd.read_parquet(out / "design.parquet")
    d["parameters.choice_sensitivity"] += 0.5
    d.to_parquet(out / "design.parquet", index=False)
    with pytest.raises(SpecMismatch, match="differs from the stored design.parquet"):
        run_sweep(read_spec(spec), out, resume=True)


def test_force_starts_over_and_resume_with_force_is_refused(chain, tmp_path, monkeypatch, capsys):
    _, _, spec = chain
    out = tmp_path / "out"
    killed_sweep(spec, out, monkeypatch)
    assert main(["sweep", str(spec), "--out", str(out), "--resume", "--force", "--quiet"]) == 2
    one_error(capsys)
    assert main(["sweep", str(spec), "--out", str(out), "--force", "--quiet"]) == 0
    assert "deleted the old results" in capsys.readouterr().err
    m = json.loads((out / "manifest.json").read_text())
    assert m["last_session"]["ran"] == 12 and m["last_session"]["skipped"] == 0


# ---------------------------------------------------------------- one writer per folder


HOLD_LOCK = """\
import sys, time
from greatgame.analysis.outdir import OutputLock
lock = OutputLock(sys.argv[1]).acquire()
print("locked", flush=True)
time.sleep(120)
"""


def test_a_second_writer_is_refused_and_a_dead_writers_lock_is_taken_over(tmp_path, capsys):
    out = tmp_path / "out"
    holder = subprocess.Popen([PY, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert main(["run", "abe_2015", "--years", "1", "--out", str(out), "--quiet"]) == 1
        err = one_error(capsys)
        assert f"process {holder.pid}" in err and "is writing into this folder" in err
        assert not (out / "manifest.json").exists()
    finally:
        holder.kill()
        holder.wait()
    lock_file = out / outdir.LOCK_NAME
    assert json.loads(lock_file.read_text())["pid"] == holder.pid  # left behind by the killed process
    assert main(["run", "abe_2015", "--years", "1", "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert f"took over the lock left by process {holder.pid}" in captured.err
    assert (out / "manifest.json").exists() and not lock_file.exists()


def test_the_lock_is_one_writer_at_a_time_within_a_process_too(tmp_path):
    with outdir.OutputLock(tmp_path / "x"):
        with pytest.raises(outdir.OutputConflict, match="is writing into this folder"):
            run_sweep(read_spec(write(tmp_path / "s.yaml", SPEC.format(scenario="abe_2015"))), tmp_path / "x")


# ---------------------------------------------------------------- no stale tables


def test_a_sweep_into_a_run_folder_is_refused_and_force_cleans_it(tmp_path, capsys):
    out = tmp_path / "out"
    spec = write(tmp_path / "s.yaml", SPEC.format(scenario="abe_2015"))
    assert main(["run", "abe_2015", "--years", "1", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 1
    assert "holds a `greatgame run` result, not a sweep" in one_error(capsys)
    assert (out / "actors.parquet").exists()
    assert main(["sweep", str(spec), "--out", str(out), "--quiet", "--force"]) == 0
    r = analysis.load_results(out)
    assert set(r.tables) == {"scalars", "trajectories", "design"}
    assert not (out / "actors.parquet").exists() and not (out / "events.csv").exists()
    # ... and the other way round
    capsys.readouterr()
    assert main(["run", "abe_2015", "--years", "1", "--out", str(out), "--quiet"]) == 1
    assert "holds a sweep, not a `greatgame run` result" in one_error(capsys)


def test_a_run_in_another_format_leaves_no_table_of_the_old_one(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "abe_2015", "--years", "1", "--out", str(out), "--quiet"]) == 0
    (out / "figures").mkdir()
    (out / "figures" / "wedge.png").write_bytes(b"old figure")
    (out / "notes.txt").write_text("mine")
    assert main(["run", "abe_2015", "--years", "1", "--out", str(out), "--format", "csv", "--quiet",
                 "--seed", "9"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["actors.csv", "events.csv", "manifest.json", "model.csv",
                                                      "notes.txt"]
    r = analysis.load_results(out)
    assert set(r.model["seed"]) == {9}


def test_a_compare_without_trajectories_leaves_none_of_the_old_ones(tmp_path):
    out = tmp_path / "c"
    argv = ["compare", "abe_2015", "--without", "japan_2015_tour", "--replicates", "2", "--years", "1",
            "--out", str(out), "--quiet", "--resamples", "50"]
    assert main(argv) == 0 and (out / "trajectories.parquet").exists()
    assert main(argv + ["--every", "0"]) == 0
    assert not (out / "trajectories.parquet").exists()
    assert analysis.load_results(out).trajectories is None


# ---------------------------------------------------------------- safe names


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/absolute", "a/b", ".."])
def test_a_scenario_name_cannot_move_the_default_folder_out_of_out(tmp_path, monkeypatch, capsys, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep").mkdir()
    sc = write(tmp_path / "deep" / "x.yaml", f"extends: abe_2015\nname: {json.dumps(name)}\n")
    assert main(["run", str(sc), "--years", "1", "--quiet"]) == 1
    assert "cannot name an output folder under out/" in one_error(capsys)
    assert not (tmp_path / "out").exists() and not Path("/tmp/absolute").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep"]


def test_a_spec_name_cannot_move_the_default_folder_out_of_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    spec = write(tmp_path / "s.yaml", "name: ../../up\n" + SPEC.format(scenario="abe_2015").split("\n", 1)[1])
    assert main(["sweep", str(spec), "--quiet"]) == 1
    assert "sweep name '../../up' cannot name an output folder" in one_error(capsys)


# ---------------------------------------------------------------- unreadable parts and manifests


def test_unreadable_parts_are_run_again_with_a_notice(tmp_path, monkeypatch):
    spec = write(tmp_path / "s.yaml", SPEC.format(scenario="abe_2015"))
    whole = run_sweep(read_spec(spec), tmp_path / "whole")
    out = tmp_path / "out"
    killed_sweep(spec, out, monkeypatch, after=3)
    parts = sorted((out / "parts").glob("scalars-*.parquet"))
    assert len(parts) == 3
    parts[0].write_bytes(b"")                                   # 0 bytes
    parts[1].write_bytes(parts[1].read_bytes()[:40])            # truncated
    traj = parts[2].with_name(parts[2].name.replace("scalars-", "trajectories-"))
    traj.write_bytes(traj.read_bytes()[:-30])                   # a truncated trajectories part
    notices = []
    r = run_sweep(read_spec(spec), out, resume=True, notify=notices.append)
    assert len(notices) == 3 and all("unreadable" in n and "run again" in n for n in notices)
    assert r.skipped == 0 and r.ran == 12
    pd.testing.assert_frame_equal(r.scalars, whole.scalars)
    pd.testing.assert_frame_equal(r.trajectories, whole.trajectories)


def test_parts_are_flushed_to_disk_before_the_rename(tmp_path, monkeypatch):
    events = []
    monkeypatch.setattr(output, "_fsync", lambda p, directory=False: events.append(("fsync", Path(p).name, directory)))
    real_replace = os.replace
    monkeypatch.setattr(output.os, "replace", lambda a, b: (events.append(("rename", Path(a).name)),
                                                            real_replace(a, b)))
    store = sweep_mod.SweepStore(tmp_path)
    store.write_part(0, pd.DataFrame({"run": [0], "status": ["ok"]}), None)
    assert [e[0] for e in events] == ["fsync", "rename", "fsync"]
    assert events[0][1] == events[1][1] and events[0][1].endswith(".tmp")   # the file itself, before
    assert events[2][2] is True                                            # then its folder


@pytest.fixture
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("fin") / "sweep"
    spec = write(out.parent / "s.yaml", SPEC.format(scenario="abe_2015").replace("design: lhs", "design: sobol")
                 .replace("samples: 6", "samples: 2"))
    run_sweep(read_spec(spec), out)
    return out, spec


def test_an_unreadable_results_table_gets_one_line_everywhere(finished, capsys):
    out, spec = finished
    data = (out / "scalars.parquet").read_bytes()
    (out / "scalars.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(ResultsError, match=r"scalars.parquet: unreadable"):
        analysis.load_results(out)
    for argv in (["discover", str(out)], ["sensitivity", str(spec), "--results", str(out)]):
        assert main(argv) == 1
        assert "scalars.parquet: unreadable" in one_error(capsys)


def test_a_manifest_that_is_not_an_object_gets_one_line(finished, capsys):
    out, spec = finished
    (out / "manifest.json").write_text("[1, 2, 3]")
    with pytest.raises(ResultsError, match="expected a JSON object"):
        analysis.load_results(out)
    for argv in (["plot", str(out)], ["report", str(out)], ["discover", str(out)]):
        assert main(argv) == 1
        assert "manifest.json" in one_error(capsys)


# ---------------------------------------------------------------- limits, before anything runs


@pytest.mark.parametrize("argv, expected", [
    (["run", "abe_2015", "--years", "1e9"], "--years: at most 100 years"),
    (["run", "abe_2015", "--replicates", "1000000000"], "--replicates: at most 1,000"),
    (["wedge", "abe_2015", "--replicates", "1000000000"], "--replicates: at most 10,000"),
    (["compare", "abe_2015", "--without", "japan_2015_tour", "--resamples", "1000000000"],
     "--resamples: at most 100,000"),
    (["compare", "abe_2015", "--without", "japan_2015_tour", "--replicates", "10000", "--resamples", "90000"],
     "--resamples: 90,000 resamples of 10,000 pairs"),
])
def test_sizes_beyond_the_limits_are_refused_before_running(tmp_path, capsys, argv, expected):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out), "--quiet"]) == 2
    assert expected in one_error(capsys)
    assert not out.exists()


@pytest.mark.parametrize("body, expected", [
    ("parameters:\n" + "".join(f"  parameters.{p}: {{range: [1, 2]}}\n" for p in
                               ("choice_sensitivity", "autonomy_cost", "alignment_noise", "inertia"))
     + "design: grid\nlevels: 57\n", "levels: a grid of 10,556,001 points is more than the limit"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [2, 8]}\ndesign: lhs\nsamples: 1000000000\n",
     "samples: 1,000,000,000 LHS samples is more than the limit"),
    ("parameters:\n  parameters.choice_sensitivity: {range: [2, 8]}\ndesign: lhs\nsamples: 1000\nreplicates: 5000\n",
     "replicates: 1,000 points x 5,000 replicates = 5,000,000 runs"),
    ("parameters:\n  parameters.choice_sensitivity: {values: [1, 1.0, true]}\n",
     "each value may appear only once (1 and 1.0 are the same number)"),
    ("years: 1000\nparameters:\n  parameters.choice_sensitivity: {range: [2, 8]}\n", "years: must be ≤ 100"),
])
def test_spec_sizes_and_duplicate_values_are_refused_even_in_a_dry_run(tmp_path, capsys, body, expected):
    spec = write(tmp_path / "s.yaml", "scenario: abe_2015\n" + body)
    assert main(["sweep", str(spec), "--dry-run"]) == 1
    assert expected in one_error(capsys)


def test_workers_are_capped_at_the_cpu_count_with_a_notice(tmp_path, capsys):
    n = limits.cpu_count()
    assert limits.cap_workers(n) == (n, None)
    capped, notice = limits.cap_workers(n + 62)
    assert capped == n and f"{n + 62} workers asked for" in notice
    spec = write(tmp_path / "s.yaml", SPEC.format(scenario="abe_2015"))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", str(n + 62), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert f"note: --workers: {n + 62} workers asked for" in captured.err
    assert f"process pool of {n}" in captured.out or (n == 1 and "1 process" in captured.out)


# ---------------------------------------------------------------- failing, interrupted and killed sweeps


def test_a_sweep_whose_runs_all_fail_exits_non_zero(tmp_path, monkeypatch, capsys):
    class Broken:
        def __init__(self, *a, **k):
            raise FloatingPointError("no good")

    spec = write(tmp_path / "s.yaml", SPEC.format(scenario="abe_2015"))
    monkeypatch.setattr(sweep_mod, "GreatGameModel", Broken)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "12 of 12 runs FAILED" in captured.out
    assert "every one of the 12 runs failed" in one_error_text(captured.err)


def test_a_sweep_with_some_failed_runs_says_how_many_and_exits_zero(tmp_path, monkeypatch, capsys):
    real = sweep_mod.GreatGameModel

    class Fragile(real):
        def __init__(self, scenario, rng=None, **kw):
            if scenario.parameters.choice_sensitivity > 5:
                raise FloatingPointError("overflow")
            super().__init__(scenario, rng=rng, **kw)

    spec = write(tmp_path / "s.yaml", SPEC.format(scenario="abe_2015"))
    monkeypatch.setattr(sweep_mod, "GreatGameModel", Fragile)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    out = capsys.readouterr().out
    failed = int((analysis.load_results(tmp_path / "o").scalars["status"] == "error").sum())
    assert 0 < failed < 12 and f"{failed} of 12 runs FAILED" in out


def one_error_text(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    return lines[0]


# Long enough to be still running when the signal comes, however idle the machine (the tests
# stop it after its first part).
LONG_SPEC = """\
scenario: abe_2015
years: 10
parameters:
  parameters.choice_sensitivity: {range: [2, 8]}
design: lhs
samples: 6000
seed: 3
outcomes: {scalars: [wedge_achieved]}
"""


def _descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out += kids.get(p, [])
        todo += kids.get(p, [])
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _interruptible() -> None:
    """In the child, before exec: Ctrl-C as a terminal delivers it. A test run started in the
    background of a non-interactive shell inherits SIGINT ignored, and Python then installs no
    KeyboardInterrupt handler, so the sweep would (rightly) run on through the signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_pool_sweep(tmp_path: Path) -> tuple[subprocess.Popen, Path, list[int]]:
    spec = write(tmp_path / "long.yaml", LONG_SPEC)
    out = tmp_path / "o"
    p = subprocess.Popen([str(Path(PY).parent / "greatgame"), "sweep", str(spec), "--out", str(out), "--workers",
                          "2", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         start_new_session=True, cwd=tmp_path, preexec_fn=_interruptible)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.2)
        if any((out / "parts").glob("scalars-*.parquet")) and len(_descendants(p.pid)) >= 3:
            return p, out, _descendants(p.pid)
    p.kill()
    pytest.fail(f"the sweep did not start its pool: {p.communicate()[1]}")


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists() or sys.platform != "linux",
                                reason="reads the process tree from /proc")


@needs_proc
def test_killing_the_main_sweep_process_leaves_no_worker_behind(tmp_path):
    p, out, kids = _start_pool_sweep(tmp_path)
    try:
        p.kill()  # SIGKILL: no cleanup in the main process at all
        p.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(k) for k in kids):
            time.sleep(0.2)
        assert not [k for k in kids if _alive(k)]
    finally:
        for k in kids:
            if _alive(k):
                os.kill(k, signal.SIGKILL)


@needs_proc
@pytest.mark.parametrize("how", ["ctrl-c", "killed worker"])
def test_an_interrupted_sweep_prints_the_resume_hint_and_no_worker_traceback(tmp_path, how):
    p, out, kids = _start_pool_sweep(tmp_path)
    if how == "ctrl-c":
        os.killpg(p.pid, signal.SIGINT)  # what the terminal does: the whole process group
    else:
        workers = [k for k in kids if "forkserver" in Path(f"/proc/{k}/cmdline").read_text() and
                   _descendants(k) == []]
        os.kill(workers[-1], signal.SIGKILL)
    _, err = p.communicate(timeout=120)
    assert p.returncode == (130 if how == "ctrl-c" else 1)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert "Traceback" not in err and len(lines) == 1, lines
    assert f"--out {out} --resume" in lines[0] and "runs are stored in" in lines[0]


# ---------------------------------------------------------------- mathtext in names


def test_dollar_signs_in_actor_names_do_not_break_the_figures(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", "abe_2015", "--years", "1", "--out", str(out), "--quiet",
                 "--set", r"powers.japan.name=Japan $\notacommand{$ 5"]) == 0
    assert main(["plot", str(out), "--dpi", "40"]) == 0
    assert main(["report", str(out), "--dpi", "40"]) == 0
    assert "\\notacommand" in (out / "report.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- packaging


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    from importlib import metadata

    assert capsys.readouterr().out.strip() == f"greatgame {metadata.version('greatgame')}"


def test_shipped_specs_are_found_by_name_from_any_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "japan_money.yaml", "not: a spec")  # a file of the current folder never shadows a name
    assert main(["sweep", "japan_money", "--dry-run"]) == 0
    assert "would write to out/sweep-japan_money/" in capsys.readouterr().out
    assert main(["sweep", "japan_mony", "--dry-run"]) == 1
    err = one_error(capsys)
    assert "did you mean 'japan_money'" in err and "shipped: japan_money, morris_screen" in err


def test_every_table_has_an_integer_step_and_units_in_its_schema(tmp_path):
    assert main(["run", "abe_2015", "--years", "1", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    assert main(["compare", "abe_2015", "--without", "japan_2015_tour", "--replicates", "2", "--years", "1",
                 "--out", str(tmp_path / "c"), "--quiet", "--resamples", "50"]) == 0
    files = sorted(tmp_path.glob("*/*.parquet"))
    assert {f.name for f in files} >= {"actors.parquet", "model.parquet", "runs.parquet", "effects.parquet",
                                       "trajectories.parquet"}
    for f in files:
        schema = pq.read_schema(f)
        listing = json.loads(schema.metadata[b"greatgame"])
        assert listing["table"] == f.stem
        for name in schema.names:
            meta = schema.field(name).metadata or {}
            assert meta.get(b"unit") and meta.get(b"description"), (f.name, name)
            assert listing["columns"][name]["unit"] == meta[b"unit"].decode()
        if "step" in schema.names:
            assert str(schema.field("step").type) == "int64", f.name
    assert pq.read_schema(tmp_path / "r" / "actors.parquet").field("gdp").metadata[b"unit"] == b"US$ bn"
    assert (tmp_path / "r" / "events.csv").exists()
    assert pd.read_csv(tmp_path / "r" / "events.csv")["step"].dtype == "int64"


def test_docs_list_every_column_family_with_its_unit():
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    for name in ("step", "alignment_P", "C_score_P", "received_P", "incumbent_share_mean", "REPUBLIC:FIGURE",
                 "US$ bn a quarter"):
        assert name in text, name


def test_the_wheel_holds_one_package_with_scenarios_sweeps_and_license(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    for name in ("greatgame", "sim", "analysis", "scenarios", "sweeps", "data"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run([PY, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(src)],
                           capture_output=True, text=True)
    if built.returncode != 0 and ("Could not find a version" in built.stderr or "No matching distribution"
                                  in built.stderr or "NewConnectionError" in built.stderr):
        pytest.skip("cannot fetch the build backend (setuptools) here: " + built.stderr.strip().splitlines()[-1])
    assert built.returncode == 0, built.stderr
    import zipfile

    wheel = next((tmp_path / "dist").glob("greatgame-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"greatgame"}
    for sub in ("sim", "analysis", "scenarios", "sweeps"):
        assert f"greatgame/{sub}/__init__.py" in names
    assert {f"greatgame/scenarios/{p.name}" for p in (ROOT / "scenarios").glob("*.yaml")} <= set(names)
    assert {f"greatgame/sweeps/{p.name}" for p in (ROOT / "sweeps").glob("*.yaml")} <= set(names)
    assert "greatgame/data/observed.csv" in names  # the observed data (analysis/observed.py shipped_path)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)

    # Installed on its own (dependencies from this environment), it works from any folder.
    venv = tmp_path / "venv"
    subprocess.run([PY, "-m", "venv", "--without-pip", str(venv)], check=True)
    vpy = venv / "bin" / "python"
    site = subprocess.run([str(vpy), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)  # what `pip install --no-deps` does for a pure-Python wheel, bar the script
    import sysconfig

    (Path(site) / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run = lambda *a: subprocess.run([str(vpy), "-c", "import sys; from greatgame.cli import main; "  # noqa: E731
                                     "sys.exit(main(sys.argv[1:]))", *a], capture_output=True, text=True,
                                    cwd=tmp_path)
    v = run("--version")
    assert v.returncode == 0 and v.stdout.startswith("greatgame "), v.stderr
    dry = run("sweep", "tour_grid", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would write to out/sweep-tour_grid/" in dry.stdout
    where = run("scenarios")
    assert str(Path(site) / "greatgame" / "scenarios") in where.stdout


def test_files_of_the_users_in_the_folder_are_never_deleted(tmp_path, capsys):
    out = tmp_path / "mine"
    (out / "figures").mkdir(parents=True)
    (out / "spec.yaml").write_text("my notes")
    (out / "figures" / "photo.png").write_bytes(b"mine")
    assert main(["run", "abe_2015", "--years", "1", "--out", str(out), "--quiet"]) == 0
    assert main(["plot", str(out), "--kind", "wedge", "--dpi", "20"]) == 0
    assert (out / "figures" / "wedge.png").exists()
    assert main(["run", "abe_2015", "--years", "1", "--out", str(out), "--quiet", "--format", "csv"]) == 0
    assert (out / "figures" / "photo.png").read_bytes() == b"mine"
    assert (out / "spec.yaml").read_text() == "my notes"
    assert not (out / "figures" / "wedge.png").exists()  # drawn from the old results
    assert {"actors.csv", "model.csv", "events.csv", "manifest.json"} <= {p.name for p in out.iterdir()}
    assert not (out / "actors.parquet").exists()


def test_without_flock_the_pid_in_the_lock_file_decides(tmp_path, monkeypatch):
    monkeypatch.setattr(outdir.OutputLock, "use_flock", False)
    folder = tmp_path / "o"
    folder.mkdir()
    sleeper = subprocess.Popen([PY, "-c", "import time; time.sleep(60)"])
    try:
        import socket

        (folder / outdir.LOCK_NAME).write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname()}))
        with pytest.raises(outdir.OutputConflict, match=f"process {sleeper.pid}"):
            outdir.OutputLock(folder).acquire()
    finally:
        sleeper.kill()
        sleeper.wait()
    lock = outdir.OutputLock(folder).acquire()  # its process is gone: taken over
    assert lock.took_over == sleeper.pid
    assert json.loads((folder / outdir.LOCK_NAME).read_text())["pid"] == os.getpid()
    lock.release()
    assert not (folder / outdir.LOCK_NAME).exists()
