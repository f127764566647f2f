"""The class-list reader opens workbooks unsized (issue 19): openpyxl's read-only mode otherwise parses
every sheet without a <dimension> tag a whole extra time just to find the tag missing. The rows read,
the progress total and the refusals of a damaged package stay what they were."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl.worksheet._reader import WorkSheetParser

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.exchange import xlsx_guard
from hocbaso_desktop.exchange.class_list import read_class_list
from hocbaso_desktop.exchange.class_list_sample import write_sample_class_list


def _rewrite(src: Path, dst: Path, dimension: str | None, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet") and dimension is not None:
                data = re.sub(rb"(<sheetData\b)", f'<dimension ref="{dimension}"/>'.encode() + rb"\1", data, count=1)
            zout.writestr(item, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("unsized") / "ds.xlsx"
    write_sample_class_list(p, 300)
    return p


@pytest.mark.parametrize("dimension", ["A1:H50", None], ids=["stale", "absent"])
def test_every_row_read_without_parsing_for_the_dimension(sample: Path, tmp_path: Path, dimension: str | None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    p = _rewrite(sample, tmp_path / "d.xlsx", dimension)
    sized = xlsx_guard.open_xlsx(p)
    try:
        assert sized.worksheets[0].max_row == (50 if dimension else None)  # other importers: unchanged
    finally:
        sized.close()

    def no_dimension_pass(self: object) -> None:
        raise AssertionError("the sheet was parsed for its <dimension>")

    monkeypatch.setattr(WorkSheetParser, "parse_dimensions", no_dimension_pass)
    wb = xlsx_guard.open_xlsx(p, sized=False)
    try:
        assert wb.worksheets[0].max_row is None
    finally:
        wb.close()
    seen: list[int] = []
    cl = read_class_list(p, "2025-2026", progress=lambda _d, t, _l: seen.append(t))
    assert len(cl.rows) == 300 and not cl.errors
    assert seen[-1] >= 300  # the real row count, not the tag's 50


def test_a_sheet_too_big_to_count_falls_back_to_its_dimension_tag(sample: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    p = _rewrite(sample, tmp_path / "d.xlsx", "A1:K400")
    monkeypatch.setattr(xlsx_guard, "MAX_SCAN", 0)
    totals: list[int] = []
    cl = read_class_list(p, "2025-2026", progress=lambda _d, t, _l: totals.append(t))
    assert len(cl.rows) == 300
    assert totals[0] == 400  # asked of the tag only because the rows could not be counted


@pytest.mark.parametrize("sized", [True, False])
def test_a_broken_sheet_relationship_part_is_still_refused(sample: Path, tmp_path: Path, sized: bool) -> None:
    p = _rewrite(sample, tmp_path / "d.xlsx", None, {"xl/worksheets/_rels/sheet1.xml.rels": b"<Relationships><oops"})
    with pytest.raises(InputFileError) as e:
        wb = xlsx_guard.open_xlsx(p, sized=sized)
        wb.close()
    assert "bị hỏng" in e.value.message and "d.xlsx" in e.value.message
    with pytest.raises(InputFileError):
        read_class_list(p, "2025-2026")
