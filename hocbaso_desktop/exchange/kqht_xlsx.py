"""Writing the KQHT upload workbook of CSDL ngành from a layout (domain.kqht_layout) and cell values.

Values only, never formulas: text stays text (a pupil named "=HYPERLINK(…)" is a name, xlsx_write
guards it), scores are numbers, the header rows and merged ranges are exactly the layout's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..domain.kqht_layout import Layout
from .xlsx_write import cell_text, save_atomic

_WIDTHS = {"stt": 5, "class_name": 8, "moet_code": 14, "full_name": 26, "birth_date": 12}


def write_kqht(layout: Layout, rows: Iterable[Sequence[Any]], path: str | Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = layout.sheet
    bold = Font(bold=True)
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c in layout.columns:
        for r, text in enumerate(c.header, start=1):
            if text is not None:
                cell = ws.cell(row=r, column=c.index, value=cell_text(text))
                cell.font, cell.alignment = bold, wrap
        ws.column_dimensions[get_column_letter(c.index)].width = _WIDTHS.get(c.value, 9)
    for m in layout.merges:
        ws.merge_cells(m)
    for i, values in enumerate(rows, start=layout.header_rows + 1):
        for c, v in zip(layout.columns, values):
            if v is not None:
                ws.cell(row=i, column=c.index, value=cell_text(v) if isinstance(v, str) else v)
    ws.freeze_panes = ws.cell(row=layout.header_rows + 1, column=1)
    return save_atomic(wb, path)
