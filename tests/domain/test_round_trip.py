"""Every registered event type survives encode, sign, store, load and verify through the real
ledger; old schema versions are upcast, newer ones and unknown types refused.

``SAMPLES`` holds one valid event per registered type: a new type without a sample fails here,
so every new event class comes with its round trip.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli.store import LedgerStore
from domain.catalogue import event_types
from domain.charter import Chartered, CommissionMemberRecorded, CommissionRole
from domain.correction import CorrectionRecorded, MeetingHeld
from domain.deliberation import (
    BriefingPublished,
    Method,
    ReportSubmitted,
    SessionHeld,
    VoteHeld,
)
from domain.draws.events import (
    InvitationAnnounced,
    InvitationPerformed,
    PanelAnnounced,
    PanelPerformed,
    PoolClosed,
    ProbabilitySummary,
    QuotaLine,
    StratumCount,
    ThemeGroupFormed,
)
from domain.errors import BadPayload, UnknownEventType
from domain.events import Event, decode
from domain.government import (
    Assessed,
    DeadlineResumed,
    DeadlineSuspended,
    Implementation,
    ImplementationReported,
    ResponsibilityTransferred,
    Verdict,
)
from domain.groups import GroupDefined
from domain.labels import PortfolioNamed, StratumNamed
from domain.panel import (
    Concluded,
    Convened,
    MemberReplaced,
    MemberWithdrew,
    Seated,
    ThemeGroupRef,
    WithdrawalReason,
)
from domain.recommendation import Adopted, HandedOver
from domain.responses import AnswerTranslation, Position, Responded
from domain.roles import ROLE_GRANTS
from domain.statement import StatementGiven
from ledger import Entry, Ledger, NewEvent, RolePolicy, Signer, verification_report
from tests.conftest import Clock
from tests.domain.conftest import ROLES, new_office

ROOT = "ab" * 32
DIGEST = "sha256:" + "cd" * 32
AT = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
FR_NL = {"fr": "Le climat", "nl": "Het klimaat"}
COUNTS = [StratumCount(feature="gender", value="female", count=31)]

SAMPLES: dict[str, Event] = {
    sample.TYPE: sample
    for sample in [
        Chartered(
            name="Assembly",
            region="Brussels-Capital",
            languages=("fr", "nl", "en"),
            review_offsets=("P3M", "P12M"),
            min_justification=150,
            theme_group_size=20,
            log_origin="assembly.example/ledger",
        ),
        CommissionMemberRecorded(pseudonym="P-000005", role=CommissionRole.CHAIR, panel=1),
        CorrectionRecorded(
            supersedes=7,
            corrected_type=Convened.TYPE,
            reason="The panel has 24 seats.",
            replacement={"number": 1, "theme": FR_NL, "seats": 24},
        ),
        MeetingHeld(panel=1, review=2, on=date(2027, 6, 1), minutes_digest=DIGEST),
        BriefingPublished(
            panel=1, title="Heat pumps", author="Expert", digest=DIGEST, published_at="https://x"
        ),
        ReportSubmitted(
            panel=1, title="Our view", author="An NGO", digest=DIGEST, published_at="https://y"
        ),
        SessionHeld(panel=1, session=3, on=date(2026, 2, 7), topic="Insulation"),
        VoteHeld(
            panel=1,
            vote="V-1",
            subject="Recommendation 1",
            votes_for=80,
            votes_against=12,
            abstentions=3,
            method=Method.MAJORITY,
            adopted=True,
            percent_for="84.21",
            percent_against="12.63",
            percent_abstaining="3.16",
        ),
        InvitationAnnounced(
            panel=1,
            draw_id="panel-1/stage-1",
            register_root=ROOT,
            register_size=200,
            addresses_per_municipality={"Evere": 120, "Uccle": 80},
            letters=40,
            letters_per_municipality={"Evere": 24, "Uccle": 16},
            randomness_source="Lotto of 8 March",
            algorithm="sha256-lowest-keys-per-municipality/1",
        ),
        InvitationPerformed(
            panel=1,
            draw_id="panel-1/stage-1",
            register_root=ROOT,
            algorithm="sha256-lowest-keys-per-municipality/1",
            randomness_source="Lotto of 8 March",
            randomness_value="4 11 23 31 38 42",
            randomness_published_at=AT,
            seed="ef" * 32,
            selected_root="01" * 32,
            selected_count=40,
            selected_per_municipality={"Evere": 24, "Uccle": 16},
        ),
        PoolClosed(
            panel=1,
            pool_root=ROOT,
            pool_size=60,
            counts=[*COUNTS, StratumCount(feature="gender", value="other", count=None)],
            suppressed_below=5,
        ),
        PanelAnnounced(
            panel=1,
            draw_id="panel-1/stage-2",
            pool_root=ROOT,
            pool_size=60,
            quotas=[QuotaLine(feature="gender", value="female", min=5, max=7)],
            quota_digest=DIGEST,
            portfolio_digest=DIGEST,
            portfolio_size=20,
            panel_size=12,
            algorithm="legacy",
            pick_algorithm="sha256-mod-m/1",
            solver="none",
            versions={"sortition-algorithms": "0.12.0"},
            library_seed=12345,
            randomness_source="Lotto of 15 March",
            randomness_after=AT,
        ),
        PanelPerformed(
            panel=1,
            draw_id="panel-1/stage-2",
            pool_root=ROOT,
            quota_digest=DIGEST,
            portfolio_digest=DIGEST,
            algorithm="legacy",
            randomness_source="Lotto of 15 March",
            randomness_value="1 2 3 4 5 6",
            randomness_published_at=AT,
            seed="ef" * 32,
            panel_index=7,
            selected=["P-000001", "P-000002"],
            achieved=COUNTS,
            probability=ProbabilitySummary(
                min_ppm=0, max_ppm=400_000, mean_ppm=200_000, zero_count=3
            ),
        ),
        ThemeGroupFormed(
            panel=2,
            from_panel=1,
            formed_by="drawn",
            size=2,
            pseudonyms=["P-000001", "P-000002"],
            draw_id="panel-2/theme",
            randomness_source="Lotto of 1 June",
            randomness_value="7 8 9 10 11 12",
            randomness_published_at=AT,
            seed="ef" * 32,
        ),
        DeadlineSuspended(since=date(2026, 5, 10), reason="Elections."),
        DeadlineResumed(on=date(2026, 7, 18)),
        ImplementationReported(
            panel=1,
            number=2,
            status=Implementation.COMPLETED_MODIFIED,
            progress=100,
            milestone="Grant scheme opened",
            justification="Changed. " * 30,
            evidence_digest=DIGEST,
        ),
        Responded(
            panel=1,
            number=2,
            review=1,
            position=Position.UNDER_STUDY,
            justification="We are looking into it.",
            planned_measures="A study.",
            portfolio="climate",
            decision_date=date(2026, 12, 31),
            referred_to=None,
            evidence_digest=None,
            statement="fr-2020-06-29",
            language="fr",
            translations={"nl": AnswerTranslation(justification="We bekijken het.")},
        ),
        ResponsibilityTransferred(
            panel=1,
            number=2,
            from_portfolio="mobility",
            to_portfolio="climate",
            reason="Reshuffle.",
        ),
        Assessed(
            panel=1,
            number=2,
            verdict=Verdict.DISPUTES,
            reasons="Pas de budget.",
            score="2.8",
            language="fr",
            translations={"nl": "Geen budget."},
        ),
        StatementGiven(
            id="fr-2020-06-29",
            text={"fr": "Je reprends les propositions.", "en": "I take up the proposals."},
            on=date(2020, 6, 29),
            by="Présidence de la République",
            source="https://www.elysee.fr/",
            covers=("1/1", "1/2"),
        ),
        Concluded(number=1, on=date(2026, 6, 30)),
        Convened(
            number=2,
            theme=FR_NL,
            seats=100,
            theme_chosen_by="theme_group",
            theme_group=ThemeGroupRef(panel=1, size=25, formed_by="volunteered"),
        ),
        MemberReplaced(number=1, withdrawn="P-000001", replacement="P-000003"),
        MemberWithdrew(number=1, pseudonym="P-000001", reason=WithdrawalReason.HEALTH),
        Seated(number=1, members=("P-000001", "P-000002")),
        Adopted(
            panel=1,
            number=2,
            title=FR_NL,
            text={"fr": "Isoler.", "nl": "Isoleren."},
            priority="high",
            portfolio="climate",
            vote="V-1",
            reference="SD-E2",
            group="sd1",
            supporting={"fr": "Parce que."},
            shared_with=("housing",),
        ),
        HandedOver(panel=1, number=2, on=date(2026, 7, 1)),
        GroupDefined(code="sd1", level="objective", title={"fr": "Se déplacer"}, parent=None),
        PortfolioNamed(portfolio="transition-ecologique", labels={"fr": "Transition écologique"}),
        StratumNamed(stratum="age", value="16-24", labels={"fr": "16 à 24 ans"}),
    ]
}


def writer_of(type_name: str) -> str:
    """The first role of the office that the role table lets write ``type_name``."""
    policy = RolePolicy(ROLE_GRANTS)
    return next(role for role in ROLES if policy.may_write(role, type_name))


@dataclass
class Stored:
    ledger: Ledger
    keys: dict[str, Signer]
    streams: dict[str, uuid.UUID]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stored]:
    """Every sample appended through the real ledger, each in a stream of its own, signed by
    the key of the role that may write it."""
    office = new_office(tmp_path_factory.mktemp("round-trip"), Clock(AT))
    streams = {}
    for type_name, sample in SAMPLES.items():
        streams[type_name] = uuid.uuid4()
        new = NewEvent(
            type=sample.TYPE, payload=sample.to_payload(), occurred_at=AT, schema=sample.SCHEMA
        )
        office.ledger.append_new(office.keys[writer_of(type_name)], streams[type_name], 0, [new])
    yield Stored(office.ledger, office.keys, streams)
    office.ledger.close()


def test_every_registered_event_type_has_a_sample() -> None:
    registered = set(event_types())
    assert registered - set(SAMPLES) == set(), "add a sample for each new event type"
    assert set(SAMPLES) - registered == set()


def test_every_registered_event_type_is_written_by_some_role() -> None:
    policy = RolePolicy(ROLE_GRANTS)
    for type_name in event_types():
        assert any(policy.may_write(role, type_name) for role in ROLES), type_name


@pytest.mark.parametrize("type_name", sorted(event_types()))
def test_an_event_survives_encode_sign_store_and_load(stored: Stored, type_name: str) -> None:
    sample = SAMPLES.get(type_name)
    assert sample is not None, f"{type_name} has no sample in SAMPLES"
    (recorded,) = LedgerStore(stored.ledger, None).load(stored.streams[type_name])
    assert type(recorded.event) is type(sample)
    assert recorded.event == sample
    assert (recorded.version, recorded.occurred_at) == (1, AT)
    assert recorded.role == writer_of(type_name)
    assert recorded.signer == stored.keys[writer_of(type_name)].key_id


def test_the_ledger_of_every_sample_verifies(stored: Stored) -> None:
    report = verification_report(stored.ledger.recorder, RolePolicy(ROLE_GRANTS))
    # The tests below add a few raw entries to the same ledger; it verifies with them too.
    assert report.entries == stored.ledger.count() >= len(ROLES) + len(SAMPLES)
    assert report.head == stored.ledger.head()


# -- schema versions and unknown types ------------------------------------------------------


def append_raw(
    stored: Stored, role: str, type_name: str, payload: dict[str, object], *, schema: int
) -> tuple[uuid.UUID, Entry]:
    """Append a payload as written by some program, without the domain's classes."""
    stream = uuid.uuid4()
    new = NewEvent(type=type_name, payload=payload, occurred_at=AT, schema=schema)
    (entry,) = stored.ledger.append_new(stored.keys[role], stream, 0, [new])
    return stream, entry


