"""The root commands of ``assembly`` as its help lists them, and the modules each needs.

``ENTRIES`` is written by ``python -m cli.index_writer`` from the modules in
``cli.lazy_group.MODULES``: do not edit it, run that again (a test says when it is out of date).
"""

from __future__ import annotations

from typing import NamedTuple


class Entry(NamedTuple):
    """One command or group of the root app."""

    name: str
    modules: tuple[str, ...]  # imported and registered, in this order, before it runs
    panel: str | None  # the help panel it is listed in
    help: str  # the first paragraph of its help, as the root's help shows it
    hidden: bool = False


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "init",
        ("cli.ledger_commands",),
        "Set up and verify",
        "Create the ledger, the charter key file (unless --key exists) and the charter entry.",
    ),
    Entry(
        "log",
        ("cli.ledger_commands",),
        "Set up and verify",
        "List entries: seq, time, type, signer and hash.",
    ),
    Entry(
        "verify",
        ("cli.ledger_commands",),
        "Set up and verify",
        (
            "Check every entry; exit 0 only when the whole ledger verifies. With --bundle "
            "DIR\n--vkey VKEY, check an exported bundle from its files alone (as assembly "
            "verify-bundle)."
        ),
    ),
    Entry(
        "charter",
        ("cli.assembly_commands",),
        "Charter",
        "Write the assembly's charter (charter key, once).",
    ),
    Entry(
        "respond",
        ("cli.answer_commands",),
        "Government",
        "Record the government's answer to a recommendation (government key).",
    ),
    Entry(
        "implement",
        ("cli.answer_commands",),
        "Government",
        "Report on implementation, once accepted (government key).",
    ),
    Entry(
        "transfer",
        ("cli.answer_commands",),
        "Government",
        "Transfer responsibility for a recommendation to another portfolio (government key).",
    ),
    Entry(
        "assess",
        ("cli.answer_commands",),
        "Commission",
        "Record the commission's verdict on what the government did (commission key).",
    ),
    Entry(
        "correct",
        ("cli.answer_commands",),
        "Any office",
        "Supersede an earlier entry with an erratum (the role that wrote it, or the charter key).",
    ),
    Entry(
        "respond-jointly",
        ("cli.statement_commands",),
        "Government",
        "Record one statement answering several recommendations (government key).",
    ),
    Entry(
        "status",
        ("cli.read_commands",),
        "Read",
        "The status board: one row per recommendation, its three axes, due dates and overdue flag.",
    ),
    Entry(
        "show",
        ("cli.read_commands",),
        "Read",
        (
            "One recommendation in full: its axes, due dates, every answer, report, verdict and "
            "erratum."
        ),
    ),
    Entry(
        "overdue",
        ("cli.read_commands",),
        "Read",
        (
            "What is late: each review not answered by its due date, by how many days, and "
            "the\nportfolio responsible for it (the latest first)."
        ),
    ),
    Entry(
        "checkpoint",
        ("cli.proof_commands",),
        "Set up and verify",
        (
            "Sign the checkpoint of the whole ledger with a log key (role log) and keep it: a "
            "C2SP\nsigned note of the origin, the number of entries and the Merkle tree head."
        ),
    ),
    Entry(
        "prove",
        ("cli.proof_commands",),
        "Set up and verify",
        (
            "Write a proof anyone can check with `assembly verify-proof`, without the database: "
            "an\nentry's inclusion receipt (C2SP tlog-proof, with the entry's bytes), one per "
            "entry behind a\nrecommendation (into the folder --out, default proofs-PANEL-NUMBER), "
            "or with --consistency\nthe proof that the ledger of an earlier checkpoint is a prefix "
            "of a later one's."
        ),
    ),
    Entry(
        "verify-proof",
        ("cli.proof_commands",),
        "Set up and verify",
        (
            "Check a receipt or a consistency proof from the file and the log's verifier key "
            "alone,\nand that at least --quorum of the --witness keys cosigned its checkpoint."
        ),
    ),
    Entry(
        "vkey",
        ("cli.proof_commands",),
        "Set up and verify",
        (
            "Print the verifier key of every enrolled log key (name+hash+base64, the form of "
            "Go's\ngolang.org/x/mod/sumdb/note), named by the charter's log origin: what "
            "journalists need."
        ),
    ),
    Entry(
        "cosignatures",
        ("cli.proof_commands",),
        "Set up and verify",
        (
            "Keep witnesses' cosignatures of a checkpoint (each checked with its --witness key); "
            "the\ncheckpoint is served with them from then on, in receipts and bundles."
        ),
    ),
    Entry(
        "backup",
        ("cli.backup_commands",),
        "Set up and verify",
        "Copy a live ledger consistently, writers or not, and write the copy's head beside it.",
    ),
    Entry(
        "verify-bundle",
        ("cli.bundle_commands",),
        "Set up and verify",
        (
            "Check a bundle without the database: every entry's hash, link, signature, signer "
            "role\nand validity, the Merkle tree head against the signed checkpoint, that at least "
            "--quorum\nof the --witness keys cosigned it, and that it extends the checkpoint "
            "accepted before, or is\nan older view of the same history (a fork is refused, with a "
            "report)."
        ),
    ),
    Entry(
        "monitor",
        ("cli.monitor_commands",),
        "Set up and verify",
        "Follow a server's log over its tiles and check all it shows, from a scheduled job.",
    ),
    Entry(
        "serve",
        ("cli.serve_commands",),
        "Read",
        (
            "Serve the status board, the recommendation pages, the verification page and the "
            "JSON\nAPI (its schema at /openapi.json) for this ledger, until interrupted. The read "
            "models are\nbrought up to date first (all of them after an upgrade that changes their "
            "format, with a\nprogress bar), so that no reader waits for that."
        ),
    ),
    Entry(
        "trail",
        ("cli.trail_commands",),
        "Read",
        "Every entry behind a recommendation, a panel or a signer, each marked if it verifies.",
    ),
    Entry(
        "composition",
        ("cli.composition_commands",),
        "Read",
        (
            "A panel's composition: per stratum, the quota (min, max) its draw was announced with, "
            "the\nmembers drawn and seated, the volunteer pool's count and share (small cells "
            "suppressed) and\nthe population share (unknown when the quota file did not give it)."
        ),
    ),
    Entry(
        "dashboard",
        ("cli.report_commands",),
        "Read",
        (
            "The commission's dashboard: how many recommendations stand at each "
            "position,\nimplementation state and verdict, per panel and per portfolio, and what is "
            "overdue."
        ),
    ),
    Entry(
        "annex",
        ("cli.report_commands",),
        "Read",
        (
            "The commission's report on one panel: counts per portfolio, each recommendation's "
            "three\naxes, the overdue answers; every line cites the seq and hash of the entry it "
            "rests on."
        ),
    ),
    Entry(
        "report",
        ("cli.press_commands",),
        "Read",
        (
            "The commission's report for the press on one panel: headline figures and a chart, "
            "each\nrecommendation in words with the government's justification and the "
            "commission's verdict,\nand an annex of every entry cited, with its hash."
        ),
    ),
    Entry(
        "demo",
        ("cli.demo",),
        "Set up and verify",
        "Run one realistic cycle of the assembly on synthetic data, then verify the ledger.",
    ),
    Entry(
        "keys",
        ("cli.keys",),
        "Set up and verify",
        "Key files and the signers enrolled in the ledger.",
    ),
    Entry(
        "ledger",
        ("cli.identity_commands",),
        "Set up and verify",
        "The ledger's identity, which every signature names; copies and moves of its database.",
    ),
    Entry(
        "panel",
        ("cli.assembly_commands", "cli.member_commands"),
        "Secretariat",
        "Convene, seat and conclude citizens' panels.",
    ),
    Entry(
        "evidence",
        ("cli.assembly_commands",),
        "Secretariat",
        "Evidence the panel received.",
    ),
    Entry(
        "vote",
        ("cli.assembly_commands",),
        "Secretariat",
        "The panel's deliberation: sessions and votes.",
    ),
    Entry(
        "commission",
        ("cli.assembly_commands", "cli.member_commands"),
        "Charter",
        "The follow-up commission's members.",
    ),
    Entry(
        "recommend",
        ("cli.answer_commands",),
        "Secretariat",
        "Adopt recommendations and hand them over.",
    ),
    Entry(
        "deadline",
        ("cli.answer_commands",),
        "Government",
        "Suspend and resume the review deadlines.",
    ),
    Entry(
        "review",
        ("cli.answer_commands",),
        "Secretariat",
        "The review appointments.",
    ),
    Entry(
        "portfolio",
        ("cli.label_commands",),
        "Government",
        "Name the portfolios, per language.",
    ),
    Entry(
        "stratum",
        ("cli.label_commands",),
        "Secretariat",
        "Name the strata of the quota tables.",
    ),
    Entry(
        "draw",
        ("cli.draw_commands",),
        "Secretariat",
        "Draws by lot that anyone can re-run.",
    ),
    Entry(
        "pool",
        ("cli.draw_commands",),
        "Secretariat",
        "The pool of volunteers who answered.",
    ),
    Entry(
        "theme",
        ("cli.draw_commands",),
        "Secretariat",
        "The group that chooses the next theme.",
    ),
    Entry(
        "projections",
        ("cli.projection_commands",),
        "Set up and verify",
        "The read models kept beside the ledger.",
    ),
    Entry(
        "witness",
        ("cli.witness_commands",),
        "Set up and verify",
        (
            "Witness another log's checkpoints: cosign them only while the log grows consistently "
            "(C2SP tlog-witness, over HTTP or with files)."
        ),
    ),
    Entry(
        "export",
        ("cli.tiles_commands", "cli.bundle_commands", "cli.export_commands"),
        "Read",
        "Export what the ledger holds as files.",
    ),
    Entry(
        "import",
        ("cli.export_commands",),
        "Any office",
        "Import spreadsheets of answers, implementation reports, recommendations or verdicts.",
    ),
    Entry(
        "template",
        ("cli.template_commands",),
        "Any office",
        "Write a workbook to fill in for a bulk step: its rows, drop-down lists and rules.",
    ),
)
