"""Shared by the benchmark scripts: realistic payloads, a plain-text table, a compact profile.

Not a benchmark itself. The scripts run as ``python benchmarks/<name>.py``, so this module is
importable as ``common`` from them (their folder is first on ``sys.path``).
"""

from __future__ import annotations

import cProfile
import hashlib
import importlib.util
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

PORTFOLIOS = (
    "Climate, Energy and Participatory Democracy",
    "Mobility, Public Works and Road Safety",
    "Housing, Urban Renewal and Heritage",
    "Economy, Employment and Vocational Training",
)


def digest(n: int) -> str:
    """A SHA-256 hex digest standing for a referenced document."""
    return hashlib.sha256(n.to_bytes(8, "big")).hexdigest()


def response_payload(n: int) -> dict[str, Any]:
    """A government response to one recommendation: about 300 bytes of JSON."""
    return {
        "recommendation": f"P{n // 3000 + 1}-R{n % 60 + 1:03d}",
        "position": "accepted_in_part",
        "portfolio": PORTFOLIOS[n % len(PORTFOLIOS)],
        "justification": f"Phase one is funded in the 2026 budget; the rest is reviewed at "
        f"the 12-month appointment ({n}).",
        "document_sha256": digest(n),
    }


def recommendation_payload(n: int) -> dict[str, Any]:
    """A recommendation adopted by a panel, in French and Dutch: about 300 bytes of JSON."""
    return {
        "panel": n // 3000 + 1,
        "number": n % 60 + 1,
        "title": {
            "fr": f"Rénover les logements sociaux avant 2030 ({n})",
            "nl": f"Sociale woningen renoveren voor 2030 ({n})",
        },
        "priority": "high" if n % 3 == 0 else "normal",
        "portfolio": PORTFOLIOS[n % len(PORTFOLIOS)],
        "vote_sha256": digest(n),
    }


def assessment_payload(n: int) -> dict[str, Any]:
    """The follow-up commission's assessment of one answer: about 300 bytes of JSON."""
    return {
        "recommendation": f"P{n // 3000 + 1}-R{n % 60 + 1:03d}",
        "verdict": "disputes" if n % 4 == 0 else "agrees",
        "reasons": "The timetable announced at the 3-month review has slipped by a quarter "
        f"and the minutes give no reason; we ask for a revised plan ({n}).",
        "score": n % 11,
        "minutes_sha256": digest(n),
    }


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: set[int]) -> str:
    """A plain-text table; columns whose index is in ``right`` are right-aligned."""
    lines = [list(header), *[list(row) for row in rows]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    ]
    rendered.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(rendered)


def profile(label: str, work: Callable[[], object], *, top: int = 22) -> None:
    """Run ``work`` under cProfile and print where its time went (cumulative and own time).

    Percentages are of the profiled total; cProfile inflates code made of many small calls,
    so read them as a ranking, not as exact shares.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in stats.values())
    print(f"\nprofile: {label} (total {total:.2f} s under cProfile)")
    for title, column in (("cumulative", 3), ("own time", 2)):
        print(f"  by {title}:")
        ranked = sorted(stats.items(), key=lambda item: item[1][column], reverse=True)
        shown = 0
        for (path, line, name), (_, calls, own, cumulative, _) in ranked:
            if column == 3 and not _interesting(path):
                continue
            seconds = cumulative if column == 3 else own
            print(
                f"    {seconds:7.3f} s {100 * seconds / total:5.1f}%  {calls:>8}x  "
                f"{_where(path, line, name)}"
            )
            shown += 1
            if shown == top:
                break


def _interesting(path: str) -> bool:
    """The ledger's own code and the library calls it makes, not interpreter plumbing."""
    return "/ledger/" in path or any(
        path.endswith(tail)
        for tail in (
            "eventsourcing_sqlalchemy/recorders.py",
            "eventsourcing_sqlalchemy/datastore.py",
            "sqlalchemy/orm/session.py",
        )
    )


def _where(path: str, line: int, name: str) -> str:
    if path == "~":
        return name
    return f"{name} ({'/'.join(Path(path).parts[-2:])}:{line})"


def load_builder() -> ModuleType:
    """``benchmarks/projections.py``, under another name: the package it measures is called
    ``projections`` too. Loading it takes this folder off ``sys.path``, so from then on that
    name finds the package."""
    spec = importlib.util.spec_from_file_location(
        "projections_bench", Path(__file__).with_name("projections.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CACHE = Path(tempfile.gettempdir()) / "assembly-ledger-bench"


def cached(name: str, entries: int, build: Callable[[Path, int], None], *, fresh: bool) -> Path:
    """The path of the ledger ``CACHE/name.db``, built with ``build(path, entries)`` unless a
    finished build is there (its ``.done`` marker) and ``fresh`` is not asked for."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{name}.db"
    done = path.with_suffix(".done")
    if done.exists() and path.exists() and not fresh:
        return path
    done.unlink(missing_ok=True)
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    began = time.perf_counter()
    build(path, entries)
    done.write_text(f"{entries}\n")
    print(
        f"built {entries:,} entries in {time.perf_counter() - began:.0f} s: {path}",
        file=sys.stderr,
    )
    return path
