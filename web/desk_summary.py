"""What an office is about to sign, in plain words in the page's language (``web.desk``).

A summary is a headline (what the entry will say, about what) and one line per value the
event carries, each named as a reader names it, with the axes' values in words
(``web.i18n.label``); free texts are shown whole, since they are what is signed.
"""

from __future__ import annotations

from typing import Any

from domain.events import Pending
from ledger.canonical import format_time
from web.i18n import LABELS, colon, format_moment, label, translations

HEADLINES = {
    "assembly.government.responded": (
        "The government's answer to recommendation %(ref)s, at review %(review)s"
    ),
    "assembly.government.implementation_reported": (
        "A report on the implementation of recommendation %(ref)s"
    ),
    "assembly.commission.assessed": "The commission's verdict on recommendation %(ref)s",
    "assembly.government.responsibility_transferred": ("Recommendation %(ref)s changes portfolio"),
    "assembly.government.deadline_suspended": "Every review deadline stands still",
    "assembly.government.deadline_resumed": "The review deadlines run again",
    "assembly.recommendation.adopted": "Panel %(panel)s adopts recommendation %(ref)s",
    "assembly.recommendation.handed_over": (
        "Recommendation %(ref)s is handed over to the government: its review clocks start"
    ),
    "assembly.review.meeting_held": "Review meeting %(review)s of panel %(panel)s",
    "assembly.deliberation.vote_held": "Vote %(vote)s of panel %(panel)s",
    "assembly.evidence.briefing_published": "An expert briefing to panel %(panel)s",
    "assembly.evidence.report_submitted": "A stakeholder report to panel %(panel)s",
    "assembly.commission.member_recorded": (
        "A member of the follow-up commission, from panel %(panel)s"
    ),
}
# Each value's name, as the form names it (message ids of the catalogues).
NAMES = {
    "position": "Position",
    "portfolio": "Portfolio",
    "justification": "Justification",
    "planned_measures": "Planned measures",
    "decision_date": "Decision by",
    "referred_to": "Referred to",
    "evidence_digest": "Evidence (SHA-256)",
    "language": "Language of the texts",
    "status": "Implementation",
    "progress": "Progress (%)",
    "milestone": "Milestone",
    "verdict": "Verdict",
    "reasons": "Reasons",
    "score": "Score (0-10)",
    "from_portfolio": "From portfolio",
    "to_portfolio": "To portfolio",
    "reason": "Reason",
    "since": "Since",
    "on": "On",
    "title": "Title",
    "text": "Text",
    "priority": "Priority",
    "vote": "Vote",
    "reference": "Reference",
    "minutes_digest": "Minutes (SHA-256)",
    "author": "Author or organisation",
    "digest": "Document (SHA-256)",
    "published_at": "Where it is published",
    "pseudonym": "Pseudonym",
    "role": "Role",
    "subject": "Subject",
    "votes_for": "For",
    "votes_against": "Against",
    "abstentions": "Abstaining",
    "method": "Method",
    "adopted": "Adopted",
}
SKIPPED = ("panel", "number", "review", "translations", "statement", "supporting")


def summary_of(pending: Pending, *, lang: str) -> dict[str, Any]:
    """The headline and the lines of what ``pending`` will record, in ``lang``."""
    gettext = translations(lang).gettext
    event = pending.event
    payload = event.to_payload()
    values = {
        "ref": f"{payload.get('panel')}/{payload.get('number')}",
        "review": payload.get("review", ""),
        "panel": payload.get("panel", ""),
        "vote": payload.get("vote", ""),
    }
    headline = gettext(HEADLINES.get(event.TYPE, event.TYPE)) % values
    lines = []
    for name, value in payload.items():
        if name in SKIPPED or value in (None, "", {}):
            continue
        if isinstance(value, bool):
            shown = gettext("yes") if value else gettext("no")
        elif isinstance(value, dict):  # a text per language
            shown = " · ".join(f"{code}{colon(lang)} {text}" for code, text in value.items())
        else:
            shown = label(lang, str(value)) if str(value) in LABELS else str(value)
        lines.append({"name": gettext(NAMES.get(name, name)), "value": shown})
    lines.append(
        {"name": gettext("Dated"), "value": format_moment(lang, format_time(pending.occurred_at))}
    )
    return {"headline": headline, "type": event.TYPE, "lines": lines}
