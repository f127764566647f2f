"""`hocbaso transcribe` (issue 17): template, fill from paper, transcribe (exit 0), refusals (exit 1,
nothing written), then `hocbaso sign` on the paper year's class: the principal, then the seal issues."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hocbaso_desktop.cli import main
from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from tests.assign_school import PASSWORD, give_password
from tests.pupil_school import CHI, new_school
from tests.school_token import PIN, school_token
from tests.transcription_xlsx import fill


def run(db: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", str(db), *argv])
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(db: Path) -> tuple[int, ...]:
    con = sqlite3.connect(db)
    try:
        # the audit log grows by each login (audited): count what a transcription would write there
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("school_year", "school_class", "enrolment", "transcription", "subject_evaluation")) + (
            con.execute("SELECT count(*) FROM audit_log WHERE action NOT LIKE 'account.%'"
                        ).fetchone()[0],)
    finally:
        con.close()


def earlier(year: str) -> str:
    return f"{int(year[:4]) - 1}-{year[:4]}"


def test_transcribe_from_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "truong.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp_path)
        for code in ("VP01", "GV1", "HT"):
            give_password(store, code)
        live = directory.current_year_name(store)
    monkeypatch.setenv("HOCBASO_PASSWORD", PASSWORD)
    paper, chi = earlier(live), CHI[3]
    base = ["transcribe", "--student", chi, "--year", paper, "--grade", "1"]
    code, out, err = run(db, capsys, *base, "--template", str(tmp_path / "blank.xlsx"), "--class", "1b", "--as", "VP01")
    assert code == 0 and "Đã ghi bảng trích lục" in out, err
    filled = fill(tmp_path / "blank.xlsx", tmp_path / "filled.xlsx", chi, 1)

    before = rows(db)
    # refused: another grade, a teacher — exit 1, a Vietnamese reason, nothing written
    code, out, err = run(db, capsys, "transcribe", "--student", chi, "--year", paper, "--grade", "2", "--from", str(filled),
                         "--as", "VP01")
    assert code == 1 and "không phải khối 2" in err and "không ghi gì" in err and out == ""
    code, out, err = run(db, capsys, *base, "--from", str(filled), "--as", "GV1")
    assert code == 1 and "Không có quyền nhập trích lục từ học bạ giấy" in err
    code, out, err = run(db, capsys, *base, "--from", str(tmp_path / "nope.xlsx"), "--as", "VP01")
    assert code == 2
    assert rows(db) == before

    code, out, err = run(db, capsys, *base, "--from", str(filled), "--book-ref", "Sổ 7", "--as", "VP01")
    assert code == 0, err
    assert f"năm học {paper}, khối 1, lớp 1B, sổ Sổ 7" in out and "kết quả HTXS" in out
    assert f"hocbaso sign --class 1B --year {paper}" in out
    # the paper year is no live year: `classes` without --year shows the live year only
    code, out, err = run(db, capsys, "classes", "--as", "HT")
    assert code == 0 and "1B" not in out
    # again: refused, nothing more written
    after = rows(db)
    code, out, err = run(db, capsys, *base, "--from", str(filled), "--as", "VP01")
    assert code == 1 and "đã có (trích lục" in err and rows(db) == after


def test_transcribe_then_sign_on_the_demo(demo_db: Path, demo_template: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    token = school_token(demo_template)
    db = demo_db
    with Store.open(db) as store:
        token.attach(store)
        live = directory.current_year_name(store)
        pid = directory.students(store, "3A")[0].personal_id
    monkeypatch.setenv("HOCBASO_PIN", PIN)
    paper = earlier(live)
    code, out, err = run(db, capsys, "transcribe", "--student", pid, "--year", paper, "--grade", "2",
                         "--template", str(tmp_path / "b.xlsx"), "--class", "2C", "--as", "VP01")
    assert code == 0, err
    fill(tmp_path / "b.xlsx", tmp_path / "f.xlsx", pid, 2)
    code, out, err = run(db, capsys, "transcribe", "--student", pid, "--year", paper, "--grade", "2",
                         "--from", str(tmp_path / "f.xlsx"), "--book-ref", "HB-2C/2024", "--as", "VP01")
    assert code == 0, err
    # a GVCN cannot sign it; the principal can, then the seal issues it
    code, out, err = run(db, capsys, "sign", "--class", "2C", "--year", paper, "--role", "gvcn", "--as", "GV001")
    assert code == 1
    code, out, err = run(db, capsys, "sign", "--class", "2C", "--year", paper, "--as", "HT")
    assert code == 0 and "vai trò Hiệu trưởng" in out and "đã ký 1 học bạ" in out, out + err
    code, out, err = run(db, capsys, "sign", "--class", "2C", "--year", paper, "--seal", "--as", "VP01")
    assert code == 0 and "đã ký 1 học bạ (phát hành 1)" in out, out + err
    code, out, err = run(db, capsys, "records", "export", "--class", "2C", "--year", paper, "--out", str(tmp_path / "x"),
                         "--as", "HT")
    assert code == 0, err
    (xml,) = (tmp_path / "x").glob("*.xml")
    assert b"<trichluc>1</trichluc>" in xml.read_bytes()
    code, out, err = run(db, capsys, "verify", str(xml), "--trust", str(token.trust_dir))
    assert code == 0, out + err
