"""Synthetic evidence put before a panel: expert briefings and stakeholder reports."""

from __future__ import annotations

import random
from dataclasses import dataclass

from cli.synthetic.topics import TOPICS

EXPERTS = (
    "Brussels Energy Observatory (synthetic)",
    "Institute for Urban Transition (synthetic)",
    "Centre for Climate Economics (synthetic)",
    "Regional Water Research Unit (synthetic)",
)
STAKEHOLDERS = (
    "Tenants' Federation of Brussels (synthetic)",
    "Brussels Chamber of Small Businesses (synthetic)",
    "Cyclists' Union Brussels (synthetic)",
    "Climate Youth Network (synthetic)",
    "Federation of Property Owners (synthetic)",
    "Green Jobs Alliance (synthetic)",
)
_FINDINGS = (
    "About {n} percent of the households we surveyed said cost was the main obstacle.",
    "Measures that combine advice and funding reached {n} percent more households than funding "
    "alone.",
    "The municipalities differ widely: the highest rate is {n} times the lowest.",
    "Comparable cities reached their targets only where a single body was responsible.",
    "Low-income households were under-represented among beneficiaries by {n} points.",
)


@dataclass(frozen=True)
class SyntheticDocument:
    """A document a panel received; the ledger keeps only its SHA-256, never ``content``."""

    kind: str  # briefing | stakeholder_report
    title: str
    author: str
    content: bytes
    published_at: str


def evidence_documents(seed: int, *, count: int = 12) -> list[SyntheticDocument]:
    """``count`` documents, alternating expert briefings and stakeholder reports."""
    rng = random.Random(seed)
    topics = rng.sample(TOPICS, k=min(count, len(TOPICS)))
    documents = []
    for i in range(count):
        topic = topics[i % len(topics)]
        if i % 2 == 0:
            kind, author, title = "briefing", rng.choice(EXPERTS), f"Briefing on {topic.en}"
        else:
            kind, author = "stakeholder_report", rng.choice(STAKEHOLDERS)
            title = f"Position paper on {topic.en}"
        findings = rng.sample(_FINDINGS, k=3)
        body = "\n".join(f.format(n=rng.randint(2, 45)) for f in findings)
        content = (
            f"{title}\n{author}\n\n"
            "This document is synthetic: it was generated for a demonstration and describes "
            "no real study.\n\n"
            f"{body}\n"
        ).encode()
        slug = f"{i + 1:02d}-{kind.replace('_', '-')}-{topic.key}"
        documents.append(
            SyntheticDocument(
                kind, title, author, content, f"https://example.org/assembly/evidence/{slug}.txt"
            )
        )
    return documents
