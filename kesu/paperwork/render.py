"""A paper form drawn as a PDF (fpdf2) in Noto Sans SC, embedded as a subset.

The font comes from the pinned package ``pylopdf-fonts-zh-cn`` (Noto Sans SC, SIL Open Font
License 1.1): nothing is read from the machine's fonts, and only the glyphs a form uses are
embedded (a form is tens of kilobytes, not the font's 8 MB), so the PDF reads and prints the same
on a machine without Chinese fonts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pylopdf_fonts_zh_cn
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from kesu.paperwork.selectors import Signature

FONT = "NotoSansSC"
LABEL = FontFace(fill_color=(238, 238, 238))
SECTION = FontFace(fill_color=(210, 218, 230))
WIDTH = 180  # mm between the margins of an A4 page
LONG_CELL = 200  # characters: longer, and a table cell is printed in full below its table
LONG_TEXT = 400  # characters: longer, and a text is printed below its label, over pages if need be
# Characters the form never prints as such: control characters (a tab or newline is kept).
_CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n"} | {0x7F: None}


def shown(value: object) -> str:
    """A value as the form prints it: dates and times local, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value).translate(_CONTROL)


def signed(signature: Signature | None) -> str:
    """ "name  2026-12-01 09:30" — or "(acting for …)" when a deputy signed (代签)."""
    if signature is None or not signature.name:
        return ""
    text = signature.name
    if signature.acting_for:
        text += _(" (acting for %(name)s)") % {"name": signature.acting_for}
    if signature.at:
        text += "  " + shown(signature.at)
    return text


class FormPDF(FPDF):
    """One paper form: the company's name and the form's title on every page, its number and when
    and by whom it was printed under them, the page count at the foot."""

    def __init__(self, *, title: str, company: str, number: str, printed_by: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.form_title, self.company, self.number = title, company, number
        self.printed = _("Printed %(at)s by %(name)s") % {"at": shown(timezone.now()), "name": printed_by}
        self.set_margins(15, 12, 15)
        self.set_auto_page_break(auto=True, margin=16)
        self.add_font(FONT, fname=str(pylopdf_fonts_zh_cn.sans_path()))
        self.set_title(f"{title} {number}")
        self.set_creator("Kesu")
        self.set_lang("zh-CN")
        self.add_page()

    def header(self) -> None:
        self.set_font(FONT, size=11)
        self.cell(WIDTH, 6, shown(self.company), align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=16)
        self.cell(WIDTH, 9, self.form_title, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=9)
        self.cell(WIDTH / 2, 6, _("No.: %(number)s") % {"number": self.number})
        self.cell(WIDTH / 2, 6, self.printed, align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        self.set_font(FONT, size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(WIDTH, 5, f"{self.page_no()} / {{nb}}", align="C")

    def section(self, title: str) -> None:
        self.ln(2)
        with self.table(col_widths=(1,), first_row_as_headings=False, line_height=7) as table:
            table.row().cell(title, style=SECTION)

    def facts(self, rows: Sequence[tuple[str, object] | tuple[str, object, str, object]]) -> None:
        """Label/value cells, two pairs a line; a row of one pair spans the line. A long text (a
        description of pages) is printed below its label and may run over pages, which a table
        row may not."""
        pending: list[tuple[str, object] | tuple[str, object, str, object]] = []
        for cells in rows:
            if len(cells) == 2 and len(shown(cells[1])) > LONG_TEXT:
                self._fact_table(pending)
                pending = []
                self._long_fact(cells[0], shown(cells[1]))
            else:
                pending.append(cells)
        self._fact_table(pending)

    def _fact_table(self, rows: Sequence[tuple[str, object] | tuple[str, object, str, object]]) -> None:
        if not rows:
            return
        with self.table(
            col_widths=(26, 64, 26, 64), first_row_as_headings=False, line_height=6, text_align="LEFT"
        ) as table:
            for cells in rows:
                row = table.row()
                row.cell(cells[0], style=LABEL)
                if len(cells) == 2:
                    row.cell(shown(cells[1]), colspan=3)
                else:
                    row.cell(shown(cells[1]))
                    row.cell(cells[2], style=LABEL)
                    row.cell(shown(cells[3]))

    def _long_fact(self, label: str, text: str) -> None:
        self.set_fill_color(238, 238, 238)
        self.multi_cell(WIDTH, 6, label, border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
        self.multi_cell(WIDTH, 6, text, border="LRB", new_x="LMARGIN", new_y="NEXT")

    def grid(self, headings: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]) -> None:
        """A table with a heading row. A cell too long for a table row (which may not run over a
        page) is cut short there and printed in full below the table, under its heading."""
        annex: list[tuple[str, str]] = []
        with self.table(
            col_widths=tuple(widths), line_height=6, text_align="LEFT", headings_style=LABEL
        ) as table:
            heading = table.row()
            for text in headings:
                heading.cell(text)
            for number, values in enumerate(rows, 1):
                row = table.row()
                for title, value in zip(headings, values, strict=True):
                    text = shown(value)
                    if len(text) > LONG_CELL:
                        annex.append((f"{title} ({number})", text))
                        text = text[: LONG_CELL - 20] + " … " + _("(in full below)")
                    row.cell(text)
        for label, text in annex:
            self._long_fact(label, text)

    def signatures(self, boxes: Sequence[tuple[str, Signature | None]]) -> None:
        """The signature boxes: the role, then who signed and when (blank to sign by hand)."""
        self.ln(2)
        width = WIDTH / len(boxes)
        with self.table(
            col_widths=tuple(width for _ in boxes),
            line_height=6,
            text_align="LEFT",
            headings_style=LABEL,
        ) as table:
            heading = table.row()
            for label, _signature in boxes:
                heading.cell(label)
            row = table.row()
            for _label, signature in boxes:
                row.cell(signed(signature) or "\n\n")

    def note(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, size=8)
        self.multi_cell(WIDTH, 4.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=10)

    def pdf_bytes(self) -> bytes:
        return bytes(self.output())