ASSESSED_V1 = {"panel": 1, "number": 2, "verdict": "agrees", "reasons": "Done as promised."}


def test_an_assessment_of_schema_1_is_upcast_without_a_score(stored: Stored) -> None:
    stream, entry = append_raw(stored, "commission", Assessed.TYPE, ASSESSED_V1, schema=1)
    assert entry.event["schema"] == 1 and "score" not in entry.event["payload"]
    (recorded,) = LedgerStore(stored.ledger, None).load(stream)
    assert recorded.event == Assessed(
        panel=1, number=2, verdict=Verdict.AGREES, reasons="Done as promised.", score=None
    )
    assert type(recorded.event) is Assessed and Assessed.SCHEMA == 3


ADOPTED_V1 = {
    "panel": 1,
    "number": 2,
    "title": {"fr": "Isoler"},
    "text": {"fr": "Isoler les logements."},
    "priority": "medium",
    "portfolio": "climate",
    "vote": "V-1",
}
VOTE_V1 = {
    "panel": 1,
    "vote": "V-1",
    "subject": "Recommendation 1",
    "votes_for": 80,
    "votes_against": 12,
    "abstentions": 3,
    "method": "majority",
    "adopted": True,
}


def test_an_adoption_of_schema_1_is_upcast_without_reference_group_or_shared_portfolios(
    stored: Stored,
) -> None:
    stream, _ = append_raw(stored, "secretariat", Adopted.TYPE, ADOPTED_V1, schema=1)
    (recorded,) = LedgerStore(stored.ledger, None).load(stream)
    assert recorded.event == Adopted(**ADOPTED_V1)  # type: ignore[arg-type]
    assert isinstance(recorded.event, Adopted)
    assert (recorded.event.reference, recorded.event.group) == (None, None)
    assert recorded.event.portfolios == ("climate",) and recorded.event.supporting == {}


