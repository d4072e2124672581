"""The rules a template writes beside its columns, as the charter the ledger holds sets them:
for each kind, the rows of its ``rules`` sheet (column, allowed values, rule) and each column's
rule in the few words an input message holds (Excel shows 255 characters).

They restate the domain's checks (``domain.responses.check_response``,
``domain.government.check_implementation`` and ``check_assessment``,
``domain.recommendation.check_adoption``); the import applies the checks themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from domain.charter import Chartered
from domain.government import Implementation, Verdict
from domain.responses import Position
from sheets.cells import DAY_HINT

RuleRow = tuple[str, str, str]  # (column, allowed values, rule)
Rules = tuple[list[RuleRow], dict[str, str]]  # the rules sheet's rows, each column's prompt
REFERENCE = "PANEL/NUMBER or the assembly's own reference"
DIGEST = "sha256: and 64 hexadecimal digits"


def _needs(minimums: Mapping[str, int], names: Iterable[str]) -> str:
    """``rejected 200, accepted_in_part 200``: the minimum characters of those needing some."""
    wanted = [f"{name} {minimums[name]}" for name in names if minimums.get(name)]
    return ", ".join(wanted) or "none"


def _dated(what: str) -> tuple[RuleRow, str]:
    return (
        ("date", DAY_HINT, f"The day of the {what}; empty: the day of the import."),
        f"The day of the {what} (empty: today). Dates: {DAY_HINT}.",
    )


def answer_rules(charter: Chartered) -> Rules:
    """An answer's rules (``domain.responses.check_response``)."""
    minimums = charter.minimums()
    needs = {
        Position.UNDER_STUDY: "a decision_date (the date by which a decision will be taken)",
        Position.NOT_COMPETENT: "referred_to (whom the recommendation was referred to)",
        Position.ALREADY_IN_PLACE: f"an evidence_digest ({DIGEST})",
    }
    positions = []
    for position in Position:
        wanted = [needs[position]] if position in needs else []
        if minimums.get(position.value):
            wanted.insert(0, f"a justification of at least {minimums[position.value]} characters")
        rule = "needs " + " and ".join(wanted) + "." if wanted else "needs nothing more."
        positions.append((f"position: {position.value}", "", rule))
    justified = _needs(minimums, (position.value for position in Position))
    languages = ", ".join(charter.languages)
    date_rule, date_prompt = _dated("answer")
    rules = [
        ("recommendation", REFERENCE, "Prefilled: keep it."),
        ("review", f"1 to {charter.reviews}", "Prefilled: the review appointment answered."),
        ("position", ", ".join(Position), "The government's position; see below what each needs."),
        (
            "portfolio",
            "the recommendation's portfolio or one it is shared with",
            "Prefilled; if another portfolio took it over, record the transfer first.",
        ),
        ("justification", "text", f"Minimum characters per position: {justified}."),
        ("planned_measures", "text", "What the government will do."),
        ("decision_date", DAY_HINT, "Needed for under_study."),
        ("referred_to", "text", "Needed for not_competent."),
        ("evidence_digest", "sha256:<64 hex>", "Needed for already_in_place."),
        date_rule,
        ("statement", "a joint statement's id", "Only for an answer given in a joint statement."),
        ("language", languages, "The language the texts are written in."),
        *positions,
    ]
    prompt = "; ".join(
        [
            *(
                f"{name} a justification of {length}+ characters"
                for name, length in _of(minimums, Position)
            ),
            "under_study a decision_date",
            "not_competent referred_to",
            "already_in_place an evidence_digest",
        ]
    )
    prompts = {
        "position": f"Needs: {prompt}.",
        "justification": f"Minimum characters: {justified}.",
        "decision_date": f"Needed for under_study. Dates: {DAY_HINT}.",
        "date": date_prompt,
        "referred_to": "Needed for not_competent: whom it was referred to.",
        "evidence_digest": f"Needed for already_in_place: {DIGEST}.",
        "language": f"The language the texts are in: {languages}.",
    }
    return rules, prompts


