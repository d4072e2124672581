"""The press report (``web.press``) written out: an A4 HTML page (which WeasyPrint turns into
the PDF, so both say the same), Markdown, or CSV, in French, Dutch or English.

Words come from the pages' catalogues (``web.i18n``); every figure and statement carries the
seqs it rests on, and the annex lists each seq with its type in words, its day and its hash.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ledger import Ledger
from web.i18n import (
    LANGUAGE_IN,
    LANGUAGES,
    colon,
    format_day,
    format_number,
    label,
    semicolon,
    translations,
)
from web.press import Figure, Quote, Report, Section
from web.press_chart import bars

HERE = Path(__file__).parent
STYLESHEET = HERE / "static" / "press.css"
_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined
)
# The type of each entry a report cites, in words (message ids of the catalogues).
TYPES = {
    "assembly.recommendation.adopted": "adoption of the recommendation",
    "assembly.recommendation.handed_over": "hand-over to the government",
    "assembly.government.responded": "answer of the government",
    "assembly.government.implementation_reported": "implementation report",
    "assembly.commission.assessed": "verdict of the commission",
    "assembly.correction.recorded": "correction",
    "assembly.government.statement_given": "joint answer",
}
AXES = {
    "position": "The government's answers",
    "implementation": "Implementation",
    "verdict": "The commission's verdicts",
}


def gettext(lang: str) -> Callable[[str], str]:
    return translations(lang).gettext


def type_words(lang: str, kind: str) -> str:
    """The type of an entry in words (any other type: "ledger entry")."""
    return gettext(lang)(TYPES.get(kind, "ledger entry"))


def cite(book: Ledger, found: Report) -> Report:
    """``found`` with each entry it cites looked up: its type in words, its day, its hash."""
    return replace(found, cited=entries(book, found.seqs, found.lang))


def entries(book: Ledger, seqs: Iterable[int], lang: str) -> dict[int, dict[str, str]]:
    """The type in words, the day recorded and the hex hash of each entry ``seqs`` names."""
    if lang not in LANGUAGES:
        raise AssertionError(f"no language {lang!r}")
    found = {}
    for seq in sorted(set(seqs)):
        if seq < 0:
            continue
        read = book.recorder.read_entries(start=seq, limit=1)
        if not read or read[0].seq != seq:
            raise AssertionError(f"entry {seq} was folded but cannot be read back")
        entry = read[0]
        found[seq] = {
            "type": type_words(lang, str(entry.event.get("type", ""))),
            "day": format_day(lang, entry.recorded_at[:10]),
            "hash": entry.hash.hex(),
        }
    return found


def percent(count: int, total: int) -> str:
    return f"{round(100 * count / total)} %" if total else "0 %"


def headline(report: Report) -> list[tuple[str, list[Figure]]]:
    """The first page's tables: each axis's figures, the overdue ones; zero rows left out
    except for the answers, whose every position the press asks about."""
    _ = gettext(report.lang)
    found = []
    for axis, heading in AXES.items():
        rows = [f for f in report.of(axis) if f.count or axis == "position"]
        found.append((_(heading), rows))
    found.append((_("Overdue answers"), report.of("overdue")))
    return found


def figure_words(report: Report, figure: Figure) -> str:
    """What a figure counts, in words."""
    _ = gettext(report.lang)
    if figure.axis == "overdue":
        months = report.months[int(figure.value) - 1]
        return _("unanswered at the review %(months)s months after the hand-over") % {
            "months": months
        }
    return label(report.lang, figure.value)


def chart(report: Report) -> Markup:
    _ = gettext(report.lang)
    rows = [(f.value, label(report.lang, f.value), f.count) for f in report.of("position")]
    c, between = colon(report.lang), f"{semicolon(report.lang)} "
    desc = between.join(f"{words}{c} {count}" for _v, words, count in rows)
    return bars(_("The government's answers"), desc, rows, report.total)


def html(report: Report, *, pdf_link: str | None = None, stylesheet: str | None = None) -> str:
    """The report as a self-contained A4 page (the style inline unless ``stylesheet`` links
    one, as a page served under a strict CSP must)."""
    lang = report.lang
    _ = gettext(lang)
    return _templates.get_template("press_report.html").render(
        r=report,
        lang=lang,
        _=_,
        day=lambda value: format_day(lang, value),
        number=lambda value: format_number(lang, value),
        words=lambda value: label(lang, value),
        type_words=lambda kind: type_words(lang, kind),
        language_in=lambda code: _(LANGUAGE_IN.get(code, str(code))),
        figure_words=lambda figure: figure_words(report, figure),
        percent=percent,
        colon=colon(lang),
        headline=headline(report),
        chart=chart(report),
        styled=_styled(stylesheet),
        pdf_link=pdf_link,
    )


def _styled(stylesheet: str | None) -> Markup:
    """The link to ``stylesheet`` (a served page, under a CSP that allows no inline style), or
    the style itself (a file read alone, and the HTML WeasyPrint lays out)."""
    if stylesheet is not None:
        return Markup('<link rel="stylesheet" href="{}">').format(stylesheet)
    return Markup("<style>{}</style>").format(Markup(STYLESHEET.read_text(encoding="utf-8")))


def pdf(report: Report) -> bytes:
    """The same HTML, laid out on A4 by WeasyPrint."""
    from weasyprint import HTML  # imported here: it takes a second to load, only PDF needs it

    written = HTML(string=html(report)).write_pdf()
    if written is None:
        raise AssertionError("WeasyPrint wrote no PDF")
    return bytes(written)


def markdown(report: Report) -> str:
    lang = report.lang
    _ = gettext(lang)
    cite = _cite_md
    lines = [
        "# " + _("Report of the follow-up commission on panel %(panel)s") % {"panel": report.panel},
        "",
        _intro(report),
    ]
    for heading, figures in headline(report):
        lines += ["", f"## {heading}", "", f"| {_('Figure')} | {_('Count')} | {_('Entries')} |"]
        lines.append("| --- | ---: | --- |")
        for f in figures:
            lines.append(f"| {figure_words(report, f)} | {f.count} | {cite(f.seqs)} |")
    lines += ["", "## " + _("Recommendations one by one")]
    for s in report.sections:
        lines += ["", f"### {s.ref} {s.title}", ""]
        lines += [f"- {line}" for line in _statements(report, s, cite)]
    lines += ["", "## " + _("Annex: the entries cited"), "", _check(report), ""]
    lines += [
        f"| seq | {_('Entry')} | {_('Recorded on')} | {_('Hash')} |",
        "| ---: | --- | --- | --- |",
    ]
    for seq, entry in sorted(report.cited.items()):
        lines.append(f"| {seq} | {entry['type']} | {entry['day']} | `{entry['hash']}` |")
    return "\n".join(lines) + "\n"


def _cite_md(seqs: Iterable[int]) -> str:
    return ", ".join(f"#{seq}" for seq in sorted(set(seqs)))


def _intro(report: Report) -> str:
    _ = gettext(report.lang)
    return _(
        "%(count)s recommendations, where they stand on %(day)s, as the ledger stood at entry "
        "%(seq)s."
    ) % {"count": report.total, "day": format_day(report.lang, report.as_of), "seq": report.seq}


def _check(report: Report) -> str:
    _ = gettext(report.lang)
    return _(
        "Every figure and statement cites the ledger entries it rests on by number (#seq). "
        "Each is listed here with its hash: assembly trail PANEL/NUMBER shows the entries of "
        "a recommendation with their hashes, and assembly verify checks the whole chain."
    )


def _statements(report: Report, s: Section, cite: Callable[[Iterable[int]], str]) -> list[str]:
    """A section's statements as plain lines, each ending with the entries it rests on."""
    lang = report.lang
    _ = gettext(lang)
    c = colon(lang)
    found = [f"{_('Portfolio')}{c} {s.portfolio}"]
    found.append(f"{_('Answer')}{c} {label(lang, s.position)} ({cite([s.position_seq])})")
    for review, days in s.overdue:
        months = report.months[review - 1]
        found.append(
            _("Overdue: the answer due at %(months)s months is %(days)s days late")
            % {"months": months, "days": days}
            + f" ({cite([s.handed_over_seq or s.position_seq])})"
        )
    if s.justification is not None:
        said = s.justification
        found.append(f"{_('Justification')}{c} {_quote(report, said)} ({cite([said.seq])})")
    done = label(lang, s.implementation)
    if s.progress is not None:
        done += f", {s.progress} %"
    found.append(f"{_('Implementation')}{c} {done} ({cite([s.implementation_seq])})")
    found.append(
        f"{_('Verdict of the commission')}{c} {label(lang, s.verdict)} ({cite([s.verdict_seq])})"
    )
    if s.reasons is not None:
        said = s.reasons
        found.append(f"{_('Reasons')}{c} {_quote(report, said)} ({cite([said.seq])})")
    return found


