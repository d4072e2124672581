"""Draws that anyone can re-run (DESIGN.md 5): commitments, the two stages, the theme group.

- ``commit``: every byte string hashed (RFC 9162 Merkle roots of salted records, seeds, keys)
- ``files``: the strict readers and canonical writers of the register, pool and quota files
- ``stage1``: invitation letters per municipality and the addresses drawn
- ``portfolio``: m panels from ``sortition-algorithms`` before the randomness, and their file
- ``stage2``: the panel picked by the public value, its counts, selection probabilities
- ``theme``: the theme group drawn from, or volunteered by, the previous panel
- ``verify``: re-running a recorded draw from the published files, without a solver
- ``events``, ``aggregates``, ``errors``: what the ledger keeps, the rules, what to fix
"""

from domain.draws.aggregates import InvitationDraw, PanelDraw, ThemeGroup, VolunteerPool
from domain.draws.commit import (
    commitment_root,
    digest_file,
    draw_seed,
    merkle_root,
    new_salts,
    read_salts,
    write_salts,
)
from domain.draws.errors import (
    AlreadyRecorded,
    AnnouncementMismatch,
    BadDrawFile,
    DrawMismatch,
    DrawRefused,
    NoPreviousPanel,
    NotAnnounced,
    NotAPanelMember,
    NotInPool,
    PoolNotClosed,
    PortfolioFailed,
    QuotaNotMet,
    RandomnessInFuture,
    RandomnessTooEarly,
    ResultMismatch,
    TooManyLetters,
    UnknownAlgorithm,
    WrongGroupSize,
)
from domain.draws.events import (
    InvitationAnnounced,
    InvitationPerformed,
    PanelAnnounced,
    PanelPerformed,
    PoolClosed,
    ThemeGroupFormed,
)
from domain.draws.files import (
    Pool,
    PoolRow,
    Portfolio,
    Quota,
    Register,
    make_pool,
    quota_digest,
    read_pool,
    read_quotas,
    read_register,
    write_pool,
    write_quotas,
    write_register,
)
from domain.draws.portfolio import (
    build_portfolio,
    offered_algorithms,
    portfolio_digest,
    read_portfolio,
    write_portfolio,
)
from domain.draws.stage1 import InvitationResult, allocate_letters, draw_invitations
from domain.draws.stage2 import (
    PanelResult,
    ProbabilitySummary,
    draw_panel,
    pick_index,
    selection_probabilities,
    suppress_small,
)
from domain.draws.theme import ThemeDraw, check_volunteers, draw_theme_group
from domain.draws.verify import (
    InvitationReport,
    PanelReport,
    verify_invitation_draw,
    verify_panel_draw,
)

__all__ = [
    "AlreadyRecorded",
    "AnnouncementMismatch",
    "BadDrawFile",
    "DrawMismatch",
    "DrawRefused",
    "InvitationAnnounced",
    "InvitationDraw",
    "InvitationPerformed",
    "InvitationReport",
    "InvitationResult",
    "NoPreviousPanel",
    "NotAPanelMember",
    "NotAnnounced",
    "NotInPool",
    "PanelAnnounced",
    "PanelDraw",
    "PanelPerformed",
    "PanelReport",
    "PanelResult",
    "Pool",
    "PoolClosed",
    "PoolNotClosed",
    "PoolRow",
    "Portfolio",
    "PortfolioFailed",
    "ProbabilitySummary",
    "Quota",
    "QuotaNotMet",
    "RandomnessInFuture",
    "RandomnessTooEarly",
    "Register",
    "ResultMismatch",
    "ThemeDraw",
    "ThemeGroup",
    "ThemeGroupFormed",
    "TooManyLetters",
    "UnknownAlgorithm",
    "VolunteerPool",
    "WrongGroupSize",
    "allocate_letters",
    "build_portfolio",
    "check_volunteers",
    "commitment_root",
    "digest_file",
    "draw_invitations",
    "draw_panel",
    "draw_seed",
    "draw_theme_group",
    "make_pool",
    "merkle_root",
    "new_salts",
    "offered_algorithms",
    "pick_index",
    "portfolio_digest",
    "quota_digest",
    "read_pool",
    "read_portfolio",
    "read_quotas",
    "read_register",
    "read_salts",
    "selection_probabilities",
    "suppress_small",
    "verify_invitation_draw",
    "verify_panel_draw",
    "write_pool",
    "write_portfolio",
    "write_quotas",
    "write_register",
    "write_salts",
]
