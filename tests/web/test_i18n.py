"""Dates, moments, counts and percentages on the pages, written as each language writes them
(Belgian French and Dutch, British English), with the ISO form kept in ``<time datetime>``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from html import unescape
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from projections.composition import Hidden, read_composition, strata
from tests.web.conftest import Built
from web.asked import Asked
from web.context import Settings, opened
from web.i18n import (
    LANGUAGES,
    day_element,
    format_day,
    format_moment,
    format_number,
    moment_element,
)
from web.pages import page_html, percent

NNBSP, NBSP = "\N{NARROW NO-BREAK SPACE}", "\N{NO-BREAK SPACE}"
TIME = re.compile(r'<time datetime="([^"]*)">([^<]*)</time>')


def html(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def cells(page: str, *first: str) -> list[str]:
    """The cells' text, as written (no space folded), of the first table row whose first cells
    are ``first``."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        found = [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        if found[: len(first)] == list(first):
            return found
    raise AssertionError(f"no row starts with {first!r}")


# The functions


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", "31 mars 2026"), ("nl", "31 maart 2026"), ("en", "31 March 2026")],
)
def test_a_day_is_written_in_full_in_each_language(lang: str, expected: str) -> None:
    assert format_day(lang, date(2026, 3, 31)) == expected
    assert format_day(lang, "2026-03-31") == expected  # as the ledger's payloads give it


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [
        ("fr", "1er août 2026", "1er août 2026, 23:59:59 TU"),
        ("nl", "1 augustus 2026", "1 augustus 2026, 23:59:59 UTC"),
        ("en", "1 August 2026", "1 August 2026, 23:59:59 UTC"),
    ],
)
def test_the_first_of_a_month_is_1er_in_french_only(lang: str, day: str, moment: str) -> None:
    assert format_day(lang, "2026-08-01") == day
    assert format_moment(lang, "2026-08-01T23:59:59.000Z") == moment
    assert format_day(lang, "2026-08-11").startswith("11 ")  # 11, 21 and 31 keep no suffix


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "31 mars 2026, 09:05:07 TU"),
        ("nl", "31 maart 2026, 09:05:07 UTC"),
        ("en", "31 March 2026, 09:05:07 UTC"),
    ],
)
def test_a_moment_is_written_to_the_second_in_utc_in_each_language(
    lang: str, expected: str
) -> None:
    assert format_moment(lang, "2026-03-31T09:05:07.123456Z") == expected
    brussels = datetime(2026, 3, 31, 11, 5, 7, tzinfo=timezone(timedelta(hours=2)))
    assert format_moment(lang, brussels) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", f"142{NNBSP}856"), ("nl", "142.856"), ("en", "142,856")],
)
def test_a_count_above_999_has_its_digits_grouped_as_each_language_groups_them(
    lang: str, expected: str
) -> None:
    assert format_number(lang, 142856) == expected
    assert format_number(lang, 999) == "999"


@pytest.mark.parametrize(
    ("lang", "eighth", "twelve", "all_of_it"),
    [
        ("fr", f"12,5{NBSP}%", f"12,0{NBSP}%", f"100,0{NBSP}%"),
        ("nl", "12,5%", "12,0%", "100,0%"),
        ("en", "12.5%", "12.0%", "100.0%"),
    ],
)
def test_a_share_is_a_percentage_with_one_decimal_written_as_each_language_writes_it(
    lang: str, eighth: str, twelve: str, all_of_it: str
) -> None:
    assert percent(lang, 125_000) == eighth
    assert percent(lang, 124_950) == eighth  # half a thousandth rounds up, as before
    assert percent(lang, 120_000) == twelve  # the one decimal stays when it is a zero
    assert percent(lang, 1_000_000) == all_of_it


def test_a_hidden_share_is_shown_as_its_reason_and_a_missing_one_as_nothing() -> None:
    assert percent("fr", Hidden.SUPPRESSED) == "suppressed"  # the page labels it
    assert percent("nl", Hidden.UNKNOWN) == "unknown"
    assert percent("en", None) == ""