def _quote(report: Report, said: Quote) -> str:
    """A quoted text, saying which language it is in when not the report's, and whether it is
    an excerpt."""
    _ = gettext(report.lang)
    flat = " ".join(said.text.split())
    found = f"« {flat} »" if report.lang == "fr" else f"“{flat}”"
    if said.lang is not None:
        found += f" ({_(LANGUAGE_IN.get(said.lang, said.lang))})"
    return found + (f" ({_('excerpt')})" if said.cut else "")


CSV_COLUMNS = (
    "section", "axis", "value", "count", "words", "ref", "title", "portfolio", "text",
    "seqs", "seq", "type", "day", "hash",
)  # fmt: skip


def table(report: Report) -> str:
    """One CSV table: the head, each figure, each statement of each recommendation, and each
    entry cited, with the section it belongs to."""
    lang = report.lang
    rows: list[dict[str, object]] = [
        {"section": "head", "value": report.as_of.isoformat(), "count": report.total,
         "seq": report.seq, "hash": report.cited.get(report.seq, {}).get("hash", "")}
    ]  # fmt: skip
    for f in report.figures:
        rows.append(
            {"section": "figure", "axis": f.axis, "value": f.value, "count": f.count,
             "words": figure_words(report, f), "seqs": " ".join(map(str, f.seqs))}
        )  # fmt: skip
    for s in report.sections:
        base = {
            "section": "recommendation",
            "ref": s.ref,
            "title": s.title,
            "portfolio": s.portfolio,
        }
        for axis, value, seq in (
            ("position", s.position, s.position_seq),
            ("implementation", s.implementation, s.implementation_seq),
            ("verdict", s.verdict, s.verdict_seq),
        ):
            rows.append(
                {**base, "axis": axis, "value": value, "words": label(lang, value), "seqs": seq}
            )
        for review, days in s.overdue:
            late = {"axis": "overdue", "value": review, "count": days, "seqs": s.handed_over_seq}
            rows.append({**base, **late})
        for name, said in (("justification", s.justification), ("reasons", s.reasons)):
            if said is not None:
                rows.append({**base, "axis": name, "text": said.text, "seqs": said.seq})
    for seq, entry in sorted(report.cited.items()):
        rows.append({"section": "entry", "seq": seq, **entry})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
