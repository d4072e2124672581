"""An assembly office over a real ledger (a SQLite file): one key per role, a hand-moved clock,
and helpers to run a step as a role or to check that a rule refuses it and writes nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from cli.store import LedgerStore
from domain import commands, draw_steps
from domain.charter import Chartered
from domain.deliberation import Method, VoteHeld
from domain.draws import (
    InvitationResult,
    PanelResult,
    Pool,
    Portfolio,
    Quota,
    Register,
    allocate_letters,
    build_portfolio,
    commitment_root,
    draw_invitations,
    draw_panel,
    make_pool,
    new_salts,
    quota_digest,
)
from domain.errors import RuleBroken
from domain.panel import Convened
from domain.process import Session, run
from domain.recommendation import Adopted
from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, Signer
from tests.conftest import Clock
from tests.domain.draws.conftest import quotas_around, synthetic_register, synthetic_rows

ROLES = ("charter", "secretariat", "government", "commission")
Step = Callable[[Session, datetime], None]


@dataclass
class Office:
    ledger: Ledger
    clock: Clock
    keys: dict[str, Signer]

    def store(self, role: str) -> LedgerStore:
        return LedgerStore(self.ledger, self.keys[role])

    def do(self, role: str, step: Step) -> list[int]:
        """Run ``step`` signed by ``role``'s key, dated now; return the seqs written."""
        self.clock.advance(minutes=1)
        return run(self.store(role), lambda session: step(session, self.clock()))

    def refuses(self, role: str, step: Step, error: type[RuleBroken], match: str) -> None:
        """The step is refused with ``error`` saying ``match``, and the ledger is unchanged."""
        before = (self.ledger.count(), self.ledger.head())
        with pytest.raises(error, match=match):
            self.do(role, step)
        assert (self.ledger.count(), self.ledger.head()) == before


@pytest.fixture
def office(tmp_path: Path, policy: RolePolicy, clock: Clock) -> Iterator[Office]:
    keys = {role: Signer.from_seed(bytes([n + 1]) * 32) for n, role in enumerate(ROLES)}
    ledger = Ledger.create(
        str(tmp_path / "assembly.db"), policy, keys["charter"], name="Charter", clock=clock
    )
    for role in ROLES[1:]:
        ledger.enrol(keys["charter"], keys[role].public_key, role=role, name=f"The {role}")
    yield Office(ledger, clock, keys)
    ledger.close()


@pytest.fixture
def chartered(office: Office) -> Office:
    """An office whose assembly has its charter (French and Dutch, the default rules)."""
    charter = Chartered(name="Assembly", region="Brussels-Capital", languages=("fr", "nl"))
    office.do("charter", lambda s, at: commands.write_charter(s, charter, at=at))
    return office


# -- An assembly brought to "panel 1 seated" quickly, then to recommendations handed over ------
#
# The draws are small (a register of 200 addresses and 40 letters, a pool of 60 volunteers with
# three features, a panel of 12 from a portfolio of 20 panels built once per session by
# ``legacy``) and go through the steps of ``domain.draw_steps``, signed by the secretariat. Each
# stage is built once per session (and charter) on a real ledger, then its SQLite file is copied
# for every test that asks for it.

PANEL_SIZE = 12
LETTERS = 40
THEME = {"fr": "Le climat a Bruxelles", "nl": "Het klimaat in Brussel"}
SOURCE = "Synthetic lottery, draw of the week"
PUBLIC_VALUE = "synthetic lottery: 04 11 23 31 38 42"
INVITATION_DRAW = "test/panel-1/stage-1"
PANEL_DRAW = "test/panel-1/stage-2"
HANDED_OVER = date(2026, 3, 2)
DETAILED = "The measure conflicts with the regional budget framework adopted in 2024; " * 4


def step(command: Callable[..., object], *args: Any, **kwargs: Any) -> Step:
    """``command(session, *args, at=..., **kwargs)`` as a step for ``Office.do``."""

    def run_it(session: Session, at: datetime) -> None:
        command(session, *args, at=at, **kwargs)

    return run_it


