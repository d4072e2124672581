"""The draws' file work (docs/design.md 5), shared by ``assembly draw ...`` and ``assembly demo``.

Each function reads the published files, computes what the step needs (commitments, the
portfolio, the pick) and hands it to a step of ``domain.draw_steps`` in the caller's session.
Salts are written next to the file they salt and stay with the secretariat; the ledger gets only
roots, digests, counts and the pseudonyms selected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cli.errors import UsageProblem
from domain import draw_steps
from domain.draws import (
    InvitationReport,
    PanelReport,
    commitment_root,
    draw_invitations,
    draw_panel,
    new_salts,
    portfolio_digest,
    read_pool,
    read_portfolio,
    read_quotas,
    read_register,
    read_salts,
    verify_invitation_draw,
    verify_panel_draw,
    write_portfolio,
    write_salts,
)
from domain.draws.files import quota_digest
from domain.draws.portfolio import build_portfolio
from domain.process import Session

Progress = Callable[[str, int, int | None], None]  # phase, done, total


def salts_path(path: Path) -> Path:
    """Where the salts of a published file are kept: beside it, ``NAME.salts``."""
    return path.with_name(path.name + ".salts")


class NewSalts:
    """The salts file of a new commitment, put in place only once the ledger has recorded it.

    The step writes the salts beside their place (``NAME.salts.new``); ``keep`` renames them
    there once the commitment is recorded, and ``discard`` removes what a refused step wrote,
    so the step can simply be run again (a salts file left by a refusal would make the retry
    fail with "a commitment is made once"). A process stopped between the two leaves the
    ``.new`` file: the next attempt says what to do with it rather than overwrite salts the
    ledger may already hold the root of.
    """

    def __init__(self, path: Path, out: Path | None = None) -> None:
        self.target = out or salts_path(path)
        self.pending = self.target.with_name(self.target.name + ".new")
        self.wrote = False  # only what this attempt wrote is ever removed

    def write(self, count: int) -> list[bytes]:
        """New salts for ``count`` records, written to the pending file."""
        if self.target.exists():
            raise UsageProblem(
                f"{self.target} exists: a commitment is made once. Remove it only if nothing was "
                "announced with it."
            )
        if self.pending.exists():
            raise UsageProblem(
                f"{self.pending} exists: an earlier attempt stopped before its salts were put in "
                f"place. If the ledger records that commitment, rename the file to "
                f"{self.target}; if it does not, remove the file."
            )
        salts = new_salts(count)
        self.wrote = True
        write_salts(self.pending, salts)
        return salts

    def keep(self) -> None:
        """Put the salts in place: the step that committed to them is recorded."""
        if self.wrote:
            self.pending.replace(self.target)
            self.wrote = False

    def discard(self) -> None:
        """Remove the salts of a step that was not recorded (nothing, once kept)."""
        if self.wrote:
            self.pending.unlink(missing_ok=True)
            self.wrote = False


def _new_salts(path: Path, count: int, out: Path | NewSalts | None) -> tuple[Path, list[bytes]]:
    """New salts for ``path``'s records: in ``out`` when it is a ``NewSalts`` (its caller
    keeps them once the step is recorded), else written in place at once."""
    if isinstance(out, NewSalts):
        return out.target, out.write(count)
    immediate = NewSalts(path, out)
    salts = immediate.write(count)
    immediate.keep()
    return immediate.target, salts


def announce_invitations(
    session: Session,
    number: int,
    register_file: Path,
    *,
    letters: int,
    randomness_source: str,
    draw_id: str,
    salts_out: Path | NewSalts | None = None,
    at: datetime,
) -> tuple[str, Path]:
    """Commit to the register (new salts) and announce stage 1; return the root and salts file."""
    register = read_register(register_file)
    salts_file, salts = _new_salts(register_file, len(register), salts_out)
    root = commitment_root(register.records(), salts).hex()
    draw_steps.announce_invitations(
        session,
        number,
        register_root=root,
        addresses_per_municipality=register.counts(),
        letters=letters,
        draw_id=draw_id,
        randomness_source=randomness_source,
        at=at,
    )
    return root, salts_file


def perform_invitations(
    session: Session,
    number: int,
    register_file: Path,
    *,
    salts_file: Path | None,
    randomness_value: str,
    randomness_published_at: datetime,
    invitations_out: Path | None,
    at: datetime,
) -> int:
    """Draw the addresses from the public value, record the draw; write the addresses drawn
    (for the secretariat's letters) to ``invitations_out``; return how many."""
    register = read_register(register_file)
    salts = read_salts(salts_file or salts_path(register_file))
    root = commitment_root(register.records(), salts)
    announced = draw_steps.invitation_draw(session, number).announced
    if announced is None:
        raise UsageProblem(f"Panel {number}'s invitation draw has not been announced.")
    result = draw_invitations(
        register,
        announced.letters_per_municipality,
        public_value=randomness_value,
        register_root=root,
        draw_id=announced.draw_id,
    )
    draw_steps.perform_invitations(
        session,
        number,
        result,
        register_root=root.hex(),
        randomness_value=randomness_value,
        randomness_published_at=randomness_published_at,
        at=at,
    )
    if invitations_out is not None:
        lines = ["address_id,municipality"]
        lines += [f"{register.address_ids[i]},{register.municipalities[i]}" for i in result.indices]
        invitations_out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(result.indices)


def close_pool(
    session: Session,
    number: int,
    pool_file: Path,
    *,
    quotas_file: Path | None = None,
    salts_out: Path | NewSalts | None = None,
    at: datetime,
) -> tuple[str, int]:
    """Commit to the pool (new salts) and close it; return the root and the pool's size."""
    quotas = read_quotas(quotas_file) if quotas_file else None
    pool = read_pool(pool_file, quotas=quotas)
    _, salts = _new_salts(pool_file, len(pool), salts_out)
    root = commitment_root(pool.records(), salts).hex()
    draw_steps.close_pool(session, number, pool, pool_root=root, at=at)
    return root, len(pool)


def announce_panel_draw(
    session: Session,
    number: int,
    *,
    pool_file: Path,
    quotas_file: Path,
    portfolio_out: Path,
    portfolio_size: int,
    panel_size: int | None,
    algorithm: str,
    randomness_source: str,
    draw_id: str,
    randomness_after: datetime | None = None,
    salts_file: Path | None = None,
    progress: Progress | None = None,
    at: datetime,
) -> str:
    """Compute the portfolio of panels, publish it, and announce stage 2; return its digest.
    Each panel has the seats the panel was convened with; ``panel_size``, when given, must be
    that number (checked before the portfolio, which can take minutes, is computed)."""
    seats = draw_steps.convened_seats(session, number)
    if panel_size is not None and panel_size != seats:
        raise UsageProblem(
            f"Panel {number} was convened with {seats} seats, not {panel_size}: leave --seats "
            f"out to draw {seats}."
        )
    quotas = read_quotas(quotas_file)
    pool = read_pool(pool_file, quotas=quotas)
    salts = read_salts(salts_file or salts_path(pool_file))
    root = commitment_root(pool.records(), salts).hex()
    portfolio = build_portfolio(
        pool,
        quotas,
        panel_size=seats,
        size=portfolio_size,
        algorithm=algorithm,
        pool_root=root,
        quota_digest=quota_digest(quotas),
        progress=progress,
    )
    draw_steps.announce_panel_draw(
        session,
        number,
        pool=pool,
        quotas=quotas,
        portfolio=portfolio,
        draw_id=draw_id,
        randomness_source=randomness_source,
        randomness_after=randomness_after,
        at=at,
    )
    write_portfolio(portfolio_out, portfolio)
    return portfolio_digest(portfolio)


def perform_panel_draw(
    session: Session,
    number: int,
    *,
    pool_file: Path,
    quotas_file: Path,
    portfolio_file: Path,
    randomness_value: str,
    randomness_published_at: datetime,
    salts_file: Path | None = None,
    at: datetime,
) -> tuple[str, ...]:
    """Pick the panel from the public value and record it; return the pseudonyms selected."""
    quotas = read_quotas(quotas_file)
    pool = read_pool(pool_file, quotas=quotas)
    salts = read_salts(salts_file or salts_path(pool_file))
    root = commitment_root(pool.records(), salts)
    portfolio = read_portfolio(portfolio_file)
    announced = draw_steps.panel_draw(session, number).announced
    if announced is None:
        raise UsageProblem(f"Panel {number}'s panel draw has not been announced.")
    result = draw_panel(
        portfolio,
        pool,
        quotas,
        public_value=randomness_value,
        pool_root=root,
        draw_id=announced.draw_id,
    )
    draw_steps.perform_panel_draw(
        session,
        number,
        result,
        portfolio=portfolio,
        pool_root=root.hex(),
        quota_digest=quota_digest(quotas),
        randomness_value=randomness_value,
        randomness_published_at=randomness_published_at,
        at=at,
    )
    return result.selected


@dataclass(frozen=True)
class DrawFiles:
    """The published files of one stage, as given to ``assembly draw verify``."""

    register: Path | None = None
    pool: Path | None = None
    quotas: Path | None = None
    portfolio: Path | None = None
    salts: Path | None = None


def verify_invitations(session: Session, number: int, files: DrawFiles) -> InvitationReport:
    """Re-run stage 1 from its files; raise the first mismatch with the ledger."""
    draw = draw_steps.invitation_draw(session, number)
    if draw.announced is None or draw.performed is None:
        raise UsageProblem(f"Panel {number}'s invitation draw is not on the ledger (both steps).")
    if files.register is None:
        raise UsageProblem("Give the register file with --register.")
    register = read_register(files.register)
    salts = read_salts(files.salts or salts_path(files.register))
    return verify_invitation_draw(draw.announced, draw.performed, register, salts)


def verify_panel(session: Session, number: int, files: DrawFiles) -> PanelReport:
    """Check stage 2 from its files without a solver; raise the first mismatch."""
    draw = draw_steps.panel_draw(session, number)
    if draw.announced is None or draw.performed is None:
        raise UsageProblem(f"Panel {number}'s panel draw is not on the ledger (both steps).")
    if files.pool is None or files.quotas is None or files.portfolio is None:
        raise UsageProblem("Give --pool, --quotas and --portfolio.")
    quotas = read_quotas(files.quotas)
    pool = read_pool(files.pool, quotas=quotas)
    salts = read_salts(files.salts or salts_path(files.pool))
    portfolio = read_portfolio(files.portfolio)
    return verify_panel_draw(draw.announced, draw.performed, pool, salts, quotas, portfolio)
