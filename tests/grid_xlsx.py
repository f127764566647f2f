"""Test helpers: find and edit cells of an exported grid workbook the way a teacher would in Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

GROUP_ROW, LEAF_ROW, FIRST = 2, 3, 4


def headers(ws: Worksheet) -> dict[str, int]:
    """'Toán – Mức' → column number; identity columns by their single header ('Mã định danh')."""
    out: dict[str, int] = {}
    group = None
    for c in range(1, ws.max_column + 1):
        g = ws.cell(GROUP_ROW, c).value
        leaf = ws.cell(LEAF_ROW, c).value
        if g is not None:
            group = g
        if leaf is None:
            out[str(g)] = c
        else:
            out[f"{group} – {leaf}"] = c
    return out


def row_of(ws: Worksheet, personal_id: str) -> int:
    col = headers(ws)["Mã định danh"]
    for r in range(FIRST, ws.max_row + 1):
        if ws.cell(r, col).value == personal_id:
            return r
    raise KeyError(personal_id)


def cell(path: Path, sheet: str, personal_id: str, header: str) -> Any:
    wb = load_workbook(path)
    ws = wb[sheet]
    return ws.cell(row_of(ws, personal_id), headers(ws)[header]).value


def edit(src: Path, dst: Path, changes: list[tuple[str, str, str, Any]]) -> dict[tuple[str, str, str], int]:
    """Apply (sheet, personal id, header, value) edits; returns each edit's Excel row."""
    wb = load_workbook(src)
    rows: dict[tuple[str, str, str], int] = {}
    for sheet, pid, header, value in changes:
        ws = wb[sheet]
        r = row_of(ws, pid)
        ws.cell(r, headers(ws)[header]).value = value
        rows[(sheet, pid, header)] = r
    wb.save(dst)
    return rows
