"""`hocbaso transcribe … --replace` (issue 17): a mistyped cell fixed before anyone signs; the same
command without --replace, with another book reference, or by a teacher exits 1 writing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from tests.assign_school import PASSWORD, give_password
from tests.cli.test_transcribe_cli import earlier, rows, run
from tests.pupil_school import CHI, new_school
from tests.transcription_xlsx import fill

TOAN = ("Môn học", "Toán – Mức")
RESULT = ("Tổng hợp", "Kết quả giáo dục – GVCN xác nhận")


def test_replace_from_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "truong.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp_path)
        for code in ("VP01", "GV1"):
            give_password(store, code)
        live = directory.current_year_name(store)
    monkeypatch.setenv("HOCBASO_PASSWORD", PASSWORD)
    paper, chi = earlier(live), CHI[3]
    base = ["transcribe", "--student", chi, "--year", paper, "--grade", "1"]
    code, _out, err = run(db, capsys, *base, "--template", str(tmp_path / "blank.xlsx"), "--class", "1A", "--as", "VP01")
    assert code == 0, err
    typo = fill(tmp_path / "blank.xlsx", tmp_path / "typo.xlsx", chi, 1, cells={TOAN: "H", RESULT: "HT"})
    fixed = fill(tmp_path / "blank.xlsx", tmp_path / "fixed.xlsx", chi, 1)
    code, out, err = run(db, capsys, *base, "--from", str(typo), "--book-ref", "Sổ 7", "--as", "VP01")
    assert code == 0 and "kết quả HT" in out, err

    before = rows(db)
    code, out, err = run(db, capsys, *base, "--from", str(fixed), "--as", "VP01")  # the same command again
    assert code == 1 and "--replace" in err and "không ghi gì" in err and out == ""
    code, out, err = run(db, capsys, *base, "--from", str(fixed), "--book-ref", "Sổ 8", "--replace", "--as", "VP01")
    assert code == 1 and "đã ghi là «Sổ 7»" in err
    code, out, err = run(db, capsys, *base, "--from", str(fixed), "--replace", "--as", "GV1")
    assert code == 1 and "Không có quyền nhập trích lục từ học bạ giấy" in err
    assert rows(db) == before

    code, out, err = run(db, capsys, *base, "--from", str(fixed), "--replace", "--as", "VP01")
    assert code == 0, err
    assert "Đã thay bản trích lục chưa ký" in out and "Toán – Mức: H → T" in out and "sổ Sổ 7" in out
    after = rows(db)
    assert after[:5] == before[:5] and after[5] > before[5]  # no new year/class/enrolment/row; audited
