"""The press report as a web page and as its PDF: the same document as ``assembly report``, in
the reader's language, with a link to the PDF, under the pages' strict security policy."""

from __future__ import annotations

import io

import pypdf
from fastapi.testclient import TestClient


def test_the_report_page_is_in_the_language_asked_and_links_its_pdf(client: TestClient) -> None:
    page = client.get("/panels/1/report?lang=nl")
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert "Verslag van de opvolgingscommissie over panel 1" in page.text
    assert 'href="/panels/1/report.pdf?lang=nl"' in page.text
    assert "<script" not in page.text and "<style" not in page.text  # the CSP allows neither
    assert client.get("/static/press.css").status_code == 200


def test_the_pdf_download_is_the_same_report_in_french(client: TestClient) -> None:
    download = client.get("/panels/1/report.pdf?lang=fr")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    pages = pypdf.PdfReader(io.BytesIO(download.content)).pages
    first = " ".join((pages[0].extract_text() or "").split())
    assert first.startswith("Rapport de la commission de suivi sur le panel 1")
    assert "acceptée 1 " in first  # the session's assembly: 1/1 accepted


def test_a_report_on_a_panel_the_ledger_does_not_hold_is_a_404_page(client: TestClient) -> None:
    for path in ("/panels/9/report", "/panels/nine/report.pdf"):
        page = client.get(path + "?lang=en")
        assert page.status_code == 404
        assert "There is no panel" in page.text


def test_the_panel_page_links_the_report_and_its_pdf_in_the_readers_language(
    client: TestClient,
) -> None:
    page = client.get("/panels/1?lang=fr").text
    assert "Le rapport de la commission pour la presse" in page
    assert 'href="/panels/1/report?lang=fr"' in page
    assert 'href="/panels/1/report.pdf?lang=fr"' in page