def test_a_vote_of_schema_1_is_upcast_with_its_counts_and_no_percentages(stored: Stored) -> None:
    stream, _ = append_raw(stored, "secretariat", VoteHeld.TYPE, VOTE_V1, schema=1)
    (recorded,) = LedgerStore(stored.ledger, None).load(stream)
    assert isinstance(recorded.event, VoteHeld)
    assert recorded.event.result == "80 for, 12 against, 3 abstaining"
    assert recorded.event.percent_for is None and VoteHeld.SCHEMA == 2


def test_a_schema_newer_than_known_is_refused(stored: Stored) -> None:
    stream, _ = append_raw(stored, "commission", Assessed.TYPE, ASSESSED_V1, schema=4)
    with pytest.raises(
        BadPayload,
        match=f"The payload of {Assessed.TYPE} is not valid: schema 4 is newer than this "
        "program knows",
    ):
        LedgerStore(stored.ledger, None).load(stream)


def test_an_unknown_event_type_is_refused(stored: Stored) -> None:
    stream, entry = append_raw(stored, "secretariat", "assembly.panel.renamed", {"n": 1}, schema=1)
    store = LedgerStore(stored.ledger, None)
    with pytest.raises(
        UnknownEventType, match=r"assembly\.panel\.renamed is not an event type of the assembly"
    ):
        store.load(stream)
    assert store.find(entry.seq) is None


