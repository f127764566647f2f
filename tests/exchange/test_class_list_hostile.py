"""Files that are not what they claim, damaged, hostile or huge: always one clear InputFileError."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from hocbaso_desktop.domain.errors import HocbasoError, InputFileError
from hocbaso_desktop.exchange.class_list import read_class_list
from hocbaso_desktop.exchange.class_list_sample import write_sample_class_list

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"]


def good_file(tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A"])
    p = tmp_path / "good.xlsx"
    wb.save(p)
    return p


_GOOD: bytes | None = None


def _good_bytes(tmp_path: Path) -> bytes:
    """One fixed file for every example: openpyxl stamps the save time into docProps, and a length that
    changes between examples makes Hypothesis's integer bounds (and so the test) flaky."""
    global _GOOD
    if _GOOD is None:
        _GOOD = good_file(tmp_path).read_bytes()
    return _GOOD


def refuse(path: Path, *words: str) -> InputFileError:
    with pytest.raises(InputFileError) as exc:
        read_class_list(path, "2025-2026")
    err = exc.value
    assert err.exit_code == 2
    assert "Traceback" not in err.message and "\n" not in err.message
    for w in words:
        assert w in err.message
    return err


def test_missing_and_empty_and_directory(tmp_path: Path) -> None:
    refuse(tmp_path / "khong_co.xlsx", "Không tìm thấy")
    (tmp_path / "rong.xlsx").write_bytes(b"")
    refuse(tmp_path / "rong.xlsx", "rỗng")
    refuse(tmp_path, "không phải là một tệp")


def test_encrypted_workbook_ole_header(tmp_path: Path) -> None:
    p = tmp_path / "mat_khau.xlsx"
    p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + os.urandom(4096))
    refuse(p, "mật khẩu", ".xls")


def test_csv_renamed(tmp_path: Path) -> None:
    p = tmp_path / "ds.xlsx"
    p.write_text("Họ và tên,Ngày sinh\nNguyễn Văn An,04/03/2019\n", encoding="utf-8")
    refuse(p, "không phải tệp Excel .xlsx", "CSV")


def test_truncated(tmp_path: Path) -> None:
    data = good_file(tmp_path).read_bytes()
    for cut in (10, len(data) // 3, len(data) // 2, len(data) - 30):
        p = tmp_path / f"cut{cut}.xlsx"
        p.write_bytes(data[:cut])
        refuse(p, "hỏng")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "xin chào")
    refuse(p, "không phải bảng tính")


def test_damaged_part_inside_a_valid_zip(tmp_path: Path) -> None:
    src = good_file(tmp_path)
    p = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    refuse(p, "hỏng")


def test_zip_bomb(tmp_path: Path) -> None:
    src = good_file(tmp_path)
    p = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/media/padding.bin", b"\0" * (40 * 1024 * 1024))
    assert p.stat().st_size < 1024 * 1024
    refuse(p, "quá lớn")


def test_no_class_list_in_the_workbook(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "Bảng điểm"
    p = tmp_path / "khac.xlsx"
    wb.save(p)
    refuse(p, "Không tìm thấy danh sách học sinh")


def test_header_only(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(HEADER)
    p = tmp_path / "header.xlsx"
    wb.save(p)
    refuse(p, "không có học sinh nào")


def test_too_many_rows(tmp_path: Path) -> None:
    p = tmp_path / "lon.xlsx"
    write_sample_class_list(p, 120)
    with pytest.raises(InputFileError) as exc:
        read_class_list(p, "2025-2026", max_rows=100)
    assert "hơn 100 học sinh" in exc.value.message


def test_far_away_stray_cell_does_not_walk_a_million_rows(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A"])
    ws["A1000000"] = "x"
    p = tmp_path / "xa.xlsx"
    wb.save(p)
    cl = read_class_list(p, "2025-2026")
    assert cl.ok and len(cl.rows) == 1


def test_bad_year_argument(tmp_path: Path) -> None:
    with pytest.raises(HocbasoError):
        read_class_list(good_file(tmp_path), "2025-2027")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=0, max_size=3000))
def test_random_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "random.xlsx"
    p.write_bytes(data)
    with pytest.raises(InputFileError):
        read_class_list(p, "2025-2026")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_flipped_bytes_in_a_real_file_never_crash(tmp_path: Path, data: st.DataObject) -> None:
    raw = bytearray(_good_bytes(tmp_path))
    for _ in range(data.draw(st.integers(1, 20))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    p = tmp_path / "flipped.xlsx"
    p.write_bytes(bytes(raw))
    try:
        cl = read_class_list(p, "2025-2026")
    except HocbasoError as e:
        assert e.message
    else:
        assert isinstance(cl.problems, list)


cell_values = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**13, 10**13), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(date(1900, 1, 1), date(2100, 1, 1)), st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell_values, min_size=7, max_size=7), min_size=1, max_size=8))
def test_any_cell_values_give_rows_or_problems_never_exceptions(tmp_path: Path, rows: list[list]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        clean_row = []
        for v in r:
            if isinstance(v, str):  # control characters cannot be stored in xlsx at all
                v = "".join(ch for ch in v if ch.isprintable()) or None
            clean_row.append(v)
        ws.append(clean_row)
    buf = io.BytesIO()
    wb.save(buf)
    p = tmp_path / "any.xlsx"
    p.write_bytes(buf.getvalue())
    try:
        cl = read_class_list(p, "2025-2026")
    except InputFileError as e:  # e.g. every row blank → "no pupils"
        assert "không có học sinh" in e.message
        return
    for pr in cl.problems:
        assert f"dòng {pr.row}" in pr.message()
    for r in cl.rows:
        if r.student is not None:
            assert len(r.student.personal_id) == 12 and r.student.sex in ("Nam", "Nữ")
