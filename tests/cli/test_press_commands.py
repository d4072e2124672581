"""The commission's report for the press, read as a journalist would: the PDF of the demo's panel
of 60 recommendations, its French headline figures against the status board, every entry the
annex cites against the ledger, each format, and the report in Dutch."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest

from tests.features.cycle import ok, one_sentence
from tests.features.forked import assembly

AS_OF = "2026-12-04"  # a fixed day, so the overdue figures do not move with the clock


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's cycle: one panel, 60 recommendations answered, reported on and judged."""
    folder = tmp_path_factory.mktemp("press")
    made = (
        "demo",
        "--ledger",
        "demo.db",
        "--out",
        "files",
        "--pool-size",
        "200",
        "--algorithm",
        "legacy",
    )
    ok(assembly(*made, cwd=folder))
    return folder


def run(folder: Path, *args: str) -> str:
    return ok(assembly(*args, "--ledger", "demo.db", cwd=folder)).stdout


def report(folder: Path, *args: str) -> str:
    return run(folder, "report", "--panel", "1", "--as-of", AS_OF, *args)


@pytest.fixture(scope="module")
def pdf_text(demo: Path) -> list[str]:
    """The French PDF's pages as text, whitespace folded."""
    ok(assembly("report", "--panel", "1", "--as-of", AS_OF, "--format", "pdf",
                "--out", "report.pdf", "--ledger", "demo.db", cwd=demo))  # fmt: skip
    pages = pypdf.PdfReader(demo / "report.pdf").pages
    return [" ".join((page.extract_text() or "").split()) for page in pages]


def board_positions(folder: Path) -> Counter[str]:
    """How many of panel 1's recommendations stand at each position, by ``assembly status``."""
    rows = json.loads(run(folder, "status", "--panel", "1", "--as-of", AS_OF, "--format", "json"))
    return Counter(row["position"] for row in rows)


FRENCH = {
    "accepted": "acceptée",
    "accepted_in_part": "acceptée en partie",
    "rejected": "rejetée",
    "awaiting_response": "en attente de réponse",
}


def test_the_pdf_of_the_demo_panel_fits_in_about_25_pages(pdf_text: list[str]) -> None:
    assert 3 <= len(pdf_text) <= 26
    assert pdf_text[0].startswith("Rapport de la commission de suivi sur le panel 1")
    assert pdf_text[-1].endswith(f"{len(pdf_text)} / {len(pdf_text)}")


def test_the_first_page_holds_the_french_headline_figures_of_the_status_board(
    demo: Path, pdf_text: list[str]
) -> None:
    counted = board_positions(demo)
    assert sum(counted.values()) == 60
    first = pdf_text[0]
    assert "60 recommandations" in first
    for value, words in FRENCH.items():
        share = round(100 * counted[value] / 60)
        assert f"{words} {counted[value]} {share} %" in first, words


def test_every_seq_the_report_cites_is_in_the_annex_with_the_hash_the_ledger_holds(
    demo: Path,
) -> None:
    rows = list(csv.DictReader(io.StringIO(report(demo, "--format", "csv"))))
    annex = {int(row["seq"]): row["hash"] for row in rows if row["section"] == "entry"}
    cited = {int(seq) for row in rows if row["seqs"] for seq in row["seqs"].split()}
    head = next(row for row in rows if row["section"] == "head")
    assert cited | {int(head["seq"])} == set(annex)
    trail = json.loads(run(demo, "trail", "--panel", "1", "--format", "json"))
    ledger = {line["seq"]: line["hash"] for line in trail}
    assert all(line["verifies"] for line in trail if line["seq"] in annex)
    verified = json.loads(run(demo, "verify", "--format", "json"))
    top, top_hash = verified["head"].split(":")
    ledger[int(top)] = top_hash
    assert {seq: ledger[seq] for seq in annex} == annex
    assert head["hash"] == annex[int(head["seq"])]


def test_each_recommendation_cites_its_answer_and_the_verdict_entries_by_type(
    demo: Path,
) -> None:
    rows = list(csv.DictReader(io.StringIO(report(demo, "--format", "csv", "--lang", "en"))))
    types = {int(row["seq"]): row["type"] for row in rows if row["section"] == "entry"}
    said = [row for row in rows if row["section"] == "recommendation"]
    assert len({row["ref"] for row in said}) == 60
    for row in said:
        seq = int(row["seqs"])
        if row["axis"] == "justification" or (
            row["axis"] == "position" and row["value"] != "awaiting_response"
        ):
            assert types[seq] == "answer of the government", row
        if row["axis"] == "reasons":
            assert types[seq] == "verdict of the commission", row


class Page(HTMLParser):
    """The tags, the ``lang`` of the page and the text of an HTML report."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.lang = ""
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page(text: str) -> Page:
    parsed = Page()
    parsed.feed(text)
    return parsed


def test_the_html_report_is_an_a4_page_with_an_accessible_chart_and_no_script(
    demo: Path,
) -> None:
    parsed = page(report(demo, "--format", "html"))
    assert parsed.lang == "fr"
    assert "script" not in parsed.tags
    assert {"svg", "title", "desc", "table", "main"} <= set(parsed.tags)
    assert parsed.tags.count("article") == 60
    assert "size: A4" in "".join(parsed.text)


def test_the_markdown_report_has_a_section_per_recommendation_and_the_annex(demo: Path) -> None:
    text = report(demo, "--format", "md")
    assert text.startswith("# Rapport de la commission de suivi sur le panel 1\n")
    assert len(re.findall(r"^### 1/\d+ ", text, flags=re.MULTILINE)) == 60
    assert "… » (en anglais) (extrait)" in text  # the demo's longest justifications are cut
    assert "## Annexe\u202f: les entrées citées" in text or "## Annexe : les entrées citées" in text


def test_the_report_in_dutch_says_everything_in_dutch(demo: Path) -> None:
    parsed = page(report(demo, "--format", "html", "--lang", "nl"))
    text = " ".join("".join(parsed.text).split())
    assert parsed.lang == "nl"
    assert "Verslag van de opvolgingscommissie over panel 1" in text
    assert "De aanbevelingen een voor een" in text and "Bijlage" in text
    assert "Rapport de la commission" not in text and "Report of the" not in text


def test_out_writes_the_same_report_as_standard_output(demo: Path) -> None:
    shown = report(demo, "--format", "md", "--lang", "en")
    said = report(demo, "--format", "md", "--lang", "en", "--out", "r.md")
    assert (demo / "r.md").read_text(encoding="utf-8") == shown
    assert "Wrote the report on panel 1" in said


def test_a_panel_with_no_recommendations_is_a_usage_error(demo: Path) -> None:
    one_sentence(
        assembly("report", "--panel", "2", "--ledger", "demo.db", cwd=demo),
        2,
        "Panel 2 has no recommendation in the ledger as of",
    )


def test_a_report_at_an_earlier_entry_cites_nothing_the_ledger_held_after_it(demo: Path) -> None:
    text = run(demo, "report", "--panel", "1", "--at-seq", "300", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    head = next(row for row in rows if row["section"] == "head")
    assert head["seq"] == "300"
    assert max(int(row["seq"]) for row in rows if row["section"] == "entry") == 300
    now = list(csv.DictReader(io.StringIO(report(demo, "--format", "csv"))))

    def answered(found: list[dict[str, str]]) -> int:
        return sum(
            int(row["count"])
            for row in found
            if row["section"] == "figure"
            and row["axis"] == "position"
            and row["value"] != "awaiting_response"
        )

    assert answered(rows) < answered(now)