@dataclass(frozen=True)
class SmallDraws:
    """The files of panel 1's two draws, already parsed, with their salts."""

    register: Register
    register_salts: list[bytes]
    pool: Pool
    pool_salts: list[bytes]
    quotas: list[Quota]
    portfolio: Portfolio

    @property
    def register_root(self) -> bytes:
        return commitment_root(self.register.records(), self.register_salts)

    @property
    def pool_root(self) -> bytes:
        return commitment_root(self.pool.records(), self.pool_salts)

    def invitations(self, *, public_value: str = PUBLIC_VALUE) -> InvitationResult:
        """Stage 1 as announced, picked by ``public_value``."""
        return draw_invitations(
            self.register,
            allocate_letters(self.register.counts(), LETTERS),
            public_value=public_value,
            register_root=self.register_root,
            draw_id=INVITATION_DRAW,
        )

    def panel(
        self,
        *,
        portfolio: Portfolio | None = None,
        public_value: str = PUBLIC_VALUE,
        pool_root: bytes | None = None,
    ) -> PanelResult:
        """Stage 2 picked by ``public_value`` from the portfolio (the announced one by default)."""
        return draw_panel(
            portfolio or self.portfolio,
            self.pool,
            self.quotas,
            public_value=public_value,
            pool_root=pool_root or self.pool_root,
            draw_id=PANEL_DRAW,
        )


@pytest.fixture(scope="session")
def small_draws() -> SmallDraws:
    register = synthetic_register(200)
    pool = make_pool(synthetic_rows(60))
    quotas = quotas_around(pool, PANEL_SIZE)
    salts = new_salts(len(pool))
    portfolio = build_portfolio(
        pool,
        quotas,
        panel_size=PANEL_SIZE,
        size=20,
        algorithm="legacy",
        pool_root=commitment_root(pool.records(), salts).hex(),
        quota_digest=quota_digest(quotas),
    )
    return SmallDraws(register, new_salts(len(register)), pool, salts, quotas, portfolio)


def announce_invitations(draws: SmallDraws) -> Step:
    """The step announcing panel 1's invitation draw: 40 letters from the committed register."""
    return step(
        draw_steps.announce_invitations,
        1,
        register_root=draws.register_root.hex(),
        addresses_per_municipality=draws.register.counts(),
        letters=LETTERS,
        draw_id=INVITATION_DRAW,
        randomness_source=SOURCE,
    )


def perform_invitations(
    draws: SmallDraws,
    *,
    published_at: datetime,
    result: InvitationResult | None = None,
    register_root: bytes | None = None,
) -> Step:
    """The step performing panel 1's invitation draw with a value published at ``published_at``."""
    return step(
        draw_steps.perform_invitations,
        1,
        result or draws.invitations(),
        register_root=(register_root or draws.register_root).hex(),
        randomness_value=PUBLIC_VALUE,
        randomness_published_at=published_at,
    )


def close_pool(draws: SmallDraws) -> Step:
    """The step closing panel 1's pool of volunteers."""
    return step(draw_steps.close_pool, 1, draws.pool, pool_root=draws.pool_root.hex())


def announce_panel_draw(
    draws: SmallDraws,
    *,
    portfolio: Portfolio | None = None,
    randomness_after: datetime | None = None,
) -> Step:
    """The step announcing panel 1's draw (the session's portfolio by default)."""
    return step(
        draw_steps.announce_panel_draw,
        1,
        pool=draws.pool,
        quotas=draws.quotas,
        portfolio=portfolio or draws.portfolio,
        draw_id=PANEL_DRAW,
        randomness_source=SOURCE,
        randomness_after=randomness_after,
    )


def perform_panel_draw(
    draws: SmallDraws,
    *,
    published_at: datetime,
    result: PanelResult | None = None,
    portfolio: Portfolio | None = None,
) -> Step:
    """The step performing panel 1's draw with a value published at ``published_at``."""
    return step(
        draw_steps.perform_panel_draw,
        1,
        result or draws.panel(portfolio=portfolio),
        portfolio=portfolio or draws.portfolio,
        pool_root=draws.pool_root.hex(),
        quota_digest=quota_digest(draws.quotas),
        randomness_value=PUBLIC_VALUE,
        randomness_published_at=published_at,
    )


def draw_theme_group(published_at: datetime, number: int = 2) -> Step:
    """The step drawing panel ``number``'s theme group, the value published at ``published_at``."""
    return step(
        draw_steps.draw_theme_group,
        number,
        public_value=PUBLIC_VALUE,
        randomness_source=SOURCE,
        randomness_published_at=published_at,
        draw_id=f"test/panel-{number}/theme-group",
    )


def seated_members(office: Office) -> tuple[str, ...]:
    """Panel 1's members as seated, read back from the ledger."""
    performed = draw_steps.panel_draw(Session(office.store("secretariat")), 1).performed
    assert performed is not None
    return tuple(sorted(performed.selected))