def implementation_rules(charter: Chartered) -> Rules:
    """An implementation report's rules (``domain.government.check_implementation``)."""
    minimums = charter.minimums()
    justified = _needs(minimums, (status.value for status in Implementation))
    date_rule, date_prompt = _dated("report")
    statuses = [
        (
            f"status: {status.value}",
            "",
            f"needs a justification of at least {minimums[status.value]} characters."
            if minimums.get(status.value)
            else "needs nothing more.",
        )
        for status in Implementation
    ]
    rules = [
        ("recommendation", REFERENCE, "Prefilled: keep it."),
        ("status", ", ".join(Implementation), "How implementation goes; see below."),
        ("progress", "0 to 100, or empty", "A percentage; completed is 100 (or empty)."),
        ("milestone", "text (2,000 characters at most)", "The step reached."),
        ("justification", "text", f"Minimum characters per status: {justified}."),
        ("evidence_digest", "sha256:<64 hex>", "The SHA-256 digest of the evidence, if any."),
        date_rule,
        *statuses,
    ]
    prompts = {
        "status": f"Minimum characters of justification: {justified}.",
        "progress": "A percentage from 0 to 100 (completed: 100 or empty); empty: unknown.",
        "justification": f"Minimum characters per status: {justified}.",
        "evidence_digest": f"{DIGEST}, if any.",
        "date": date_prompt,
    }
    return rules, prompts


def verdict_rules(charter: Chartered) -> Rules:
    """A verdict's rules (``domain.government.check_assessment``)."""
    languages = ", ".join(charter.languages)
    date_rule, date_prompt = _dated("verdict")
    rules = [
        ("recommendation", REFERENCE, "Prefilled: keep it."),
        ("verdict", ", ".join(Verdict), "The commission's verdict; disputes needs reasons."),
        ("reasons", "text (20,000 characters at most)", "Needed for disputes."),
        ("score", "0 to 10, at most one decimal (2.8), or empty", "Optional."),
        date_rule,
        ("language", languages, "The language the reasons are written in."),
    ]
    prompts = {
        "verdict": "disputes needs the commission's reasons.",
        "reasons": "Needed for disputes.",
        "score": "From 0 to 10 with at most one decimal, such as 2.8; empty: none.",
        "date": date_prompt,
        "language": f"The language of the reasons: {languages}.",
    }
    return rules, prompts


def recommendation_rules(charter: Chartered) -> Rules:
    """An adoption's rules (``domain.recommendation.check_adoption``) and its hand-over's."""
    languages = ", ".join(charter.languages)
    date_rule, date_prompt = _dated("adoption")
    rules = [
        ("panel", "the panel's number", "Prefilled on the rows already adopted."),
        ("number", "1, 2, ...", "Unique within the panel."),
        ("portfolio", "a code such as climate", "The lead portfolio."),
        ("vote", "a vote's id, such as V-1", "The vote that adopted it (recorded first)."),
        ("reference", "such as SD-E2, or empty", "The assembly's own reference, unique."),
        ("group", "a group's code, or empty", "A group defined beforehand."),
        ("priority", "high, medium, low", "Empty: medium."),
        ("shared_with", "portfolio codes separated by commas", "Others that may answer it."),
        date_rule,
        ("handed_over", DAY_HINT, "The day it was handed to the government; empty: not yet."),
        ("text_LANG", languages, "Its text, in one of the charter's languages at least."),
        ("title_LANG", languages, "Its title, if it has one."),
        ("supporting_LANG", languages, "Its supporting statement, if any."),
    ]
    prompts = {
        "vote": "The id of the vote that adopted it, such as V-1.",
        "priority": "high, medium or low; empty: medium.",
        "shared_with": "Other portfolios' codes, separated by commas.",
        "date": date_prompt,
        "handed_over": f"The day of the hand-over; empty: not yet. Dates: {DAY_HINT}.",
    }
    return rules, prompts


def _of(minimums: Mapping[str, int], names: Iterable[str]) -> list[tuple[str, int]]:
    return [(str(name), minimums[name]) for name in names if minimums.get(name)]
