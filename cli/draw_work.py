"""The draws' file work (docs/design.md 5), shared by ``assembly draw ...`` and ``assembly demo``.

Each function reads the published files, computes what the step needs (commitments, the
portfolio, the pick) and hands it to a step of ``domain.draw_steps`` in the caller's session.
Salts are written next to the file they salt and stay with the secretariat; the ledger gets only
roots, digests, counts and the pseudonyms selected.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cli.errors import UsageProblem
from domain import draw_steps
from domain.draws import (
    DrandBeacon,
    DrandRound,
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
from domain.draws.drand import (
    KNOWN_CHAINS,
    Chain,
    chain_of,
    fixed_round,
    read_beacon,
    read_chain,
    recorded_beacon,
)
from domain.draws.files import quota_digest
from domain.draws.portfolio import build_portfolio
from domain.process import Session

Progress = Callable[[str, int, int | None], None]  # phase, done, total
# A drand round named by default comes out a minute after the announcement: time enough for the
# announcement to be recorded before it, short enough to perform the draw at once.
DRAND_MARGIN = timedelta(minutes=1)


def _json_object(path: Path, what: str) -> dict[str, Any]:
    """A JSON object read from ``path``, or a ``UsageProblem`` naming ``what`` it should be."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise UsageProblem(f"{path} is not a readable JSON file ({what}).") from None
    if not isinstance(document, dict):
        raise UsageProblem(f"{path} is not a JSON object ({what}).")
    return document


@dataclass(frozen=True)
class PublicSource:
    """The public value an announcement names: words (a lottery draw), a drand chain whose
    round will be the value, or both; read and checked before any long computation."""

    words: str | None
    chain: Chain | None
    round: int | None = None

    @classmethod
    def read(cls, words: str | None, chain: str | None, number: int | None) -> PublicSource:
        """From the options: ``chain`` is ``quicknet``, ``default`` or a file of drand's
        ``/info`` JSON; ``number`` the round, if named."""
        if chain is None:
            if number is not None:
                raise UsageProblem(
                    "--drand-round needs --drand-chain (quicknet, default or a file)."
                )
            if words is None:
                raise UsageProblem(
                    "Name the public randomness to come: --randomness-source (a lottery draw, "
                    "say) or --drand-chain."
                )
            return cls(words, None)
        known = KNOWN_CHAINS.get(chain)
        if known is None:
            known = read_chain(_json_object(Path(chain), "drand's /info of the chain"))
        return cls(words, known, number)

    def fixed(self, ready: datetime) -> tuple[str, DrandRound | None]:
        """The words to record and the drand round, by default the first published
        ``DRAND_MARGIN`` after ``ready`` (when the announcement is about to be recorded)."""
        if self.chain is None:
            return self.words or "", None
        number = self.round or self.chain.first_round_after(ready + DRAND_MARGIN)
        fixed = fixed_round(self.chain, number)
        words = self.words or f"drand, round {number} of the chain {fixed.chain_hash}"
        return words, fixed


def _source(given: str | PublicSource) -> PublicSource:
    return given if isinstance(given, PublicSource) else PublicSource(given, None)


def announced_drand(session: Session, number: int, stage: str) -> DrandRound | None:
    """The drand round panel ``number``'s draw of ``stage`` (invitations or panel) announced."""
    draw = (
        draw_steps.invitation_draw(session, number)
        if stage == "invitations"
        else draw_steps.panel_draw(session, number)
    )
    return None if draw.announced is None else draw.announced.drand


