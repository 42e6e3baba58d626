"""Writing results so that nothing is ever half-written: temporary name, then rename."""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd

FORMATS = ("parquet", "csv")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("greatgame", "mesa", "numpy", "pandas", "networkx", "pydantic", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_table(df: pd.DataFrame, path: Path, fmt: str) -> Path:
    path = path.with_suffix(f".{fmt}")
    if fmt == "parquet":
        _atomic_write(path, lambda p: df.to_parquet(p, index=False))
    elif fmt == "csv":
        _atomic_write(path, lambda p: df.to_csv(p, index=False))
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    return path


def write_text(text: str, path: Path) -> Path:
    def w(p):
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)

    _atomic_write(path, w)
    return path


def write_json(obj: dict, path: Path) -> Path:
    def w(p):
        with open(p, "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=2, default=str)
            f.write("\n")

    _atomic_write(path, w)
    return path


def prepare_dir(out: Path) -> Path:
    """Create the output folder (and parents); refuse a path that is a file."""
    if out.exists() and not out.is_dir():
        raise OSError(f"--out {out}: exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    return out


def manifest(loaded, seeds: list[int], master_seed: int, files: dict[str, str], extra: dict | None = None) -> dict:
    sc = loaded.scenario
    return {
        "scenario": sc.name,
        "title": sc.title,
        "scenario_files": loaded.files,
        "scenario_sha256": loaded.content_hash,
        "start": str(sc.start),
        "years": sc.years,
        "steps": sc.steps,
        "master_seed": master_seed,
        "seeds": seeds,
        "replicates": len(seeds),
        "initiatives": {k: v.enabled for k, v in sc.initiatives.items()},
        "versions": versions(),
        "command": sys.argv,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files": files,
        **(extra or {}),
    }
