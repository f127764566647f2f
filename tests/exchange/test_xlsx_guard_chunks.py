"""The merge guard calls Python only from the chunk where "mergeCell" first appears (issue 19): a
<mergeCell> tag cut by the 64 KB chunk boundary at any byte is still counted, so the bomb is still
refused, and a sheet without merges is still checked for DOCTYPE and broken XML."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.exchange import xlsx_guard

CHUNK = 1 << 16
# no <mergeCells> wrapper: the first "mergeCell" of the part is the bomb's own tag
BOMB = b'<mergeCell ref="A1:XFD1048576"/>'


def _sheet_with(tmp_path: Path, name: str, splice) -> Path:  # noqa: ANN001
    wb = Workbook()
    wb.active.append(["Họ và tên", "Mã định danh"])
    src = tmp_path / f"src-{name}"
    wb.save(src)
    out = tmp_path / name
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = splice(data)
            zout.writestr(item, data)
    return out


@pytest.mark.parametrize("cut", [0, 1, 3, 6, 10, 11, 15, 30])
def test_a_merge_bomb_cut_by_the_chunk_boundary_is_refused(tmp_path: Path, cut: int) -> None:
    def splice(data: bytes) -> bytes:
        head, rest = data.split(b"</sheetData>", 1)
        head += b"</sheetData>"
        # pad with an XML comment so that the <mergeCell tag starts `cut` bytes before the boundary
        at = BOMB.index(b"<mergeCell ")
        pad = CHUNK - len(head) - at - cut - len(b"<!---->")
        assert pad > 0
        return head + b"<!--" + b"x" * pad + b"-->" + BOMB + rest

    path = _sheet_with(tmp_path, f"cut{cut}.xlsx", splice)
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert sheet.index(b"<mergeCell ") == CHUNK - cut  # the tag straddles the boundary (or starts on it)
    with pytest.raises(InputFileError, match="ô gộp"):
        xlsx_guard.check_xlsx(path)


def test_a_sheet_without_merges_is_still_parsed_whole(tmp_path: Path) -> None:
    fine = _sheet_with(tmp_path, "fine.xlsx", lambda d: d)
    assert xlsx_guard.check_xlsx(fine) == fine
    doctype = _sheet_with(tmp_path, "doctype.xlsx", lambda d: d.replace(b"<worksheet", b"<!DOCTYPE x><worksheet", 1))
    with pytest.raises(InputFileError, match="DOCTYPE"):
        xlsx_guard.check_xlsx(doctype)
    broken = _sheet_with(tmp_path, "broken.xlsx", lambda d: d.replace(b"</sheetData>", b"</sheetDat>", 1))
    with pytest.raises(InputFileError, match="bị hỏng"):
        xlsx_guard.check_xlsx(broken)
