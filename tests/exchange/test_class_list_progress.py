"""The class-list reader's progress total is the sheet's real row count, not its <dimension> tag:
a file whose tag says A1:H500 over 3,000 rows must not show a full bar at row 500."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from hocbaso_desktop.exchange.class_list import read_class_list
from hocbaso_desktop.exchange.class_list_model import ImportCancelled
from hocbaso_desktop.exchange.class_list_sample import write_sample_class_list


def _set_dimension(src: Path, dst: Path, ref: str | None) -> None:
    """Give every sheet a stale <dimension ref=…> (what scripts and some exporters leave), or none."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<(\w+:)?dimension\b[^>]*/>', b"", data)
                if ref is not None:
                    data, n = re.subn(rb"(<(?:\w+:)?(?:sheetViews|sheetFormatPr|cols|sheetData)\b)",
                                      f'<dimension ref="{ref}"/>'.encode() + rb"\1", data, count=1)
                    assert n == 1
            zout.writestr(item, data)


@pytest.fixture(scope="module", params=["A1:H500", None], ids=["stale", "absent"])
def big_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("big")
    honest = d / "honest.xlsx"
    write_sample_class_list(honest, 3000)
    out = d / "dimension.xlsx"
    _set_dimension(honest, out, request.param)
    return out


def test_every_row_is_read_and_the_total_is_the_real_row_count_not_the_dimension_tag(big_file: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    cl = read_class_list(big_file, progress=lambda d, t, label: seen.append((d, t, label)))
    assert len(cl.rows) == 3000
    *reading, last = seen
    assert last[0] == last[1] and last[2] == "Đã đọc xong"
    total = last[1]
    assert total >= 3000  # every row of the file, header and title included
    assert all(t == total for _d, t, _l in reading)
    at_500 = [d for d, _t, label in reading if label.endswith("dòng 500")]
    assert at_500 and at_500[0] / total < 0.2  # was 100 %
    assert all(d < t for d, t, _l in reading)  # never full before the end
    assert [d for d, _t, _l in reading] == sorted(d for d, _t, _l in reading)


def test_cancel_still_stops_the_read_between_rows(big_file: Path, tmp_path: Path) -> None:
    seen: list[int] = []
    copy = tmp_path / "c.xlsx"
    shutil.copyfile(big_file, copy)
    with pytest.raises(ImportCancelled) as e:
        read_class_list(copy, progress=lambda d, t, _l: seen.append(d), cancel=lambda: len(seen) >= 2)
    assert "Đã hủy" in e.value.message and len(seen) == 2