@given(day=st.dates(), lang=st.sampled_from(LANGUAGES))
def test_any_day_keeps_its_iso_form_in_the_time_element(day: date, lang: str) -> None:
    found = TIME.fullmatch(str(day_element(lang, day)))
    assert found is not None
    assert date.fromisoformat(found[1]) == day and found[1] == day.isoformat()
    assert unescape(found[2]) == format_day(lang, day)


@given(
    moment=st.datetimes(timezones=st.just(UTC)),
    lang=st.sampled_from(LANGUAGES),
)
def test_any_moment_keeps_its_utc_iso_form_to_the_millisecond_in_the_time_element(
    moment: datetime, lang: str
) -> None:
    found = TIME.fullmatch(str(moment_element(lang, moment)))
    assert found is not None and found[1].endswith("Z")
    to_the_millisecond = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    assert datetime.fromisoformat(found[1]) == to_the_millisecond
    assert unescape(found[2]) == format_moment(lang, moment)


def test_a_moment_given_for_a_day_or_a_moment_without_a_zone_is_a_bug_of_ours() -> None:
    with pytest.raises(AssertionError, match="is a moment, not a day"):
        format_day("en", datetime(2026, 3, 31, tzinfo=UTC))
    with pytest.raises(AssertionError, match="has no time zone"):
        format_moment("en", "2026-03-31T09:05:07")


# The pages


@pytest.mark.parametrize(
    ("lang", "due"),
    [("fr", "1er août 2025"), ("nl", "1 augustus 2025"), ("en", "1 August 2025")],
)
def test_a_recommendation_page_shows_its_due_date_in_the_language_asked(
    client: TestClient, lang: str, due: str
) -> None:
    page = html(client, f"/recommendations/1/1?lang={lang}")
    assert cells(page, "1")[2] == due
    assert f'<time datetime="2025-08-01">{due}</time>' in page


def test_the_audit_trail_shows_when_each_entry_was_recorded_in_the_language_asked(
    client: TestClient,
) -> None:
    page = html(client, "/recommendations/1/1?lang=nl")
    trail = page[page.index('class="trail cards"') :]
    recorded = TIME.findall(trail)
    assert recorded
    for machine, shown in recorded:
        moment = datetime.fromisoformat(machine)
        assert shown == format_moment("nl", moment) and shown.endswith(" UTC")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", machine)


@pytest.mark.parametrize(
    ("lang", "point"),
    [("fr", ","), ("nl", ","), ("en", ".")],
)
def test_the_shares_of_a_panel_use_the_decimal_sign_of_the_language_asked(
    client: TestClient, built: Built, lang: str, point: str
) -> None:
    page = html(client, f"/?lang={lang}")
    with opened(Settings(built.ledger)) as book:
        rows = strata(read_composition(book, 1))
    shown = [row for row in rows if isinstance(row.drawn_ppm, int)]
    assert shown
    for stratum in shown:
        assert isinstance(stratum.drawn_ppm, int)
        tenths = (stratum.drawn_ppm + 500) // 1000
        number = f"{tenths // 10}{point}{tenths % 10}"
        expected = f"{number}{NBSP}%" if lang == "fr" else f"{number}%"
        assert cells(page, stratum.feature, stratum.value)[4] == expected


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        (
            "fr",
            f"sur les 142{NNBSP}856 premières entrées (le registre en compte 142{NNBSP}857",
        ),
        ("nl", "over de eerste 142.856 inschrijvingen (het register telt er nu 142.857)"),
        ("en", "over the first 142,856 entries (the ledger holds 142,857 now)"),
    ],
)
def test_counts_above_999_on_a_page_are_grouped_as_the_language_asked_groups_them(
    lang: str, sentence: str
) -> None:
    issued = SimpleNamespace(issued_at="2026-03-31T09:05:07.123456Z", size=142_856)
    page = page_html(
        "verify.html",
        Asked(lang, "/verify", {}),
        origin="example.org/assembly",
        keys=[],
        checkpoint=issued,
        note="",
        entries=142_857,
        timeless=True,
    )
    assert sentence in unescape(page)
    signed = format_moment(lang, issued.issued_at)
    assert f'<time datetime="2026-03-31T09:05:07.123Z">{signed}</time>' in page
