"""Output folders that cannot mix results: safe default names, one writer at a time, and no
stale tables left beside a new manifest.

- :func:`safe_name` restricts a name that becomes a folder under ``out/`` (a scenario's or a
  spec's name) to letters, digits, ``_``, ``-`` and ``.``: no separators, no ``..``, nothing
  absolute, so a default output folder never leaves ``out/``.
- :class:`OutputLock` is a lock file (``.greatgame.lock``) per output folder: a second
  process writing into the same folder refuses with one line. The lock is an advisory
  ``flock`` held for the life of the process, so the kernel drops it if the process dies;
  the file records the pid, and a lock left by a dead process is taken over (and said so).
- :func:`existing_kind` tells what an output folder holds (run, sweep, compare, wedge), and
  :func:`clean` removes every file greatgame writes into one (manifest first), so a new
  result never sits beside tables of another kind or format that ``load_results``,
  ``plot`` or ``report`` would read under the new manifest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from pathlib import Path

from .results import TABLES

LOCK_NAME = ".greatgame.lock"
KINDS = ("run", "sweep", "compare", "wedge")
# `greatgame plot` names its files KIND[-...].FORMAT (analysis/plots.py)
FIGURE_KINDS = ("trajectories", "network", "alignment", "wedge", "effects", "heatmap", "sensitivity", "discovery")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class OutputConflict(Exception):
    """The output folder is in use, or holds results that must not be mixed with new ones."""


def safe_name(name: str, what: str) -> str:
    """``name`` if it can name a folder under out/ (letters, digits, _ - .; no '..'), else a
    one-line error that says to give --out."""
    if not _NAME_RE.fullmatch(name or "") or ".." in name:
        raise OutputConflict(f"{what} {name!r} cannot name an output folder under out/ (expected letters, digits, "
                             f"'_', '-' and '.', at most 100, no '..' or '/'); give --out DIR")
    return name


# ---------------------------------------------------------------- what a folder holds


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest as a dict; None when there is none; {} when it is not a JSON object."""
    f = Path(folder) / "manifest.json"
    if not f.exists():
        return None
    try:
        m = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return m if isinstance(m, dict) else {}


def table_files(folder: Path) -> list[Path]:
    folder = Path(folder)
    return [folder / f"{stem}.{ext}" for stem in TABLES for ext in ("parquet", "csv")
            if (folder / f"{stem}.{ext}").exists()]


def existing_kind(folder: Path) -> str | None:
    """'run', 'sweep', 'compare', 'wedge', 'unknown' (a manifest or tables of no clear kind),
    or None when the folder holds nothing greatgame wrote (a manifest, a table or parts/)."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    m = read_manifest(folder)
    if m and m.get("kind") in KINDS:
        return m["kind"]
    has = {p.stem for p in table_files(folder)}
    if has & {"actors", "model"}:
        return "run"
    if "wedge" in has:
        return "wedge"
    if {"runs", "effects"} & has:
        return "compare"
    if "scalars" in has or (folder / "parts").is_dir():
        return "sweep"
    if m is not None and "seeds" in m:  # a run's manifest from before manifests named their kind
        return "run"
    if m is not None or has:
        return "unknown"
    return None


def describe(kind: str | None) -> str:
    return {"run": "a `greatgame run` result", "sweep": "a sweep", "compare": "a `greatgame compare` result",
            "wedge": "a `greatgame wedge` result", "unknown": "greatgame files"}.get(kind or "", "nothing")


def check_kind(folder: Path, kind: str, force: bool) -> str | None:
    """Refuse (unless ``force``) a folder holding another kind of result. Returns what it holds."""
    held = existing_kind(folder)
    if held is not None and held != kind and not force:
        raise OutputConflict(f"{folder}: holds {describe(held)}, not {describe(kind)}; use another --out, or add "
                             f"--force to delete the old results first")
    return held


def clean(folder: Path) -> list[str]:
    """Remove what greatgame wrote into a results folder: the manifest first (so a crash
    half-way leaves no manifest over the wrong tables), the tables, ``parts/`` and
    ``discovery/``, and, in a folder with a greatgame manifest, ``report.html`` (and a
    sweep's ``spec.yaml``) and the figures ``greatgame plot`` drew in ``figures/``. Other files are left alone. Returns the
    names removed."""
    folder = Path(folder)
    kind = existing_kind(folder)
    if kind is None:
        return []
    removed = []
    has_manifest = (folder / "manifest.json").is_file()
    order = [folder / "manifest.json", *table_files(folder)]
    if has_manifest:
        order += [folder / "report.html"] + ([folder / "spec.yaml"] if kind == "sweep" else [])
    for f in order:
        if f.is_file():
            f.unlink()
            removed.append(f.name)
    for d in ("parts", "discovery"):
        p = folder / d
        if p.is_dir():
            shutil.rmtree(p)
            removed.append(d + "/")
    figures = folder / "figures"
    if has_manifest and figures.is_dir():
        drawn = [f for f in figures.iterdir() if f.is_file() and f.suffix in (".png", ".svg", ".pdf")
                 and f.stem.split("-")[0].split("_")[0] in FIGURE_KINDS]
        for f in drawn:
            f.unlink()
        if drawn:
            removed.append("figures/")
        try:
            figures.rmdir()
        except OSError:
            pass  # it holds files of the user's
    return removed


# ---------------------------------------------------------------- the lock


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class OutputLock:
    """One writer per output folder (see the module docstring). Use as a context manager."""

    use_flock = True  # False: the pid recorded in the file alone decides (systems without flock)

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.fd: int | None = None
        self.took_over: int | None = None  # pid of a dead process whose lock was taken over

    def _holder(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _busy(self, holder: dict) -> OutputConflict:
        pid = holder.get("pid")
        who = f"process {pid}" + (f" on {holder['host']}" if holder.get("host") else "") if pid else "another process"
        cmd = f" ({holder['command']})" if holder.get("command") else ""
        return OutputConflict(f"{self.folder}: another greatgame {who}{cmd} is writing into this folder; wait for it "
                              f"to finish or use another --out")

    def acquire(self) -> "OutputLock":
        if self.folder.exists() and not self.folder.is_dir():
            raise OSError(f"--out {self.folder}: exists and is not a directory")
        self.folder.mkdir(parents=True, exist_ok=True)
        fcntl = None
        if self.use_flock:
            try:
                import fcntl
            except ImportError:  # no flock (Windows): the pid in the file decides
                fcntl = None
        for _ in range(5):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    raise self._busy(self._holder()) from None
                try:  # the file may have been removed (and re-created) while we waited for it
                    same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
                except FileNotFoundError:
                    same = False
                if not same:
                    os.close(fd)
                    continue
            holder = self._holder()
            pid = holder.get("pid")
            if isinstance(pid, int) and pid != os.getpid():
                same_host = holder.get("host") in (None, socket.gethostname())
                if fcntl is None and same_host and _pid_alive(pid):
                    os.close(fd)
                    raise self._busy(holder)
                if fcntl is None and not same_host:
                    os.close(fd)
                    raise self._busy(holder)
                self.took_over = pid  # flock is ours, so its holder is gone
            import sys

            info = {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv[:3])}
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(info).encode())
            self.fd = fd
            return self
        raise OutputConflict(f"{self.folder}: cannot take the lock {LOCK_NAME} (it keeps changing); is another "
                             f"greatgame writing here?")

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> "OutputLock":
        return self.acquire() if self.fd is None else self

    def __exit__(self, *exc) -> None:
        self.release()
