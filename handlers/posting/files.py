"""The posting list as a file: printable A4 PDF (fpdf2), HTML or XLSX (openpyxl), by the file's extension.

Only what handlers.posting.PostingList holds is written: names, masked ID numbers, villages, kinds and
amounts. No phone, account or full ID number ever reaches these renderers.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from handlers.posting.service import PostingList
from messages import fmt
from messages.i18n import _

if TYPE_CHECKING:
    from fpdf import FPDF

FORMATS = ("pdf", "html", "xlsx")
# Debian's fonts-dejavu-core (present on the project's machines; .ci/run installs it where missing).
DEFAULT_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),  # Fedora and others
)


class FontMissing(FileNotFoundError):
    """No TrueType font with Vietnamese glyphs was found for the PDF."""


def headers() -> list[str]:
    return [
        _("Row no."),
        _("Full name"),
        _("ID number"),
        _("Village / hamlet"),
        _("Kind of support"),
        _("Amount (VND)"),
    ]


def _heading(posting: PostingList) -> list[str]:
    return [_("PEOPLE'S COMMITTEE OF {commune}").format(commune=posting.commune_name.upper()), posting.place]


def title(posting: PostingList) -> str:
    return _("LIST OF SUPPORT RESULTS POSTED PUBLICLY")


def subtitle(posting: PostingList) -> str:
    return _(
        "Support for workers and employers in difficulty due to the COVID-19 pandemic "
        "(Resolution 68/NQ-CP, Decision 23/2021/QĐ-TTg)"
    )


def decisions_line(posting: PostingList) -> str:
    return _("Attached to: {decisions}").format(
        decisions="; ".join(
            _("Decision No. {number} of {date}").format(
                number=group.decision_number, date=fmt.day(group.decision_date) if group.decision_date else "–"
            )
            for group in posting.decisions
        )
        or "–"
    )


def footer_lines(posting: PostingList) -> list[str]:
    return [
        _("Total: {people} people, {amount}.").format(
            people=fmt.number(len(posting.rows)), amount=fmt.vnd(posting.total)
        ),
        _(
            "ID numbers are partly hidden. Any comment or complaint about this list can be sent to the commune "
            "People's Committee, to the Fatherland Front committee of the commune, or in the HoTro chat "
            "(“Complaints and feedback”)."
        ),
        _("Made on {date}.").format(date=fmt.day(posting.made_on)),
    ]


def _cells(posting: PostingList) -> list[list[str]]:
    return [
        [str(row.number), row.name, row.masked_id, row.village or "–", row.kind, fmt.number(row.amount or 0)]
        for row in posting.rows
    ]


# ---- HTML ------------------------------------------------------------------------------------
def render_html(posting: PostingList) -> str:
    """A complete page (also served by the public page /cong-khai/<commune code>)."""
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in headers())
    body = "".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in cells) + "</tr>" for cells in _cells(posting))
    heading = "".join(f"<p class='org'>{esc(line)}</p>" for line in _heading(posting))
    footer = "".join(f"<p>{esc(line)}</p>" for line in footer_lines(posting))
    return (
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>{esc(title(posting))} – {esc(posting.commune_name)}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #444;padding:.25em .5em}td:last-child{text-align:right}"
        "h1{font-size:1.3em;text-align:center}.org{font-weight:bold;margin:0}"
        "@page{size:A4}</style></head><body>"
        f"{heading}<h1>{esc(title(posting))}</h1><p>{esc(subtitle(posting))}</p>"
        f"<p>{esc(decisions_line(posting))}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{footer}</body></html>"
    )


# ---- XLSX ------------------------------------------------------------------------------------
def write_xlsx(posting: PostingList, path: Path) -> None:
    # Imported here, not at the top: the chat and the CLI's other commands never load openpyxl for this.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Posting list")[:31]
    lines = [*_heading(posting), title(posting), subtitle(posting), decisions_line(posting), ""]
    for line in lines:
        ws.append([line])
    ws.cell(row=3, column=1).font = Font(bold=True, size=13)
    ws.append(headers())
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for row in posting.rows:
        ws.append([row.number, row.name, row.masked_id, row.village or "–", row.kind, row.amount or 0])
        ws.cell(row=ws.max_row, column=6).number_format = "#,##0"
    ws.append([])
    for line in footer_lines(posting):
        ws.append([line])
    for column, width in zip("ABCDEF", (6, 28, 16, 24, 22, 14), strict=True):
        ws.column_dimensions[column].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.save(path)


# ---- PDF -------------------------------------------------------------------------------------
def font_path(configured: Path | None) -> Path:
    candidates = [configured] if configured is not None else list(DEFAULT_FONTS)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FontMissing(
        _(
            "No font with Vietnamese letters was found for the PDF ({path}). Install the fonts-dejavu-core package "
            "or set HOTRO_PDF_FONT to a .ttf file."
        ).format(path=", ".join(str(c) for c in candidates))
    )


PDF_WIDTHS = (9.0, 44.0, 27.0, 38.0, 34.0, 24.0)  # mm, 176 of A4's 190 between the margins
PDF_ALIGN = ("C", "L", "L", "L", "L", "R")
PDF_LINE = 5.0


def _pdf_row(pdf: FPDF, cells: list[str], *, dry_run: bool = False) -> float:
    """Draw one bordered table row (cells wrapped where they do not fit); returns where it ends (mm).

    Cells are drawn one line at a time, wrapped by fpdf2 only when too wide: fpdf2's table() lays every
    cell out twice through its line breaker, about 3.5 times slower (bench/posting.py)."""
    room = [width - 2 * pdf.c_margin for width in PDF_WIDTHS]
    lines: list[list[str]] = [
        [text] if pdf.get_string_width(text) <= space else _wrapped(pdf, width, text)
        for text, width, space in zip(cells, PDF_WIDTHS, room, strict=True)
    ]
    height = PDF_LINE * max(len(cell) for cell in lines)
    top = float(pdf.get_y())
    if dry_run:
        return top + height
    x = pdf.l_margin
    for width, align, cell in zip(PDF_WIDTHS, PDF_ALIGN, lines, strict=True):
        pdf.rect(x, top, width, height)
        for i, line in enumerate(cell):
            pdf.set_xy(x, top + i * PDF_LINE)
            pdf.cell(width, PDF_LINE, line, align=align)
        x += width
    pdf.set_xy(pdf.l_margin, top + height)
    return top + height


def _wrapped(pdf: FPDF, width: float, text: str) -> list[str]:
    lines = pdf.multi_cell(width, PDF_LINE, text, dry_run=True, output="LINES")
    return [str(line) for line in lines] if isinstance(lines, list) else [text]


def write_pdf(posting: PostingList, path: Path, font: Path | None = None) -> None:
    from fpdf import FPDF  # here, not at the top: only a PDF needs fpdf2, slow to import

    regular = font_path(font)
    bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("Body", "", str(regular))
    pdf.add_font("Body", "B", str(bold if bold.is_file() else regular))
    pdf.set_title(title(posting))
    pdf.add_page()
    pdf.set_font("Body", "B", 10)
    for line in _heading(posting):
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Body", "B", 13)
    pdf.multi_cell(0, 7, title(posting), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9)
    pdf.multi_cell(0, 5, subtitle(posting), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, decisions_line(posting), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Body", "B", 9)
    _pdf_row(pdf, headers())
    pdf.set_font("Body", "", 9)
    for cells in _cells(posting):
        if _pdf_row(pdf, cells, dry_run=True) > pdf.page_break_trigger:  # a new page repeats the heading row
            pdf.add_page()
            pdf.set_font("Body", "B", 9)
            _pdf_row(pdf, headers())
            pdf.set_font("Body", "", 9)
        _pdf_row(pdf, cells)
    pdf.ln(3)
    for line in footer_lines(posting):
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def write(posting: PostingList, path: Path, font: Path | None = None) -> None:
    """Write the list in the format the file name's extension names (.pdf, .html, .xlsx)."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "pdf":
        write_pdf(posting, path, font)
    elif suffix in ("html", "htm"):
        path.write_text(render_html(posting), encoding="utf-8")
    elif suffix == "xlsx":
        write_xlsx(posting, path)
    else:
        raise ValueError(suffix)
