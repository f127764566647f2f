"""`hocbaso export-kqht` on a school set up from nothing (issue 16): logged in, refused while data is
missing (nothing written), --allow-missing, and the grades 1-2 year-end file read back by LibreOffice."""

from __future__ import annotations

import csv
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from hocbaso_desktop.cli import main
from hocbaso_desktop.domain.catalogue import catalogue
from hocbaso_desktop.domain.roles import ADMIN, SYSTEM_ACTOR
from hocbaso_desktop.services import accounts, directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.storage.engine import Store
from tests.tools import require_tool

PW = "quản trị 2026 thử!"
PUPILS = [("001219012345", "Nguyễn Văn An", date(2019, 3, 4), "Nam", "3100000101"),
          ("001319012346", "Lê Thị Bình", date(2019, 7, 21), "Nữ", "3100000102")]


def _call(db: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", str(db), *argv])
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def school(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A school from nothing: the first admin, a class list with the ministry's codes, grade 1."""
    for var in ("HOCBASO_AS", "HOCBASO_DB"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOCBASO_KQHT_DIR", str(tmp_path / "no-overrides"))
    monkeypatch.setenv("HOCBASO_PASSWORD", PW)
    db = tmp_path / "truong.sqlite3"
    with Store.open(db) as store:
        accounts.create_first_admin(store, "QT01", "Nguyễn Quản Trị", PW, ADMIN)
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Mã học sinh (CSDL ngành)", "Dân tộc", "Lớp"])
    for i, (pid, name, born, sex, moet) in enumerate(PUPILS, start=1):
        ws.append([i, name, born, sex, pid, moet, "Kinh", "1A"])
    wb.save(tmp_path / "ds.xlsx")
    code, out, err = _call(db, capsys, "import-classes", str(tmp_path / "ds.xlsx"), "--as", "QT01")
    assert code == 0, out + err
    return db


def _rate(db: Path, *, skip: set[tuple[str, str]] = frozenset()) -> None:
    """Year-end ratings for every pupil of 1A, except the (pupil name, item) pairs in `skip`."""
    cat = catalogue()
    with Store.open(db) as store:
        c = directory.find_class(store, "1A")
        edits = []
        for i, r in enumerate(load_grid(store, c.id, "CN").rows):
            for s in cat.subjects_for(1):
                if (r.full_name, s.code) not in skip:
                    edits.append(CellEdit(r.enrolment_id, "CN", "subject_level", s.code, "TH"[i % 2]))
                if s.is_tested(1, "CN") and (r.full_name, f"score:{s.code}") not in skip:
                    edits.append(CellEdit(r.enrolment_id, "CN", "subject_score", s.code, 9 - i))
            for q in cat.qualities_for(1):
                if (r.full_name, q.code) not in skip:
                    edits.append(CellEdit(r.enrolment_id, "CN", "quality_level", q.code, "TĐ"[i % 2]))
        outcomes = apply_edits(store, SYSTEM_ACTOR, edits)
        assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]


def test_export_kqht_on_a_school_from_nothing(school: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kqht.xlsx"
    _rate(school, skip={("Nguyễn Văn An", "score:TOAN"), ("Lê Thị Bình", "GDTC"), ("Lê Thị Bình", "CC")})
    code, stdout, err = _call(school, capsys, "export-kqht", "--grade", "1", "--period", "CN", "--out", str(out))
    assert code == 2 and "--as" in err and not out.exists()

    code, stdout, err = _call(school, capsys, "export-kqht", "--grade", "1", "--period", "CN", "--out", str(out),
                              "--as", "QT01")
    assert code == 1 and not out.exists() and stdout == ""
    assert "Lớp 1A, Nguyễn Văn An: thiếu Điểm KTĐK Toán, Xếp loại\n" in err
    assert "Lớp 1A, Lê Thị Bình: thiếu Giáo dục thể chất (mức), Phẩm chất Chăm chỉ, Xếp loại" in err
    assert "--allow-missing" in err

    code, stdout, err = _call(school, capsys, "export-kqht", "--grade", "1", "--period", "cn", "--out", str(out),
                              "--as", "QT01", "--allow-missing")
    assert code == 0 and out.exists(), err
    assert "Cảnh báo: Lớp 1A, Nguyễn Văn An: thiếu Điểm KTĐK Toán, Xếp loại (để trống)" in err
    ws = openpyxl.load_workbook(out)["Sheet1"]
    an = [ws.cell(row=4, column=c).value for c in range(1, 36)]  # sorted by given name: An, Bình
    assert an[:7] == [1, "1A", "3100000101", "Nguyễn Văn An", "04/03/2019", "T", None] and an[33] is None

    _rate(school)  # the teachers fill in what was missing
    code, stdout, err = _call(school, capsys, "export-kqht", "--grade", "1", "--period", "CN", "--out", str(out),
                              "--as", "QT01", "--year", directory_year(school))
    assert code == 0 and err == "", err
    assert "2 học sinh, lớp 1A" in stdout and "khoi12-CN.json" in stdout and "giả định" not in stdout

    soffice = require_tool("soffice")
    ws = openpyxl.load_workbook(out)["Sheet1"]
    expected = [[_csv(c.value) for c in row] for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=34)]
    assert expected[3][33] == "HTXS" and expected[4][33] == "HT" and expected[3][31:33] == ["x", "x"]
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path / "csv"),
                    str(out)], check=True, timeout=300, capture_output=True)
    with (tmp_path / "csv" / "kqht.csv").open(encoding="utf-8", newline="") as f:
        got = [(row + [""] * 34)[:34] for row in csv.reader(f)]
    assert got == expected


def _csv(v: object) -> str:
    return "" if v is None else str(v)


def directory_year(db: Path) -> str:
    with Store.open(db) as store:
        return directory.years(store)[-1]


def test_a_teacher_cannot_export_the_grade(demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOCBASO_PASSWORD", raising=False)
    out = tmp_path / "k.xlsx"
    code, stdout, err = _call(demo_db, capsys, "export-kqht", "--grade", "1", "--period", "CN", "--out", str(out),
                              "--as", "GV001")
    assert code == 1 and "Không có quyền đồng bộ lên CSDL ngành" in err and not out.exists() and stdout == ""
    code, stdout, err = _call(demo_db, capsys, "export-kqht", "--grade", "1", "--period", "CN", "--out", str(out),
                              "--as", "HT")
    assert code == 0 and out.exists(), err
    code, stdout, err = _call(demo_db, capsys, "export-kqht", "--grade", "1", "--period", "HK3", "--out", str(out),
                              "--as", "HT")
    assert code == 2