def public_value(
    fixed: DrandRound | None,
    what: str,
    *,
    value: str | None,
    published_at: datetime | None,
    beacon_file: Path | None,
) -> tuple[str, datetime, DrandBeacon | None]:
    """The public value a draw announced with ``fixed`` is performed with, its publication time
    and the beacon to record: named in words with its time, or, when the announcement fixed a
    drand round, that round's beacon (drand's ``/public/ROUND`` JSON in ``beacon_file``)."""
    if fixed is None:
        if beacon_file is not None:
            raise UsageProblem(
                f"{what} was announced with a value named in words: give --randomness-value "
                "and --published-at, not --beacon."
            )
        if value is None or published_at is None:
            raise UsageProblem("Give the public value: --randomness-value and --published-at.")
        return value, published_at, None
    if beacon_file is None or value is not None or published_at is not None:
        raise UsageProblem(
            f"{what} was announced with round {fixed.round} of a drand chain: give its beacon "
            f"with --beacon FILE (drand's JSON of /public/{fixed.round}), and no other value."
        )
    chain = chain_of(fixed)
    beacon = read_beacon(_json_object(beacon_file, "drand's JSON of a round"), chain)
    return beacon.randomness(), chain.round_time(beacon.round), recorded_beacon(chain, beacon)


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
    randomness_source: str | PublicSource,
    draw_id: str,
    salts_out: Path | NewSalts | None = None,
    at: datetime,
) -> tuple[str, Path]:
    """Commit to the register (new salts) and announce stage 1, its public value named in words
    or a drand round (``PublicSource``); return the root and salts file."""
    words, drand = _source(randomness_source).fixed(at)
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
        randomness_source=words,
        at=at,
        drand=drand,
    )
    return root, salts_file


def perform_invitations(
    session: Session,
    number: int,
    register_file: Path,
    *,
    salts_file: Path | None,
    randomness_value: str | None = None,
    randomness_published_at: datetime | None = None,
    beacon_file: Path | None = None,
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
    value, published_at, beacon = public_value(
        announced.drand,
        f"Panel {number}'s invitation draw",
        value=randomness_value,
        published_at=randomness_published_at,
        beacon_file=beacon_file,
    )
    result = draw_invitations(
        register,
        announced.letters_per_municipality,
        public_value=value,
        register_root=root,
        draw_id=announced.draw_id,
    )
    draw_steps.perform_invitations(
        session,
        number,
        result,
        register_root=root.hex(),
        randomness_value=value,
        randomness_published_at=published_at,
        at=at,
        beacon=beacon,
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
    randomness_source: str | PublicSource,
    draw_id: str,
    randomness_after: datetime | None = None,
    salts_file: Path | None = None,
    progress: Progress | None = None,
    at: datetime,
) -> str:
    """Compute the portfolio of panels, publish it, and announce stage 2; return its digest.
    Each panel has the seats the panel was convened with; ``panel_size``, when given, must be
    that number (checked before the portfolio, which can take minutes, is computed). A drand
    round named by default is counted from when the portfolio is ready, not from ``at``."""
    seats = draw_steps.convened_seats(session, number)
    if panel_size is not None and panel_size != seats:
        raise UsageProblem(
            f"Panel {number} was convened with {seats} seats, not {panel_size}: leave --seats "
            f"out to draw {seats}."
        )
    source = _source(randomness_source)
    quotas = read_quotas(quotas_file)
    pool = read_pool(pool_file, quotas=quotas)
    salts = read_salts(salts_file or salts_path(pool_file))
    root = commitment_root(pool.records(), salts).hex()
    started = time.monotonic()
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
    words, drand = source.fixed(at + timedelta(seconds=time.monotonic() - started))
    draw_steps.announce_panel_draw(
        session,
        number,
        pool=pool,
        quotas=quotas,
        portfolio=portfolio,
        draw_id=draw_id,
        randomness_source=words,
        randomness_after=randomness_after,
        at=at,
        drand=drand,
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
    randomness_value: str | None = None,
    randomness_published_at: datetime | None = None,
    beacon_file: Path | None = None,
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
    value, published_at, beacon = public_value(
        announced.drand,
        f"Panel {number}'s panel draw",
        value=randomness_value,
        published_at=randomness_published_at,
        beacon_file=beacon_file,
    )
    result = draw_panel(
        portfolio,
        pool,
        quotas,
        public_value=value,
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
        randomness_value=value,
        randomness_published_at=published_at,
        at=at,
        beacon=beacon,
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
