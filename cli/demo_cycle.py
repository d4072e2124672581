"""The demo's cycle, step by step: what the secretariat, the government and the commission
record, on which (simulated) day, from the synthetic data of ``cli.synthetic``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cli import draw_work, synthetic
from cli.demo_office import Office, day, sha256_digest, with_event
from cli.synthetic import labels
from domain import commands, draw_steps
from domain.charter import Chartered, CommissionMemberRecorded, CommissionRole
from domain.correction import MeetingHeld
from domain.deliberation import BriefingPublished, ReportSubmitted, SessionHeld, VoteHeld
from domain.government import Assessed, ImplementationReported, ResponsibilityTransferred
from domain.panel import Convened, ThemeGroupRef, WithdrawalReason
from domain.process import Session
from domain.recommendation import Adopted
from domain.responses import Responded


@dataclass(frozen=True)
class Defaults:
    """The demo's draw settings (benchmarks/draw.py measured them; README says why)."""

    algorithm: str = "maximin"
    portfolio_size: int = 1000
    pool_size: int = 400


CYCLE = Defaults()
HANDED_OVER = date(2023, 6, 15)
# The language the synthetic answers and verdicts are written in: recorded with them, so that a
# French or Dutch page marks them (lang="en", "only in English").
SYNTHETIC_TEXTS = "en"
SUSPENDED = (date(2024, 5, 10), date(2024, 7, 18))


