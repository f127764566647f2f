"""Issue 15: a few kB of <mergeCell> must not cost gigabytes. The guard counts the merged area from
the zip, streamed, before openpyxl or the class-list reader expands anything, and refuses quickly."""

from __future__ import annotations

import resource
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.exchange import xlsx_guard
from hocbaso_desktop.exchange.class_list import read_class_list
from hocbaso_desktop.exchange.grid_workbook import read_grid_workbook
from hocbaso_desktop.exchange.staff_list import read_staff_list

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"]
MB = 1024 * 1024


def _with_merges(tmp_path: Path, refs: list[str], name: str) -> Path:
    """A real class list whose sheet gets <mergeCells> spliced in after <sheetData> (openpyxl itself
    would expand the ranges while writing them)."""
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A"])
    src = tmp_path / f"src-{name}"
    wb.save(src)
    out = tmp_path / name
    merges = (f'<mergeCells count="{len(refs)}">' + "".join(f'<mergeCell ref="{r}"/>' for r in refs)
              + "</mergeCells>").encode()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"</sheetData>" + merges, 1)
            zout.writestr(item, data)
    return out


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def _refused_within(path: Path, reader, bound: int = 200 * MB) -> InputFileError:  # noqa: ANN001
    before = _peak_rss_bytes()
    with pytest.raises(InputFileError) as exc:
        reader(path)
    assert _peak_rss_bytes() - before < bound
    return exc.value


def test_whole_sheet_merges_are_refused_before_anything_expands(tmp_path: Path) -> None:
    p = _with_merges(tmp_path, ["A1:XFD1048576"] * 4, "whole-sheet.xlsx")
    assert p.stat().st_size < 20_000
    err = _refused_within(p, lambda f: read_class_list(f, "2025-2026"))
    assert "gộp" in err.message and err.exit_code == 2 and "\n" not in err.message


def test_many_middle_sized_merges_three_kb_three_gigabytes(tmp_path: Path) -> None:
    # each range stays under the reader's per-range skip (200 000 cells): before the guard all of
    # them were expanded cell by cell into a dict (150 such ranges: a 3 kB file, 3 GB of memory)
    refs = [f"A{1 + 500 * i}:QE{447 + 500 * i}" for i in range(12)]  # 12 × 199 809 cells
    p = _with_merges(tmp_path, refs, "middle.xlsx")
    assert p.stat().st_size < 20_000
    err = _refused_within(p, lambda f: read_class_list(f, "2025-2026"))
    assert "gộp" in err.message


@pytest.mark.parametrize("reader", [read_staff_list, read_grid_workbook], ids=["staff", "grid"])
def test_every_reader_goes_through_the_guard(tmp_path: Path, reader) -> None:  # noqa: ANN001
    p = _with_merges(tmp_path, ["A1:XFD1048576"] * 3, "other.xlsx")
    assert "gộp" in _refused_within(p, reader).message


def test_honest_merges_still_read(tmp_path: Path) -> None:
    # a title merged over a whole row and a class column merged down its rows: normal files
    p = _with_merges(tmp_path, ["A3:XFD3", "G2:G2", "H1:K1"], "honest.xlsx")
    cl = read_class_list(p, "2025-2026")
    assert [r.student.full_name for r in cl.rows if r.student] == ["Nguyễn Văn An"]


def test_a_doctype_in_a_part_is_refused(tmp_path: Path) -> None:
    p = _with_merges(tmp_path, ["A1:B2"], "dtd.xlsx")
    q = tmp_path / "dtd2.xlsx"
    with zipfile.ZipFile(p) as zin, zipfile.ZipFile(q, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + data  # the entity-expansion bombs' opening
            zout.writestr(item, data)
    with pytest.raises(InputFileError) as exc:
        xlsx_guard.check_xlsx(q)
    assert "DOCTYPE" in exc.value.message


def test_area_of_a_reference() -> None:
    assert [xlsx_guard._ref_area(r) for r in ("A1", "B2:D5", "$A$1:$B$2", "A1:XFD1048576", "bad")] == [
        1, 12, 4, 16384 * 1048576, 0]