@pytest.fixture
def assembly_charter() -> Chartered:
    """The charter the stage fixtures below write: parametrize this name to use another one."""
    return Chartered(
        name="Assembly", region="Brussels-Capital", languages=("fr", "nl"), theme_group_size=5
    )


def vote(number: str, *, votes_for: int = 9, against: int = 2, abstaining: int = 1) -> VoteHeld:
    """A majority vote of panel 1, adopted when more voted for than against."""
    return VoteHeld(
        panel=1,
        vote=number,
        subject=f"Recommendation {number}",
        votes_for=votes_for,
        votes_against=against,
        abstentions=abstaining,
        method=Method.MAJORITY,
        adopted=votes_for > against,
    )


def adopted(number: int, *, vote: str, **fields: Any) -> Adopted:
    """Recommendation ``number`` of panel 1 in French and Dutch, for the climate portfolio."""
    return Adopted.model_validate(
        {
            "panel": 1,
            "number": number,
            "title": {"fr": f"Recommandation {number}", "nl": f"Aanbeveling {number}"},
            "text": {"fr": "Isoler les logements.", "nl": "Woningen isoleren."},
            "portfolio": "climate",
            "vote": vote,
            **fields,
        }
    )


def _convene(office: Office, charter: Chartered, draws: SmallDraws) -> None:
    office.do("charter", step(commands.write_charter, charter))
    panel = Convened(number=1, theme=THEME, seats=PANEL_SIZE, theme_chosen_by="government")
    office.do("secretariat", step(commands.convene, panel))


def _invite(office: Office, charter: Chartered, draws: SmallDraws) -> None:
    office.do("secretariat", announce_invitations(draws))
    published = office.clock.advance(days=2)
    office.do("secretariat", perform_invitations(draws, published_at=published))


def _seat(office: Office, charter: Chartered, draws: SmallDraws) -> None:
    published = office.clock.advance(days=2)
    office.do("secretariat", perform_panel_draw(draws, published_at=published))
    office.do("secretariat", step(commands.seat, 1))


def _close_pool(office: Office, charter: Chartered, draws: SmallDraws) -> None:
    office.do("secretariat", close_pool(draws))


def _announce(office: Office, charter: Chartered, draws: SmallDraws) -> None:
    office.do("secretariat", announce_panel_draw(draws))


def _recommend(office: Office, charter: Chartered, draws: SmallDraws) -> None:
    def adopt_all(session: Session, at: datetime) -> None:
        for number in range(1, 6):
            commands.record_vote(session, vote(f"V-{number}"), at=at)
            commands.adopt(session, adopted(number, vote=f"V-{number}"), at=at)
        commands.record_vote(session, vote("V-6", votes_for=3, against=8), at=at)

    def hand_over(session: Session, at: datetime) -> None:
        for number in range(1, 5):
            commands.hand_over(session, 1, number, HANDED_OVER, at=at)

    office.do("secretariat", adopt_all)
    # Handed over on the day it happens: what follows is dated on or after it, as the rules ask.
    office.clock.now = datetime.combine(HANDED_OVER, time(9), tzinfo=UTC)
    office.do("secretariat", hand_over)


# Each stage adds its steps to the one before; the list's order is the process's.
STAGES: dict[str, Callable[[Office, Chartered, SmallDraws], None]] = {
    "convened": _convene,
    "invited": _invite,
    "pool_closed": _close_pool,
    "panel_announced": _announce,
    "seated": _seat,
    "recommended": _recommend,
}


