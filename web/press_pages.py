"""The press report as a web page (``/panels/N/report``) and as its PDF (``.../report.pdf``):
the same document ``assembly report`` writes (``web.press``, ``web.press_render``), in the
reader's language, at the point in time asked for (``as_of``, ``at_seq``).

The page links its stylesheet rather than inlining it, as the strict CSP asks; the PDF is laid
out by WeasyPrint from the same HTML with the style inline.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from ledger import Ledger
from projections.names import names_in
from projections.view import end_of, view_at
from web import press_render
from web.asked import Asked, Problem
from web.bounds import number, point_asked, shown
from web.context import Busy, opened
from web.http import MAX_NUMBER
from web.i18n import choose
from web.pages import error_page
from web.press import Report, build

router = APIRouter()


@router.get("/static/press.css", include_in_schema=False)
def stylesheet() -> FileResponse:
    """The press report's A4 stylesheet."""
    return FileResponse(press_render.STYLESHEET, media_type="text/css")


@router.get("/panels/{panel}/report", response_class=HTMLResponse, include_in_schema=False)
def report_page(request: Request, panel: str) -> Response:
    """The commission's report on one panel, with a link to its PDF."""
    found = _report(request, panel)
    if isinstance(found, Response):
        return found
    report, asked = found
    text = press_render.html(
        report,
        pdf_link=asked.link(f"/panels/{report.panel}/report.pdf"),
        stylesheet="/static/press.css",
    )
    return HTMLResponse(text)


@router.get("/panels/{panel}/report.pdf", include_in_schema=False)
def report_pdf(request: Request, panel: str) -> Response:
    """The same report as an A4 PDF."""
    found = _report(request, panel)
    if isinstance(found, Response):
        return found
    report, _ = found
    name = f"panel-{report.panel}-report-{report.lang}-{report.as_of.isoformat()}.pdf"
    return Response(
        press_render.pdf(report),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


def _report(request: Request, panel: str) -> tuple[Report, Asked] | Response:
    """The report asked for, or the error page that says why there is none."""
    lang = choose(request.query_params.get("lang"), request.headers.get("accept-language"))
    asked = Asked(lang, request.url.path, dict(request.query_params))
    try:
        asked = point_asked(asked)
        wanted = number(panel, most=MAX_NUMBER)
        with opened(request.app.state.settings, past=asked.travelling) as book:
            found = _read(book, asked, wanted) if wanted else None
        if found is None:
            raise Problem(404, "There is no panel %(panel)s in the ledger.", panel=shown(panel))
    except Problem as problem:
        return error_page(asked, problem)
    except Busy:
        return error_page(asked, Problem(503, Busy.SENTENCE))
    return found, asked


def _read(book: Ledger, asked: Asked, panel: int) -> Report | None:
    today = datetime.now(UTC).date()
    view = view_at(book, as_of=asked.as_of, at_seq=asked.at_seq, today=today, panel=panel)
    names = names_in(book, up_to=view.state.seq, until=end_of(asked.as_of))
    found = build(view.state, names, panel=panel, lang=asked.lang, as_of=view.as_of)
    return press_render.cite(book, found) if found.total else None
