"""What the desk says an office is about to sign: a text given per language is shown as each
language writes a label's colon (French with a narrow no-break space before it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.events import Pending
from tests.web.submissions.test_label_submissions import adoption
from web.desk_summary import summary_of

ADOPTED = adoption("sd11")  # recommendation 1/5, its text in French and Dutch


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("fr", "fr\u202f: Taxer le kérosène. · nl\u202f: Kerosine belasten."),
        ("en", "fr: Taxer le kérosène. · nl: Kerosine belasten."),
        ("nl", "fr: Taxer le kérosène. · nl: Kerosine belasten."),
    ],
)
def test_a_text_per_language_is_shown_with_the_page_s_colons(lang: str, shown: str) -> None:
    summary = summary_of(Pending(ADOPTED, datetime(2026, 3, 31, tzinfo=UTC)), lang=lang)
    values = [line["value"] for line in summary["lines"]]
    assert shown in values, values
