"""Test helper: fill a trích lục workbook (services.transcription.transcription_template) the way the
office copies a paper học bạ's year-end page into it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hocbaso_desktop.domain.catalogue import FINAL_PERIOD
from hocbaso_desktop.exchange.grid_layout import SHEET_SUMMARY, grid_layout
from tests.grid_xlsx import edit


def paper_values(grade: int) -> dict[str, Any]:
    """A good year copied from paper: every subject T (tested ones 9), every quality T, HTXS."""
    out: dict[str, Any] = {}
    for lay in grid_layout(grade, frozenset(), FINAL_PERIOD):
        for c in lay.columns:
            value = {"subject_level": "T", "subject_score": 9, "quality_level": "T", "days_excused": 1,
                     "days_unexcused": 0, "confirmed": "HTXS", "awards": "Học sinh Xuất sắc",
                     "subject_comment": "Hoàn thành tốt nội dung môn học."}.get(c.kind)
            if value is not None:
                out[(lay.title, c.header)] = value
    out[(SHEET_SUMMARY, "Kết quả giáo dục – GVCN xác nhận")] = "HTXS"
    return out


def fill(template: Path, out: Path, personal_id: str, grade: int, **overrides: Any) -> Path:
    """`overrides`: {(sheet, header): value} merged over paper_values (None clears a cell)."""
    values = {**paper_values(grade), **overrides.get("cells", {})}
    edit(template, out, [(sheet, personal_id, header, v) for (sheet, header), v in values.items()])
    return out
