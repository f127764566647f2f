"""`hocbaso audit verify` (exit 0 intact; an edited row → exit 1 naming the first broken entry) and
`audit list` filtered by student (evaluation edits carry the student's mã định danh as "hs") and staff."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from hocbaso_desktop.cli import main
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.storage.engine import Store
from tests.conftest import hocbaso_cmd


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args, "--as", "HT"])  # the demo's principal: the audit is read logged in
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def edited(demo_db: Path) -> tuple[Path, str, str]:
    """Two edits: GV001 on a 1A student, GV002 on a 1B student."""
    with Store.open(demo_db) as store:
        a, b = directory.students(store, "1A")[0], directory.students(store, "1B")[0]
        for code, st, text in (("GV001", a, "Tiến bộ rõ rệt về đọc."), ("GV002", b, "Cần luyện viết thêm.")):
            o = apply_edits(store, directory.actor(store, code), [CellEdit(st.enrolment_id, "CN", "subject_comment", "TV", text)])[0]
            assert o.ok, o.message
    return demo_db, a.personal_id, b.personal_id


def test_audit_list_filters(edited: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    db, a, b = edited
    code, out, _ = run(db, capsys, "audit", "list", "--student", a)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1
    seq, _at, actor, action, entity, entity_id, changes = lines[0].split("\t")
    assert actor == "GV001" and action == "evaluation.subject" and entity == "subject_evaluation"
    assert f'"hs": "{a}"' in changes and "Tiến bộ rõ rệt về đọc." in changes
    code, out, _ = run(db, capsys, "audit", "list", "--staff", "gv002")  # case-insensitive code
    assert [line.split("\t")[3] for line in out.splitlines()][-1] == "evaluation.subject"
    assert all(line.split("\t")[2] == "GV002" for line in out.splitlines()) and b in out and a not in out
    code, out, _ = run(db, capsys, "audit", "list", "--student", a, "--staff", "GV002")
    assert out == ""
    code, out, _ = run(db, capsys, "audit", "list", "--staff", "GV002", "--limit", "1")
    assert len(out.splitlines()) == 1 and "GV002" in out
    code, out, _ = run(db, capsys, "audit", "list", "--limit", "1")  # reading the audit is itself a login
    assert "\tHT\taccount.login\t" in out
    code, _, err = run(db, capsys, "audit", "list", "--student", "000000000000")
    assert code == 1 and "Không có học sinh" in err


def test_audit_verify_detects_an_edited_row(edited: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    db, a, _b = edited
    code, out, _ = run(db, capsys, "audit", "verify")
    assert code == 0 and out.startswith("Nhật ký toàn vẹn:")
    con = sqlite3.connect(db)  # someone with the file and sqlite3 rewrites history
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")
    seq = con.execute("SELECT id FROM audit_log WHERE changes LIKE ?", (f'%"hs":"{a}"%',)).fetchone()[0]
    con.execute("UPDATE audit_log SET actor = 'HT' WHERE id = ?", (seq,))
    con.commit()
    con.close()
    proc = subprocess.run(hocbaso_cmd() + ["--db", str(db), "audit", "verify", "--as", "HT"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    first, second = proc.stdout.splitlines()[:2]
    assert f"mục #{seq}" in first and "đã bị sửa" in first
    assert second.startswith(f"#{seq}\t") and "\tHT\tevaluation.subject\t" in second
