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


def _fsync(path: str | Path, directory: bool = False) -> None:
    """Flush a file (or a folder's entries) to disk; a no-op where the system cannot."""
    try:
        fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write(path: Path, write) -> None:
    """Write under a temporary name, flush it to disk, then rename: a crash (or a full disk,
    or a power cut) leaves either the old file or the complete new one, never a truncated one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        write(tmp)
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync(path.parent, directory=True)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_table(df: pd.DataFrame, path: Path, fmt: str) -> Path:
    path = path.with_suffix(f".{fmt}")
    if fmt == "parquet":
        _atomic_write(path, lambda p: _write_parquet(df, p, path.stem.split("-")[0]))
    elif fmt == "csv":
        _atomic_write(path, lambda p: df.to_csv(p, index=False))
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    return path


def _write_parquet(df: pd.DataFrame, p: str, stem: str) -> None:
    """Parquet with each column's unit and meaning in the schema (see analysis/columns.py)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .columns import arrow_schema_metadata

    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(arrow_schema_metadata(table, stem), p)


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


def file_sha256(path: str | Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def scenario_file_hashes(files: list[str]) -> list[dict]:
    """sha256 of every file of a scenario's extends chain (base first), as read now."""
    out = []
    for f in files:
        try:
            digest = file_sha256(f)
        except OSError:
            digest = "unreadable"
        out.append({"file": str(f), "sha256": digest})
    return out


def code_sha256() -> str:
    """sha256 of the model's source (greatgame.sim): an edited model in an editable install
    changes results without changing the version number."""
    import hashlib

    from greatgame import sim

    h = hashlib.sha256()
    for f in sorted(Path(sim.__file__).parent.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def manifest(loaded, seeds: list[int], master_seed: int, files: dict[str, str], extra: dict | None = None) -> dict:
    sc = loaded.scenario
    return {
        "kind": "run",
        "scenario": sc.name,
        "title": sc.title,
        "scenario_files": loaded.files,
        "scenario_sha256": loaded.content_hash,
        "scenario_file_sha256": scenario_file_hashes(loaded.files),
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