class Snapshots:
    """Ledgers at each stage, built once per session and charter through the process, then
    copied (a SQLite file) for each test: a test gets its own ledger in a few milliseconds."""

    def __init__(self, folder: Path, draws: SmallDraws) -> None:
        self.folder = folder
        self.draws = draws
        self.saved: dict[tuple[str, str], tuple[Path, datetime]] = {}

    def office(self, stage: str, charter: Chartered, where: Path) -> Office:
        """An office whose ledger is at ``stage``, in the folder ``where``."""
        key = (stage, charter.model_dump_json())
        if key not in self.saved:
            self.saved[key] = self._build(stage, charter)
        source, now = self.saved[key]
        target = where / f"{stage}.db"
        shutil.copyfile(source, target)
        clock = Clock(now)
        ledger = Ledger.open(str(target), RolePolicy(ROLE_GRANTS), clock=clock)
        ledger.moved_here()  # the snapshot's copy stands for the same ledger, now here
        return Office(ledger, clock, office_keys())

    def _build(self, stage: str, charter: Chartered) -> tuple[Path, datetime]:
        folder = self.folder / f"{stage}-{len(self.saved)}"
        folder.mkdir()
        names = list(STAGES)
        before = names[names.index(stage) - 1] if stage != names[0] else None
        if before is None:
            office = new_office(folder, Clock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC)))
            path = folder / "assembly.db"
        else:
            office = self.office(before, charter, folder)
            path = folder / f"{before}.db"
        STAGES[stage](office, charter, self.draws)
        office.ledger.close()
        # Closing checkpoints SQLite's write-ahead log into the file: the file alone is the copy.
        assert not path.with_name(path.name + "-wal").exists()
        return path, office.clock()


def office_keys() -> dict[str, Signer]:
    """The office's keys, one per role (the same as the ``office`` fixture's)."""
    return {role: Signer.from_seed(bytes([n + 1]) * 32) for n, role in enumerate(ROLES)}


def new_office(folder: Path, clock: Clock) -> Office:
    """A new ledger in ``folder`` with the office's keys enrolled (as the ``office`` fixture)."""
    keys = office_keys()
    ledger = Ledger.create(
        str(folder / "assembly.db"),
        RolePolicy(ROLE_GRANTS),
        keys["charter"],
        name="Charter",
        clock=clock,
    )
    for role in ROLES[1:]:
        ledger.enrol(keys["charter"], keys[role].public_key, role=role, name=f"The {role}")
    return Office(ledger, clock, keys)


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory: pytest.TempPathFactory, small_draws: SmallDraws) -> Snapshots:
    return Snapshots(tmp_path_factory.mktemp("stages"), small_draws)


def _at(stage: str, snapshots: Snapshots, charter: Chartered, where: Path) -> Iterator[Office]:
    office = snapshots.office(stage, charter, where)
    yield office
    office.ledger.close()


@pytest.fixture
def convened(snapshots: Snapshots, assembly_charter: Chartered, tmp_path: Path) -> Iterator[Office]:
    """The charter written and panel 1 convened (12 seats) on the government's theme."""
    yield from _at("convened", snapshots, assembly_charter, tmp_path)


@pytest.fixture
def invited(snapshots: Snapshots, assembly_charter: Chartered, tmp_path: Path) -> Iterator[Office]:
    """... and panel 1's invitation draw announced, then performed."""
    yield from _at("invited", snapshots, assembly_charter, tmp_path)


@pytest.fixture
def pool_closed(
    snapshots: Snapshots, assembly_charter: Chartered, tmp_path: Path
) -> Iterator[Office]:
    """... and its pool of volunteers closed."""
    yield from _at("pool_closed", snapshots, assembly_charter, tmp_path)


@pytest.fixture
def panel_announced(
    snapshots: Snapshots, assembly_charter: Chartered, tmp_path: Path
) -> Iterator[Office]:
    """... and its panel draw announced."""
    yield from _at("panel_announced", snapshots, assembly_charter, tmp_path)


@pytest.fixture
def seated(snapshots: Snapshots, assembly_charter: Chartered, tmp_path: Path) -> Iterator[Office]:
    """... performed, and panel 1 seated with the 12 members it selected."""
    yield from _at("seated", snapshots, assembly_charter, tmp_path)


@pytest.fixture
def recommended(
    snapshots: Snapshots, assembly_charter: Chartered, tmp_path: Path
) -> Iterator[Office]:
    """... and panel 1 adopted recommendations 1 to 5 (votes V-1 to V-5; V-6 was not adopted)
    and handed 1 to 4 over to the government on ``HANDED_OVER``; 5 stays with the secretariat."""
    yield from _at("recommended", snapshots, assembly_charter, tmp_path)


@pytest.fixture
def members(small_draws: SmallDraws) -> tuple[str, ...]:
    """Panel 1's members, as its draw selects them (the stage fixtures seat exactly these)."""
    return tuple(sorted(small_draws.panel().selected))


@pytest.fixture
def reserves(members: tuple[str, ...], small_draws: SmallDraws) -> tuple[str, ...]:
    """Volunteers of the pool who were not drawn."""
    return tuple(row.pseudonym for row in small_draws.pool.rows if row.pseudonym not in members)
