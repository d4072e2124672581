"""Synthetic, deterministic data for ``assembly demo`` and for tests: an address register, a
volunteer pool (and its off-ledger identities), quotas, recommendations, the government's
answers, implementation reports, the commission's assessments and evidence documents.

Nothing here describes a real person: pseudonyms look like ``P-000123``, addresses like
``A-0000001``, names are made of syllables and organisations are marked "(synthetic)". Every
generator takes a ``seed`` and returns the same data for the same seed; numbers that could be
stored are integers.
"""

from cli.synthetic.answers import (
    ANSWER_MIX,
    HANDED_OVER,
    SyntheticAnswer,
    government_answers,
    review_answers,
)
from cli.synthetic.evidence import SyntheticDocument, evidence_documents
from cli.synthetic.follow_up import (
    SyntheticAssessment,
    SyntheticReport,
    assessments,
    implementation_reports,
)
from cli.synthetic.pool import write_pool
from cli.synthetic.population import (
    FEATURES,
    MUNICIPALITIES,
    Municipality,
    population_shares,
)
from cli.synthetic.quotas import Quota, quotas, write_quotas
from cli.synthetic.recommendations import (
    SyntheticRecommendation,
    panel_theme,
    recommendations,
)
from cli.synthetic.register import write_register
from cli.synthetic.topics import PORTFOLIOS

__all__ = [
    "ANSWER_MIX",
    "FEATURES",
    "HANDED_OVER",
    "MUNICIPALITIES",
    "PORTFOLIOS",
    "Municipality",
    "Quota",
    "SyntheticAnswer",
    "SyntheticAssessment",
    "SyntheticDocument",
    "SyntheticRecommendation",
    "SyntheticReport",
    "assessments",
    "evidence_documents",
    "government_answers",
    "implementation_reports",
    "panel_theme",
    "population_shares",
    "quotas",
    "recommendations",
    "review_answers",
    "write_pool",
    "write_quotas",
    "write_register",
]
