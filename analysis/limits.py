"""Limits on the sizes a command may ask for, checked before anything runs.

Each limit keeps a run within what one machine can hold (memory) and finish; beyond it
the command stops at once with a one-line error instead of a MemoryError minutes later.
They are documented in README ("Limits"); split a bigger study into several sweeps.
"""

from __future__ import annotations

import math
import os

MAX_YEARS = 100                 # horizon (--years, a spec's years): 400 quarterly steps
MAX_RUN_REPLICATES = 1_000      # greatgame run: every step of every actor is kept (about 0.45 MB a run)
MAX_PAIRS = 10_000              # compare / wedge: runs per arm (trajectories about 0.15 MB a pair)
MAX_RESAMPLES = 100_000         # bootstrap resamples
MAX_RESAMPLE_DRAWS = 50_000_000  # resamples x pairs: the bootstrap's index matrix (8 bytes each)
MAX_POINTS = 1_000_000          # design points of a sweep (computed without building the design)
MAX_RUNS = 1_000_000            # points x replicates of a sweep


class LimitError(ValueError):
    """A requested size beyond a documented limit."""


def _n(x: float) -> str:
    return f"{x:,.0f}" if x < 1e15 else f"{x:.3g}"


def check_years(years: float | None, flag: str = "--years") -> None:
    if years is None:
        return
    if not (math.isfinite(years) and years >= 0.25):
        raise LimitError(f"{flag}: must be a finite number ≥ 0.25 (one quarter), got {years:g}")
    if years > MAX_YEARS:
        raise LimitError(f"{flag}: at most {MAX_YEARS} years (the horizon limit), got {years:g}")


def check_count(value: int, limit: int, flag: str, hint: str = "") -> None:
    if value < 1:
        raise LimitError(f"{flag}: must be ≥ 1, got {value}")
    if value > limit:
        raise LimitError(f"{flag}: at most {_n(limit)}, got {_n(value)}" + (f" ({hint})" if hint else ""))


def check_resamples(resamples: int, pairs: int, flag: str = "--resamples") -> None:
    check_count(resamples, MAX_RESAMPLES, flag)
    if resamples * pairs > MAX_RESAMPLE_DRAWS:
        raise LimitError(f"{flag}: {_n(resamples)} resamples of {_n(pairs)} pairs draw {_n(resamples * pairs)} "
                         f"indices, more than the limit of {_n(MAX_RESAMPLE_DRAWS)}; use fewer resamples")


def cpu_count() -> int:
    """CPUs this process may use (its affinity mask where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def cap_workers(workers: int | None) -> tuple[int | None, str | None]:
    """(workers capped at the CPU count, a notice when capped)."""
    n = cpu_count()
    if workers is not None and workers > n:
        return n, f"{workers} workers asked for, but this machine has {n} CPU{'s' if n > 1 else ''}: using {n}"
    return workers, None
