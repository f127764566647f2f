"""The header row of our fill-in templates (class list, staff list): bold, tinted, bordered, with the
column's hint as a cell comment, widths set and the row frozen. One place, so the templates a school
receives look alike."""

from __future__ import annotations

from typing import Sequence

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")


def write_header(ws: Worksheet, columns: Sequence[tuple[str, float, str]]) -> dict[str, str]:
    """Row 1 from (name, width, hint) triples; returns each column's letter by name."""
    for i, (name, width, note) in enumerate(columns, start=1):
        c = ws.cell(row=1, column=i, value=name)
        c.font = Font(bold=True)
        c.fill = HEAD_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
        if note:
            c.comment = Comment(note, "Học bạ số")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    return {name: get_column_letter(i) for i, (name, _w, _n) in enumerate(columns, start=1)}
