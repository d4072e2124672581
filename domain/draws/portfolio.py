"""Stage 2, before the randomness: a portfolio of m panels from ``sortition-algorithms``.

As in the transparent lottery of Flanigan et al. and the ``number_selections`` mode of the
library: ``maximin`` and ``nash`` compute a distribution over feasible panels (column
generation with HiGHS; nash also solves a convex program with cvxpy's SCS), then round it to m
panels (the library's pipage rounding), so each volunteer's share of the m panels is close to
the probability the distribution gives them. ``legacy`` has no transparent-lottery mode: m
independent runs of its greedy draw form the portfolio. ``diversimax`` is offered only where
its optional dependencies (pandas, scikit-learn) are installed; it optimises one panel per run.
``leximin`` needs Gurobi and is not offered.

The library's randomness comes from a seed that is never 0 (0 makes it draw from ``secrets``,
which nobody could reproduce): by default the first four bytes of SHA-256(pool root || quota
digest), recorded in the portfolio. Solvers still differ across machines and versions, so the
portfolio is published and checked, never recomputed. The library's logging and the solver's
banner are silenced while it runs; progress goes to an optional callback.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from domain.draws.commit import digest_bytes
from domain.draws.errors import BadDrawFile, PortfolioFailed, UnknownAlgorithm
from domain.draws.files import Pool, Portfolio, Quota
from domain.draws.stage2 import check_panel

Progress = Callable[[str, int, int | None], None]
"""A progress callback: (phase name, units done, units expected or None)."""

TRANSPARENT = ("maximin", "nash")
PORTFOLIO_FORMAT = "assembly-draw-portfolio/1"
_LOGGERS = ("sortition_algorithms", "sortition_algorithms_user")


def offered_algorithms() -> tuple[str, ...]:
    """The algorithms that can build a portfolio here, the fairest practical one first."""
    from sortition_algorithms.committee_generation import DIVERSIMAX_AVAILABLE

    return ("maximin", "nash", "legacy", *(("diversimax",) if DIVERSIMAX_AVAILABLE else ()))


def default_seed(pool_root: str, quota_digest: str) -> int:
    """A non-zero library seed derived from what the portfolio is committed to."""
    digest = hashlib.sha256(bytes.fromhex(pool_root) + quota_digest.encode("ascii")).digest()
    return int.from_bytes(digest[:4], "big") % (2**31 - 1) + 1


def build_portfolio(
    pool: Pool,
    quotas: Sequence[Quota],
    *,
    panel_size: int,
    size: int,
    algorithm: str,
    pool_root: str,
    quota_digest: str,
    seed: int | None = None,
    progress: Progress | None = None,
    max_seconds: int = 30,
) -> Portfolio:
    """m = ``size`` panels of ``panel_size`` volunteers, each meeting every quota."""
    offered = offered_algorithms()
    if algorithm not in offered:
        raise UnknownAlgorithm(algorithm, offered)
    if size < 1:
        raise AssertionError("a portfolio holds at least one panel")
    seed = default_seed(pool_root, quota_digest) if seed is None else seed
    if seed == 0:
        raise AssertionError("seed 0 means 'not reproducible' in sortition-algorithms")
    with _quiet(), _seeded(seed):
        panels = _run(pool, quotas, panel_size, size, algorithm, progress, max_seconds)
    strata = pool.strata()
    ordered = tuple(sorted(tuple(sorted(panel)) for panel in panels))
    for index, panel in enumerate(ordered):
        check_panel(index, panel, strata, quotas, panel_size)
    return Portfolio(
        algorithm=algorithm,
        solver=_solver(algorithm),
        versions=_versions(algorithm),
        seed=seed,
        pool_root=pool_root,
        quota_digest=quota_digest,
        panel_size=panel_size,
        panels=ordered,
    )


def _run(
    pool: Pool,
    quotas: Sequence[Quota],
    panel_size: int,
    size: int,
    algorithm: str,
    progress: Progress | None,
    max_seconds: int,
) -> list[frozenset[str]]:
    from sortition_algorithms import Settings, read_in_features, read_in_people
    from sortition_algorithms.core import find_random_sample
    from sortition_algorithms.errors import SortitionBaseError
    from sortition_algorithms.features import check_desired
    from sortition_algorithms.people import check_enough_people_for_every_feature_value

    reporter = _Reporter(progress) if progress is not None else None
    try:
        features, _, _ = read_in_features(
            ["feature", "value", "min", "max"],
            [
                {"feature": q.feature, "value": q.value, "min": str(q.min), "max": str(q.max)}
                for q in quotas
            ],
        )
        settings = Settings(id_column="pseudonym", columns_to_keep=[])
        people, _ = read_in_people(
            ["pseudonym", *pool.features],
            [
                {"pseudonym": row.pseudonym, **dict(zip(pool.features, row.values, strict=True))}
                for row in pool.rows
            ],
            features,
            settings,
        )
        check_desired(features, panel_size)
        check_enough_people_for_every_feature_value(features, people)
        if algorithm in TRANSPARENT:
            panels, _ = find_random_sample(
                features,
                people,
                panel_size,
                [],
                selection_algorithm=algorithm,
                number_selections=size,
                progress_reporter=reporter,
            )
            return panels
        found: list[frozenset[str]] = []
        for done in range(size):
            one, _ = find_random_sample(
                features,
                people,
                panel_size,
                [],
                selection_algorithm=algorithm,
                max_seconds=max_seconds,
                max_attempts=100,
            )
            found.extend(one)
            if progress is not None:
                progress(algorithm, done + 1, size)
        return found
    except (SortitionBaseError, ValueError, RuntimeError) as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        raise PortfolioFailed(algorithm, lines[0] if lines else type(exc).__name__) from None


class _Reporter:
    """The library's progress protocol, forwarded to a plain callback."""

    def __init__(self, callback: Progress) -> None:
        self.callback = callback
        self.name = ""
        self.total: int | None = None

    def start_phase(
        self, name: str, total: int | None = None, *, message: str | None = None
    ) -> None:
        self.name, self.total = name, total
        self.callback(name, 0, total)

    def update(self, current: int, *, message: str | None = None) -> None:
        self.callback(self.name, current, self.total)

    def end_phase(self) -> None:
        if self.total is not None:
            self.callback(self.name, self.total, self.total)


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """The library's random provider seeded, and Python's ``random`` state restored after."""
    from sortition_algorithms.utils import set_random_provider

    state = random.getstate()
    set_random_provider(seed)
    try:
        yield
    finally:
        set_random_provider(None)
        random.setstate(state)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No library logging and nothing on standard output (HiGHS prints a banner from C++)."""
    levels = [(logging.getLogger(name), logging.getLogger(name).level) for name in _LOGGERS]
    for logger, _ in levels:
        logger.setLevel(logging.CRITICAL + 1)
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
        for logger, level in levels:
            logger.setLevel(level)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def _solver(algorithm: str) -> str:
    if algorithm == "legacy":
        return "none (greedy draw)"
    if algorithm == "nash":
        return f"highspy {_version('highspy')} + cvxpy {_version('cvxpy')} (SCS {_version('scs')})"
    return f"highspy {_version('highspy')}"


def _versions(algorithm: str) -> dict[str, str]:
    versions = {
        "python": platform.python_version(),
        "sortition-algorithms": _version("sortition-algorithms"),
        "highspy": _version("highspy"),
    }
    if algorithm == "nash":
        versions |= {"cvxpy": _version("cvxpy"), "scs": _version("scs")}
    return versions


class _PortfolioFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    format: str
    algorithm: str
    solver: str
    versions: dict[str, str]
    seed: int
    pool_root: str
    quota_digest: str
    panel_size: int
    panels: list[list[str]]


def portfolio_bytes(portfolio: Portfolio) -> bytes:
    """The canonical portfolio file: JSON, sorted keys, no spaces, UTF-8, one final newline."""
    document: dict[str, Any] = {
        "format": PORTFOLIO_FORMAT,
        "algorithm": portfolio.algorithm,
        "solver": portfolio.solver,
        "versions": dict(portfolio.versions),
        "seed": portfolio.seed,
        "pool_root": portfolio.pool_root,
        "quota_digest": portfolio.quota_digest,
        "panel_size": portfolio.panel_size,
        "panels": [list(panel) for panel in portfolio.panels],
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def portfolio_digest(portfolio: Portfolio) -> str:
    """``sha256:<hex>`` of the canonical portfolio file."""
    return digest_bytes(portfolio_bytes(portfolio))


@dataclass(frozen=True)
class PortfolioTerms:
    """What an announcement commits of a portfolio: its file's digest, its size and panel
    size, and how it was computed (algorithm, solver, library versions and seed)."""

    digest: str
    size: int
    panel_size: int
    algorithm: str
    solver: str
    versions: dict[str, str]
    seed: int


def portfolio_terms(portfolio: Portfolio) -> PortfolioTerms:
    """The terms of ``portfolio`` that its announcement records."""
    return PortfolioTerms(
        digest=portfolio_digest(portfolio),
        size=portfolio.size,
        panel_size=portfolio.panel_size,
        algorithm=portfolio.algorithm,
        solver=portfolio.solver,
        versions=portfolio.versions,
        seed=portfolio.seed,
    )


def write_portfolio(path: Path, portfolio: Portfolio) -> None:
    """Write the canonical portfolio file."""
    path.write_bytes(portfolio_bytes(portfolio))


def read_portfolio(path: Path) -> Portfolio:
    """Read a portfolio file; it must be in the canonical form ``write_portfolio`` writes."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadDrawFile(name, None, f"the file cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
        parsed = _PortfolioFile.model_validate(data)
    except UnicodeDecodeError:
        raise BadDrawFile(name, None, "the portfolio is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadDrawFile(name, exc.lineno, f"the portfolio is not JSON ({exc.msg})") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "document"
        raise BadDrawFile(name, None, f"{where}: {error['msg']}") from None
    if parsed.format != PORTFOLIO_FORMAT:
        raise BadDrawFile(name, None, f"the format is {parsed.format!r}, not {PORTFOLIO_FORMAT!r}")
    for index, panel in enumerate(parsed.panels):
        if panel != sorted(set(panel)):
            raise BadDrawFile(
                name, None, f"panel {index} is not a sorted list of distinct pseudonyms"
            )
    portfolio = Portfolio(
        algorithm=parsed.algorithm,
        solver=parsed.solver,
        versions=parsed.versions,
        seed=parsed.seed,
        pool_root=parsed.pool_root,
        quota_digest=parsed.quota_digest,
        panel_size=parsed.panel_size,
        panels=tuple(tuple(panel) for panel in parsed.panels),
    )
    if portfolio_bytes(portfolio) != raw:
        raise BadDrawFile(
            name,
            None,
            "the portfolio is not in canonical form (sorted keys, no spaces, one "
            "final newline): publish the file exactly as it was written",
        )
    return portfolio
