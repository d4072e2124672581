"""The names of codes as a pure fold (``projections.names``): the charter's first language, a
stratum's labels by language, and the one title a recommendation without a title of its own
is shown by."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

from domain.charter import Chartered
from domain.events import Event, Recorded
from domain.labels import StratumNamed
from projections.names import FIRST_WORDS, fold, shown_title
from projections.status import Change, RecommendationStatus

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def recorded(seq: int, event: Event) -> Recorded:
    return Recorded(event=event, version=1, seq=seq, occurred_at=T0, signer="k")


def charter(*languages: str) -> Chartered:
    return Chartered(name="An assembly", region="Brussels-Capital", languages=languages)


def recommendation(title: dict[str, str], text: dict[str, str]) -> RecommendationStatus:
    return RecommendationStatus(
        panel=1,
        number=5,
        title=MappingProxyType(title),
        text=MappingProxyType(text),
        portfolio="climate",
        priority="normal",
        adopted=Change(1, "k", T0),
        reference="SD-E2",
    )


def test_the_first_language_is_the_charters_first_and_french_before_any_charter() -> None:
    assert fold([recorded(1, charter("nl", "fr"))]).first_language == "nl"
    assert fold([]).first_language == "fr"


def test_a_strata_labels_are_given_by_language_and_a_code_not_named_has_none() -> None:
    named = StratumNamed(stratum="age_band", value="16-34", labels={"fr": "16 à 34 ans"})
    names = fold([recorded(1, charter("fr", "nl")), recorded(2, named)])

    assert names.stratum_labels("age_band", "16-34") == {"fr": "16 à 34 ans"}
    assert names.stratum_labels("age_band", None) == {}
    assert names.stratum("age_band", "16-34", "nl") == "16 à 34 ans"  # no nl label: another
    assert names.stratum("age_band", "35-59", "fr") == "35-59"  # not named: its code


def test_a_recommendation_is_shown_by_its_french_title_else_its_first_language_given() -> None:
    assert shown_title(recommendation({"nl": "Titel", "fr": "Titre"}, {})) == "Titre"
    assert shown_title(recommendation({"fr": "", "nl": "Titel"}, {})) == "Titel"


def test_without_a_title_of_its_own_a_recommendation_is_shown_by_the_first_words_of_its_text() -> (
    None
):
    words = [f"mot{n}" for n in range(FIRST_WORDS + 3)]
    text = " ".join(words[:3]) + "\n\n" + " ".join(words[3:])

    assert shown_title(recommendation({}, {"fr": text})) == " ".join(words[:FIRST_WORDS]) + " …"
    assert shown_title(recommendation({"fr": " "}, {"nl": "Kort."})) == "Kort."