class Cycle:
    """One panel's cycle as a list of described steps, and what they produced."""

    def __init__(
        self, office: Office, *, pool_size: int, portfolio_size: int, algorithm: str
    ) -> None:
        self.office = office
        self.pool_size = pool_size
        self.portfolio_size = portfolio_size
        self.algorithm = algorithm
        self.files = office.out
        self.recs = synthetic.recommendations(60, seed=office.seed)
        self.answers = synthetic.government_answers(
            self.recs, seed=office.seed, handed_over=HANDED_OVER
        )
        self.letters = 10_000
        self.addresses = 0
        self.seated = 0
        self.members: tuple[str, ...] = ()
        self.min_ppm = 0
        self.adopted = 0
        self.positions: dict[int, str] = {}
        self.unanswered = 0
        self.reports = 0
        self.verdicts = 0
        self.next_theme = ""
        self.steps: list[tuple[str, Callable[[], None]]] = [
            ("Charter and panel 1", self.charter),
            ("Stage 1: 10,000 invitations", self.invitations),
            ("Stage 2: the pool and its portfolio", self.panel_draw),
            ("Seating the panel", self.seat),
            ("Evidence and deliberation", self.deliberate),
            ("60 recommendations adopted", self.adopt),
            ("Theme group and panel 2", self.next_panel),
            ("Names of the portfolios and strata", self.names),
            ("Hand-over and answers at 3 months", self.first_answers),
            ("Implementation reports", self.implementation),
            ("Elections: deadlines suspended", self.suspension),
            ("The 12-month review", self.second_answers),
            ("The commission's verdicts", self.verdicts_step),
        ]

    # -- the secretariat ------------------------------------------------------------------

    def charter(self) -> None:
        charter = Chartered(
            name="Brussels Citizens' Assembly on Climate (demo)",
            region="Brussels-Capital Region",
            languages=("fr", "nl", "en"),
            log_origin="demo.assembly.example/ledger",
        )
        self.office.do(
            "charter", day("2022-10-04"), lambda s, at: commands.write_charter(s, charter, at=at)
        )
        convened = Convened(
            number=1, theme=synthetic.panel_theme(1), seats=100, theme_chosen_by="government"
        )
        self.office.do(
            "secretariat", day("2022-10-10"), lambda s, at: commands.convene(s, convened, at=at)
        )

    def invitations(self) -> None:
        register = self.files / "register.csv"
        self.addresses = sum(synthetic.write_register(register, seed=self.office.seed).values())
        self.office.do(
            "secretariat",
            day("2022-10-12"),
            lambda s, at: draw_work.announce_invitations(
                s,
                1,
                register,
                letters=self.letters,
                draw_id="panel-1-invitations",
                randomness_source="Synthetic lottery draw of 2022-10-15",
                at=at,
            ),
        )
        self.office.do(
            "secretariat",
            day("2022-10-17"),
            lambda s, at: draw_work.perform_invitations(
                s,
                1,
                register,
                salts_file=None,
                randomness_value=self.office.public_value("stage 1"),
                randomness_published_at=day("2022-10-15", 20),
                invitations_out=self.files / "invitations.csv",
                at=at,
            ),
        )

    def panel_draw(self) -> None:
        pool, quotas = self.files / "pool.csv", self.files / "quotas.csv"
        synthetic.write_pool(
            pool,
            size=self.pool_size,
            seed=self.office.seed,
            identities_path=self.files / "identities.csv",
        )
        synthetic.write_quotas(quotas, panel_size=100)
        self.office.do(
            "secretariat",
            day("2022-12-16"),
            lambda s, at: draw_work.close_pool(s, 1, pool, quotas_file=quotas, at=at),
        )
        self.office.do(
            "secretariat",
            day("2022-12-19"),
            lambda s, at: draw_work.announce_panel_draw(
                s,
                1,
                pool_file=pool,
                quotas_file=quotas,
                portfolio_out=self.files / "portfolio.json",
                portfolio_size=self.portfolio_size,
                panel_size=100,
                algorithm=self.algorithm,
                randomness_source="Synthetic lottery draw of 2022-12-21",
                draw_id="panel-1-seats",
                at=at,
            ),
        )
        self.office.do(
            "secretariat",
            day("2022-12-22"),
            lambda s, at: draw_work.perform_panel_draw(
                s,
                1,
                pool_file=pool,
                quotas_file=quotas,
                portfolio_file=self.files / "portfolio.json",
                randomness_value=self.office.public_value("stage 2"),
                randomness_published_at=day("2022-12-21", 20),
                at=at,
            ),
        )

    def seat(self) -> None:
        self.office.do("secretariat", day("2023-01-09"), lambda s, at: commands.seat(s, 1, at=at))
        session = self.office.session("secretariat")
        performed = draw_steps.panel_draw(session, 1).performed
        assert performed is not None
        self.min_ppm = performed.probability.min_ppm
        members = list(performed.selected)
        pool_ids = [
            line.split(",")[0] for line in (self.files / "pool.csv").read_text().splitlines()[1:]
        ]
        reserve = next(p for p in pool_ids if p not in set(members))
        leaving = members[7]
        self.office.do(
            "secretariat",
            day("2023-02-06"),
            lambda s, at: commands.withdraw(s, 1, leaving, WithdrawalReason.PERSONAL, at=at),
        )
        self.office.do(
            "secretariat",
            day("2023-02-07"),
            lambda s, at: commands.replace(s, 1, leaving, reserve, at=at),
        )
        self.members = tuple(sorted({*members, reserve} - {leaving}))
        self.seated = len(self.members)

    def deliberate(self) -> None:
        documents = synthetic.evidence_documents(self.office.seed)
        start = date(2023, 1, 14)
        for index, document in enumerate(documents):
            kind = BriefingPublished if document.kind == "briefing" else ReportSubmitted
            event = kind(
                panel=1,
                title=document.title,
                author=document.author,
                digest=sha256_digest(document.content),
                published_at=document.published_at,
            )
            when = day(start + timedelta(days=7 * index))
            self.office.do("secretariat", when, with_event(commands.add_evidence, event))
            held = SessionHeld(
                panel=1,
                session=index + 1,
                on=when.date(),
                topic=f"Session {index + 1}: {document.title}",
            )
            self.office.do(
                "secretariat",
                when + timedelta(hours=6),
                with_event(commands.hold_session, held),
            )

    def adopt(self) -> None:
        session = self.office.session("secretariat")
        at = self.office.clock.to(day("2023-04-22"))
        for rec in self.recs:
            vote = f"V-{rec.number}"
            commands.record_vote(
                session,
                VoteHeld.model_validate(
                    dict(
                        panel=1,
                        vote=vote,
                        subject=f"Recommendation {rec.number}",
                        votes_for=rec.votes_for,
                        votes_against=rec.votes_against,
                        abstentions=rec.votes_abstain,
                        method="majority",
                        adopted=True,
                    )
                ),
                at=at,
            )
            commands.adopt(
                session,
                Adopted.model_validate(
                    dict(
                        panel=1,
                        number=rec.number,
                        title=dict(rec.title),
                        text=dict(rec.text),
                        priority=rec.priority,
                        portfolio=rec.portfolio,
                        vote=vote,
                    )
                ),
                at=at,
            )
        session.commit()
        self.adopted = len(self.recs)
        self.office.do(
            "secretariat",
            day("2023-05-06"),
            lambda s, at: commands.conclude(s, 1, date(2023, 5, 6), at=at),
        )

    def next_panel(self) -> None:
        self.office.do(
            "secretariat",
            day("2023-05-20"),
            lambda s, at: draw_steps.draw_theme_group(
                s,
                2,
                public_value=self.office.public_value("theme group"),
                randomness_source="Synthetic lottery draw of 2023-05-19",
                randomness_published_at=day("2023-05-19", 20),
                draw_id="panel-2-theme-group",
                at=at,
            ),
        )
        theme = synthetic.panel_theme(2)
        self.next_theme = theme.get("en") or next(iter(theme.values()))
        group = ThemeGroupRef(panel=1, size=25, formed_by="drawn")
        convened = Convened(
            number=2, theme=theme, seats=100, theme_chosen_by="theme_group", theme_group=group
        )
        self.office.do(
            "secretariat", day("2023-06-05"), lambda s, at: commands.convene(s, convened, at=at)
        )
        for index, pseudonym in enumerate(self.members[:10]):
            role = CommissionRole.CHAIR if index == 0 else CommissionRole.MEMBER
            member = CommissionMemberRecorded(pseudonym=pseudonym, role=role, panel=1)
            self.office.do(
                "charter",
                day("2023-06-10"),
                with_event(commands.record_member, member),
            )

    # -- the government -------------------------------------------------------------------

    def names(self) -> None:
        """The portfolios and strata named in the charter's languages, so that the pages and the
        report show labels, never codes (cli/synthetic/labels.py)."""

        def portfolios(session: Session, at: datetime) -> None:
            for event in labels.portfolio_names():
                commands.name_portfolio(session, event, at=at)

        def strata(session: Session, at: datetime) -> None:
            for event in labels.stratum_names():
                commands.name_stratum(session, event, at=at)

        self.office.do("government", day(HANDED_OVER), portfolios)
        self.office.do("secretariat", day(HANDED_OVER), strata)

    def first_answers(self) -> None:
        session = self.office.session("secretariat")
        at = self.office.clock.to(day(HANDED_OVER))
        for rec in self.recs:
            commands.hand_over(session, 1, rec.number, HANDED_OVER, at=at)
        session.commit()
        for answer in sorted((a for a in self.answers if a), key=lambda a: a.answered_on):
            self._respond(answer, review=1)
            self.positions[answer.number] = answer.position
        self.unanswered = sum(1 for answer in self.answers if answer is None)
        meeting = MeetingHeld(panel=1, review=1, on=date(2023, 9, 28))
        self.office.do(
            "secretariat", day("2023-09-28"), lambda s, at: commands.hold_review(s, meeting, at=at)
        )

    def _respond(self, answer: synthetic.SyntheticAnswer, *, review: int) -> None:
        event = Responded.model_validate(
            dict(
                panel=1,
                number=answer.number,
                review=review,
                position=answer.position,
                justification=answer.justification,
                planned_measures=answer.planned_measures,
                portfolio=answer.portfolio,
                decision_date=answer.decision_date,
                referred_to=answer.referred_to,
                evidence_digest=sha256_digest(answer.evidence) if answer.evidence else None,
                language=SYNTHETIC_TEXTS,
            )
        )
        self.office.do(
            "government", day(answer.answered_on), lambda s, at: commands.respond(s, event, at=at)
        )

    def implementation(self) -> None:
        reports = synthetic.implementation_reports(self.answers, seed=self.office.seed)
        start = date(2024, 3, 1)
        for index, report in enumerate(reports):
            event = ImplementationReported.model_validate(
                dict(
                    panel=1,
                    number=report.number,
                    status=report.status,
                    progress=report.progress,
                    milestone=report.milestone,
                    justification=report.justification,
                    evidence_digest=sha256_digest(report.evidence) if report.evidence else None,
                )
            )
            self.office.do(
                "government",
                day(start + timedelta(days=index // 4)),
                with_event(commands.report, event),
            )
        self.reports = len(reports)

    def suspension(self) -> None:
        since, until = SUSPENDED
        self.office.do(
            "government",
            day(since),
            lambda s, at: commands.suspend(
                s,
                since,
                "Regional elections of 9 June 2024 and the forming of a new government.",
                at=at,
            ),
        )
        self.office.do("government", day(until), lambda s, at: commands.resume(s, until, at=at))
        moved = next(rec for rec in self.recs if rec.portfolio == "mobility")
        transfer = ResponsibilityTransferred(
            panel=1,
            number=moved.number,
            from_portfolio="mobility",
            to_portfolio="climate",
            reason="The new government moved urban mobility measures to the climate portfolio.",
        )
        self.office.do(
            "government", day("2024-07-22"), lambda s, at: commands.transfer(s, transfer, at=at)
        )

    def second_answers(self) -> None:
        reviews = synthetic.review_answers(
            self.recs, self.answers, seed=self.office.seed, handed_over=HANDED_OVER
        )
        for answer in sorted((a for a in reviews if a), key=lambda a: a.answered_on):
            self._respond(answer, review=2)
        meeting = MeetingHeld(panel=1, review=2, on=date(2024, 9, 5))
        self.office.do(
            "secretariat", day("2024-09-05"), lambda s, at: commands.hold_review(s, meeting, at=at)
        )

    # -- the commission -------------------------------------------------------------------

    def verdicts_step(self) -> None:
        verdicts = synthetic.assessments(self.answers, seed=self.office.seed)
        session = self.office.session("commission")
        at = self.office.clock.to(day("2024-09-20"))
        for verdict in verdicts:
            commands.assess(
                session,
                Assessed.model_validate(
                    dict(
                        panel=1,
                        number=verdict.number,
                        verdict=verdict.verdict,
                        reasons=verdict.reasons,
                        score=verdict.score,
                        language=SYNTHETIC_TEXTS,
                    )
                ),
                at=at,
            )
        session.commit()
        self.verdicts = len(verdicts)


__all__ = ["CYCLE", "Cycle"]
