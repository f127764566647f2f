"""Every command that acts or reads personal data logs in (issue 15), on a school set up from nothing.

For each command: without --as it is a usage error naming --as; with a wrong password it is refused
(exit 1, "mật khẩu"), prints nothing on stdout and changes nothing; with the right password the login
passes (whatever the command's own rules then say), which proves the argv below is a real call and
the refusals above come from the login, not from a typo in the test.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from hocbaso_desktop.cli import main
from hocbaso_desktop.domain.roles import ADMIN
from hocbaso_desktop.services import accounts, directory
from hocbaso_desktop.storage.engine import Store

PW = "quản trị 2026 thử!"
PID = "001219012345"
LOGIN_ERRORS = ("Cần cho biết ai thao tác", "mật khẩu", "HOCBASO_PASSWORD", "tạm khóa")
# Tables a refused login may touch: the account's failed-attempt counter and the audit of the attempt.
LOGIN_TABLES = ("audit_log", "account")


def _call(db: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    try:
        code = main(["--db", str(db), *argv])
    except SystemExit as e:  # argparse refusals
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _school(tmp: Path) -> tuple[Path, str]:
    db = tmp / "truong.sqlite3"
    with Store.open(db) as store:
        accounts.create_first_admin(store, "QT01", "Nguyễn Quản Trị", PW, ADMIN)
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"])
    ws.append([1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", PID, "Kinh", "1A"])
    wb.save(tmp / "ds.xlsx")
    with Store.open(db) as store:
        return db, directory.years(store)[-1] if directory.years(store) else ""


def _commands(tmp: Path, year: str) -> list[list[str]]:
    f = str(tmp / "ds.xlsx")
    out = tmp / "out"
    return [
        ["classes"], ["students"], ["staff"], ["results", "--class", "1A"],
        ["school", "set", "--name", "Trường Tiểu học Giả"],
        ["import-classes", f], ["import-staff", f],
        ["staff-add", "--name", "Người Lạ"], ["staff-edit", "KHONGCO"],
        ["staff-deactivate", "KHONGCO", "--date", "2026-01-01", "--reason", "thử"], ["staff-reactivate", "KHONGCO"],
        ["assign", "homeroom", "1A", "KHONGCO"], ["assign", "subject", "1A", "TV", "KHONGCO"],
        ["assign", "remove", "1A", "TV", "KHONGCO"], ["assign", "import", f],
        ["pupil", "show", PID], ["pupil", "set", PID, "--name", "Tên Giả Mạo"],
        ["promote", PID, "--decision", "len-lop"],
        ["grid", "export", "--class", "1A", "--period", "CN", str(out / "g.xlsx")],
        ["grid", "import", f],
        ["grid", "summary", "--class", "1A", "--period", "CN", str(out / "s.xlsx")],
        ["records", "build", "--class", "1A", "--out", str(out / "rb")],
        ["records", "pdf", "--class", "1A", "--out", str(out / "r.pdf")],
        ["records", "export", "--class", "1A", "--out", str(out / "re")],
        ["records", "versions", "--student", PID],
        ["records", "withdraw", "--student", PID, "--year", year, "--reason", "thử"],
        ["demo-token"], ["sign", "--class", "1A"],
        ["cert", "register", "QT01", "0" * 64], ["cert", "list"],
        ["trust", "add", f], ["trust", "remove", "0" * 64],
        ["settings", "set", "gvbm-signs", "1"],
        ["user", "list"], ["user", "reset", "KHONGCO"], ["user", "enable", "KHONGCO"],
        ["user", "unlock", "KHONGCO"], ["user", "disable", "KHONGCO"],
        ["outbox", "send"], ["outbox", "retry"], ["outbox", "export", str(out / "ob")],
        ["year", "lock", year], ["year", "unlock", year, "--reason", "thử"],
        ["year", "open", f"{int(year[:4]) + 1}-{int(year[:4]) + 2}", "--from", year],
        ["archive", "export", "--year", year, "--to", str(out / "usb")],
        ["transfer", "export", "--student", PID, "--out", str(out / "t.zip")],
        ["transfer", "import", f, "--class", "1A"],
        ["report", "--period", "CN", "--out", str(out / "bc.xlsx")],
        ["backup", "now"], ["backup", "restore", f],
        ["correction", "request", "--student", PID, "--year", year, "--reason", "thử"],
        ["correction", "approve", "1"], ["correction", "reject", "1", "--reason", "thử"],
        ["correction", "cancel", "1", "--reason", "thử"], ["correction", "list"],
        ["correction", "minute", "1", "--out", str(out / "m.pdf")],
        ["audit", "verify"], ["audit", "list"],
        ["export-kqht", "--grade", "1", "--period", "CN", "--out", str(out / "kqht.xlsx")],
        ["transcribe", "--student", PID, "--year", f"{int(year[:4]) - 1}-{year[:4]}", "--grade", "1", "--from", f],
        ["transcribe", "--student", PID, "--year", f"{int(year[:4]) - 1}-{year[:4]}", "--grade", "1",
         "--template", str(out / "tl.xlsx")],
    ]


def _data_digest(db: Path) -> str:
    """Everything in the file but the login bookkeeping, and no file written under out/."""
    con = sqlite3.connect(db)
    try:
        lines = [line for line in con.iterdump()
                 if not any(f'"{t}"' in line.split("VALUES")[0] for t in LOGIN_TABLES)]
        staff = con.execute("SELECT code, full_name, personal_id, active FROM staff ORDER BY id").fetchall()
    finally:
        con.close()
    return hashlib.sha256(("\n".join(lines) + repr(staff)).encode()).hexdigest()


def test_every_acting_or_reading_command_needs_the_login(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HOCBASO_AS", "HOCBASO_PASSWORD", "HOCBASO_PIN", "HOCBASO_DB"):
        monkeypatch.delenv(var, raising=False)
    db, _ = _school(tmp_path)
    monkeypatch.setenv("HOCBASO_PASSWORD", PW)
    code, out, err = _call(db, capsys, ["import-classes", str(tmp_path / "ds.xlsx"), "--as", "QT01"])
    assert code == 0, out + err
    with Store.open(db) as store:
        year = directory.years(store)[-1]
    (tmp_path / "out").mkdir()
    commands = _commands(tmp_path, year)
    before = _data_digest(db)

    for argv in commands:
        monkeypatch.delenv("HOCBASO_PASSWORD", raising=False)
        code, out, err = _call(db, capsys, argv)
        assert code == 2 and "--as" in err and out == "", (argv, code, out, err)

        monkeypatch.setenv("HOCBASO_PASSWORD", "đoán bừa 123")
        code, out, err = _call(db, capsys, [*argv, "--as", "QT01"])
        assert code == 1 and "mật khẩu" in err.lower() and out == "", (argv, code, out, err)
        # a wrong password counts towards the lock-out; start each command from a clean counter
        with Store.open(db) as store:
            store.execute_raw("UPDATE account SET failed_attempts = 0, locked_until = NULL")
    assert _data_digest(db) == before, "a refused login changed the school's data"
    assert not any((tmp_path / "out").iterdir()), "a refused login wrote a file"

    # The same argv with the right password gets past the login: the refusals above were the login's.
    monkeypatch.setenv("HOCBASO_PASSWORD", PW)
    for argv in commands:
        code, out, err = _call(db, capsys, [*argv, "--as", "QT01"])
        assert not any(m.lower() in err.lower() for m in LOGIN_ERRORS), (argv, code, out, err)
        assert "usage:" not in err, (argv, err)
