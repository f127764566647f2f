"""`hocbaso correction …`, `records versions`, `records withdraw` on a SoftHSM2-issued class: in process
(main() + capsys, fast) with one subprocess round for the real entry point."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from hocbaso_desktop.cli import main
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.storage.engine import Store
from tests.conftest import hocbaso_cmd
from tests.correction_school import YEAR, build_issued_school, copy_school
from tests.school_token import PIN, SchoolToken, school_token

DATE = r"\d{4}-\d{2}-\d{2}"
SHA = r"[0-9a-f]{64}"


@pytest.fixture(scope="module")
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture(scope="module")
def issued_db(demo_template: Path, token: SchoolToken, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_issued_school(demo_template, token, tmp_path_factory.mktemp("corr-cli"))


@pytest.fixture
def db(issued_db: Path, token: SchoolToken, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    token.activate()
    monkeypatch.setenv("HOCBASO_PIN", PIN)
    monkeypatch.delenv("HOCBASO_PASSWORD", raising=False)
    monkeypatch.setenv("HOCBASO_AS", "HT")  # reading commands (records versions, audit list) log in (issue 15)
    return copy_school(issued_db, tmp_path)


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", str(db), *args])
    except SystemExit as e:  # argparse refusals
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _student(db: Path, cls: str = "1A"):  # noqa: ANN202
    with Store.open(db) as store:
        return directory.students(store, cls)[0]


def test_request_approve_resign_versions_minute(db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    st = _student(db)
    code, out, _ = run(db, capsys, "records", "versions", "--student", st.personal_id)
    assert code == 0 and re.fullmatch(rf"1\tđã phát hành\t{SHA}\t{DATE}\n", out), out
    sha1 = out.split("\t")[2]

    evidence = tmp_path / "minh-chứng.txt"
    evidence.write_text("Sổ theo dõi chất lượng giáo dục, trang 12", encoding="utf-8")
    code, out, err = run(db, capsys, "correction", "request", "--student", st.personal_id, "--year", YEAR,
                         "--as", "GV001", "--reason", "Nhập nhầm nhận xét môn Tiếng Việt", "--evidence", str(evidence))
    assert code == 0, err
    cid = out.strip()
    assert re.fullmatch(r"\d+", cid)
    code, out, _ = run(db, capsys, "correction", "list")
    assert code == 0 and out.startswith(f"{cid}\tchờ duyệt\t{st.personal_id}\t{st.full_name}\t1A\t{YEAR}\t1\tGV001\t")

    code, _, err = run(db, capsys, "correction", "approve", cid, "--as", "GV001")
    assert code == 1 and "Không có quyền phê duyệt sửa dữ liệu: cần vai trò Hiệu trưởng" in err
    code, out, err = run(db, capsys, "correction", "approve", cid, "--as", "HT", "--witness", "QT01",
                         "--witness", "TTND:Nguyễn Văn Bình")
    assert code == 0, err
    assert "Nguyễn Văn Bình — Ban TTND" in out and "Phạm Minh Tuấn (QT01) — Ban quản trị" in out
    code, out, _ = run(db, capsys, "records", "versions", "--student", st.personal_id)
    assert re.fullmatch(rf"1\tđã phát hành\t{sha1}\t{DATE}\n2\tnháp\t-\t{DATE}\n", out), out

    with Store.open(db) as store:
        o = apply_edits(store, directory.actor(store, "GV001"),
                        [CellEdit(st.enrolment_id, "CN", "subject_comment", "TV", "Đọc lưu loát, viết đúng chính tả.")])[0]
        assert o.ok, o.message
    for args in (["--as", "GV001"], ["--as", "HT"], ["--as", "HT", "--seal"]):
        code, out, err = run(db, capsys, "sign", "--class", "1A", *args)
        assert code == 0 and "đã ký 1 học bạ" in out, out + err

    proc = subprocess.run(hocbaso_cmd() + ["--db", str(db), "records", "versions", "--student", st.personal_id,
                                           "--as", "HT"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert re.fullmatch(rf"1\tthay thế\t{sha1}\t{DATE}", lines[0]) and re.fullmatch(rf"2\tđã phát hành\t{SHA}\t{DATE}", lines[1])
    assert lines[1].split("\t")[2] != sha1 and len(lines) == 2
    code, out, _ = run(db, capsys, "correction", "list")
    assert out == ""  # applied: nothing open any more
    code, out, _ = run(db, capsys, "correction", "list", "--all")
    assert f"{cid}\tđã hoàn tất\t" in out

    pdf = tmp_path / "bien-ban.pdf"
    code, out, err = run(db, capsys, "correction", "minute", cid, "--out", str(pdf))
    assert code == 0, err
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "Đọc lưu loát, viết đúng chính tả." in text and "Tiếng Việt — nhận xét" in text
    assert "minh-chứng.txt" in text and "Nguyễn Văn Bình" in text and st.full_name in text

    code, out, _ = run(db, capsys, "audit", "list", "--student", st.personal_id, "--action", "correction")
    assert [line.split("\t")[3] for line in out.splitlines()] == ["correction.request", "correction.approve", "correction.apply"]


def test_reject_and_refusals(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    st = _student(db)
    code, _, err = run(db, capsys, "correction", "request", "--student", st.personal_id, "--year", YEAR,
                       "--as", "GV012", "--reason", "Nhập nhầm điểm")
    assert code == 1 and "GVCN hoặc GVBM của lớp 1A" in err
    code, _, err = run(db, capsys, "correction", "request", "--student", st.personal_id, "--year", YEAR,
                       "--reason", "Nhập nhầm điểm")
    assert code == 2 and "--as" in err  # argparse: required
    code, out, _ = run(db, capsys, "correction", "request", "--student", st.personal_id, "--year", YEAR,
                       "--as", "GV011", "--reason", "Nhập nhầm mức Ngoại ngữ 1")
    cid = out.strip()
    code, _, err = run(db, capsys, "correction", "reject", cid, "--as", "QT01", "--reason", "Không đủ minh chứng")
    assert code == 1 and "Không có quyền" in err
    code, out, _ = run(db, capsys, "correction", "reject", cid, "--as", "HT", "--reason", "Không đủ minh chứng")
    assert code == 0 and "Đã từ chối phiếu số" in out
    code, out, _ = run(db, capsys, "records", "versions", "--student", st.personal_id)
    assert out.count("\n") == 1 and "\tđã phát hành\t" in out
    draft = _student(db, "1B")
    code, out, _ = run(db, capsys, "records", "versions", "--student", draft.personal_id)
    assert re.fullmatch(rf"1\tnháp\t-\t{DATE}\n", out)


def test_cutoff_refuses_naming_the_date(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    st = _student(db)
    lock = date.today() + timedelta(days=3)
    con = sqlite3.connect(db)
    con.execute("UPDATE school_year SET lock_date = ?", (lock.isoformat(),))
    con.commit()
    con.close()
    code, _, err = run(db, capsys, "correction", "request", "--student", st.personal_id, "--year", YEAR,
                       "--as", "GV001", "--reason", "Nhập nhầm nhận xét")
    cut = lock - timedelta(days=7)
    assert code == 1 and f"hạn cuối là ngày {cut:%d/%m/%Y}" in err and f"{lock:%d/%m/%Y}" in err


def test_withdraw(db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    st = _student(db)
    code, _, err = run(db, capsys, "records", "withdraw", "--student", st.personal_id, "--year", YEAR,
                       "--as", "GV001", "--reason", "Cấp nhầm học sinh")
    assert code == 1 and "Không có quyền thu hồi học bạ" in err
    monkeypatch.setenv("HOCBASO_PIN", "000000")  # the seal's PIN wrong: nothing withdrawn
    code, _, err = run(db, capsys, "records", "withdraw", "--student", st.personal_id, "--year", YEAR,
                       "--as", "HT", "--reason", "Cấp nhầm học sinh")
    assert code != 0 and "PIN" in err, err
    assert run(db, capsys, "records", "versions", "--student", st.personal_id)[1].split("\t")[1] == "đã phát hành"
    monkeypatch.setenv("HOCBASO_PIN", PIN)
    doc = tmp_path / "thu-hoi.xml"
    code, out, err = run(db, capsys, "records", "withdraw", "--student", st.personal_id, "--year", YEAR,
                         "--as", "HT", "--reason", "Cấp nhầm học sinh", "--out", str(doc))
    assert code == 0 and "CANCEL" in out and "con dấu" in out, err
    code, out, err = run(db, capsys, "verify", str(doc))
    assert code == 0 and "ĐÃ BỊ THU HỒI" in out and "Lý do: Cấp nhầm học sinh" in out, out + err
    code, out, _ = run(db, capsys, "records", "versions", "--student", st.personal_id)
    assert re.fullmatch(rf"1\tthu hồi\t{SHA}\t{DATE}\n", out)
    con = sqlite3.connect(db)
    events = [r[0] for r in con.execute("SELECT o.event FROM outbox o JOIN record r ON r.id = o.record_id "
                                        "JOIN enrolment e ON e.id = r.enrolment_id WHERE e.id = ? ORDER BY o.id",
                                        (st.enrolment_id,))]
    con.close()
    assert events == ["NEW", "CANCEL"]


def test_list_and_minute_need_a_login_and_show_a_teacher_only_hers(db: Path, capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15: a request names a pupil and what is wrong with her record — not for anyone at the keyboard."""
    st = _student(db)
    code, out, err = run(db, capsys, "correction", "request", "--student", st.personal_id, "--year", YEAR,
                         "--as", "GV001", "--reason", "Nhập nhầm nhận xét")
    assert code == 0, err
    cid = out.strip()
    monkeypatch.delenv("HOCBASO_AS")
    for args in (["correction", "list"], ["correction", "minute", cid, "--out", str(tmp_path / "m.pdf")]):
        code, out, err = run(db, capsys, *args)
        assert code == 2 and "Cần cho biết ai thao tác" in err and out == "", (args, err)
    assert not (tmp_path / "m.pdf").exists()
    code, out, _ = run(db, capsys, "correction", "list", "--as", "GV001")  # the requester sees hers
    assert code == 0 and out.startswith(f"{cid}\t")
    code, out, _ = run(db, capsys, "correction", "list", "--all", "--as", "GV012")  # another teacher: none
    assert code == 0 and out == ""
    code, out, err = run(db, capsys, "correction", "minute", cid, "--out", str(tmp_path / "m.pdf"), "--as", "GV012")
    assert code == 1 and "Không có quyền xem biên bản đính chính" in err and not (tmp_path / "m.pdf").exists()
    code, out, err = run(db, capsys, "correction", "minute", "999999", "--out", str(tmp_path / "m.pdf"), "--as", "GV012")
    assert code == 1 and "Không có quyền xem biên bản đính chính số 999999" in err  # no hint it does not exist