def test_a_stored_payload_that_does_not_fit_its_type_is_refused(stored: Stored) -> None:
    stream, _ = append_raw(stored, "secretariat", Convened.TYPE, {"number": 1}, schema=1)
    with pytest.raises(BadPayload, match=f"The payload of {Convened.TYPE} is not valid: theme"):
        LedgerStore(stored.ledger, None).load(stream)


# -- properties -----------------------------------------------------------------------------

portfolios = st.from_regex(r"[a-z][a-z0-9_-]{0,63}", fullmatch=True)
digests = st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)
numbers = st.integers(min_value=1, max_value=10**6)

responses = st.builds(
    Responded,
    panel=numbers,
    number=numbers,
    review=st.integers(min_value=1, max_value=12),
    position=st.sampled_from(Position),
    justification=st.text(max_size=300),
    planned_measures=st.text(max_size=100),
    portfolio=portfolios,
    decision_date=st.none() | st.dates(),
    referred_to=st.none() | st.text(max_size=50),
    evidence_digest=st.none() | digests,
)
reports = st.builds(
    ImplementationReported,
    panel=numbers,
    number=numbers,
    status=st.sampled_from(Implementation),
    progress=st.none() | st.integers(min_value=-(2**31), max_value=2**31),
    milestone=st.text(max_size=200),
    justification=st.text(max_size=300),
    evidence_digest=st.none() | digests,
)
assessments = st.builds(
    Assessed,
    panel=numbers,
    number=numbers,
    verdict=st.sampled_from(Verdict),
    reasons=st.text(max_size=300),
    score=st.none() | st.from_regex(r"-?[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True),
)


@given(st.one_of(responses, reports, assessments))
def test_an_answer_report_or_verdict_decodes_from_its_payload(event: Event) -> None:
    assert decode(event.TYPE, event.SCHEMA, event.to_payload()) == event
