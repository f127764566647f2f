"""Issue 14, done when: a new school, from an empty database to a verified sealed archive, through the
`hocbaso` command only — first account, the principal's account, staff import, class import,
assignments, teachers with passwords entering a grid workbook, results, the principal's promotion
decision, GVCN → principal → seal on a SoftHSM2 token, year lock, archive export, archive verify.

Every step is a real process (`python -m hocbaso_desktop.cli`) on a real SQLite file; nothing calls
services/demo.py (checked at the end in the audit log). The token is SoftHSM2, its certificates issued
by a CA of the test (as a provider would), and the school adds that CA with `hocbaso trust add`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hocbaso_desktop.exchange.grid_layout import grid_layout
from hocbaso_desktop.signing import create_demo_token
from tests.e2e.new_school import CLASS, GRADE, LEFT, SCHOOL, STAFF, fill_rows, pupils
from tests.grid_xlsx import FIRST, headers
from tests.tools import require_tool

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]
PASSWORDS = {"QT01": "Quản trị viên 2026!", "HT": "Hiệu trưởng 2026!", "GV101": "Chủ nhiệm 3A 2026!",
             "GV201": "Tiếng Anh 3A 2026!", "VP01": "Văn thư 2026!"}
PIN = "135790"


class School:
    def __init__(self, db: Path, env: dict[str, str]) -> None:
        self.db, self.env = db, env

    def run(self, *args: str, as_code: str | None = None, extra: dict[str, str] | None = None,
            ok: bool = True) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if as_code:
            args = (*args, "--as", as_code)
            env["HOCBASO_PASSWORD"] = PASSWORDS[as_code]
        env.update(extra or {})
        r = subprocess.run([*CMD, "--db", str(self.db), *args], capture_output=True, text=True, encoding="utf-8",
                           env=env, stdin=subprocess.DEVNULL, timeout=300)
        if ok:
            assert r.returncode == 0, f"{args}\n{r.stdout}\n{r.stderr}"
        return r


def _fill_grid(src: Path, dst: Path, *, only: set[str] | None, skip: set[str], weak_pid: str | None) -> int:
    """A teacher fills the CN workbook at home: every empty editable cell of her subjects (only=None:
    everything but `skip`), T / 9 everywhere, Toán C / 3 for the weak pupil; results as proposed."""
    wb = load_workbook(src)
    layouts = {lay.title: lay for lay in grid_layout(GRADE, frozenset(), "CN")}
    filled = 0
    for title, lay in layouts.items():
        ws = wb[title]
        cols = headers(ws)
        pid_col = cols["Mã định danh"]
        for col in lay.columns:
            if not col.editable or col.kind in ("stt", "pid", "name", "proposal", "reason", "awards", "adhoc_awards"):
                continue
            code = col.code
            if col.kind.startswith("subject_"):
                if (only is not None and code not in only) or code in skip:
                    continue
            elif only is not None:
                continue  # a GVBM fills her subjects only
            c = cols[col.header]
            for r in range(FIRST, ws.max_row + 1):
                pid = ws.cell(r, pid_col).value
                if not pid or ws.cell(r, c).value not in (None, ""):
                    continue
                weak = pid == weak_pid and code == "TOAN"
                value = {"subject_level": "C" if weak else "T", "subject_score": 3 if weak else 9,
                         "subject_comment": "Cần cố gắng thêm." if weak else "Hoàn thành tốt.",
                         "quality_level": "T", "group_comment": "Tốt.", "days_excused": 0, "days_unexcused": 0,
                         "confirmed": "CHT" if pid == weak_pid else "HTXS"}.get(col.kind)
                if value is None:
                    continue
                ws.cell(r, c).value = value
                filled += 1
    wb.save(dst)
    return filled


@pytest.fixture
def token_env(tmp_path: Path) -> dict[str, str]:
    module = require_tool("softhsm2")  # skips locally with the package to install, fails on CI
    home = tmp_path / "token"
    people = [(p.code, p.name, p.pid, "person") for p in STAFF if p.code in ("HT", "GV101")]
    people.append(("CONDAU", SCHOOL["name"], SCHOOL["moet_code"], "seal"))
    info = create_demo_token(module, home / "softhsm2.conf", home / "tokens", "KIMDONG", user_pin=PIN,
                             so_pin="97531864", people=people, ca_dir=home / "ca", school_name=SCHOOL["name"])
    return {"SOFTHSM2_CONF": info.conf_path, "CA_DIR": str(home / "ca"), "MODULE": module}


def test_a_new_school_runs_its_year_from_the_command_line(tmp_path: Path, token_env: dict[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCBASO_") and k != "SOFTHSM2_CONF"}
    sch = School(tmp_path / "kimdong.sqlite3", env)

    # 1. the first account (Ban quản trị), then the school's details
    sch.run("user", "create", "QT01", "--name", "Lê Thị Quản", "--role", "admin",
            extra={"HOCBASO_NEW_PASSWORD": PASSWORDS["QT01"]})
    sch.run("school", "set", "--name", SCHOOL["name"], "--moet-code", SCHOOL["moet_code"],
            "--province", SCHOOL["province"], "--address", SCHOOL["address"], as_code="QT01")

    # 2. the staff list from our template (one person has left: kept, not active)
    tpl = tmp_path / "mau-can-bo.xlsx"
    sch.run("template-staff", str(tpl))
    staff_file = tmp_path / "can-bo.xlsx"
    rows = [{"mã cán bộ": p.code, "họ tên": p.name, "ngày sinh": f"01/01/{p.born}", "giới tính": p.sex,
             "số định danh": p.pid, "chức vụ": p.position, "trạng thái": "Đang làm việc"} for p in STAFF]
    rows[3]["vai trò"] = "Văn phòng, Lưu trữ"  # VP01: clerk and archivist
    rows.append({"mã cán bộ": LEFT.code, "họ tên": LEFT.name, "ngày sinh": f"01/01/{LEFT.born}", "giới tính": LEFT.sex,
                 "số định danh": LEFT.pid, "chức vụ": LEFT.position, "trạng thái": "Đang làm việc"})
    fill_rows(tpl, staff_file, rows)
    r = sch.run("import-staff", str(staff_file), "--dry-run", as_code="QT01")
    assert "5 người mới" in r.stdout and "chưa ghi" in r.stdout
    assert "HT" not in sch.run("staff", as_code="QT01").stdout
    sch.run("import-staff", str(staff_file), as_code="QT01")
    sch.run("staff-deactivate", LEFT.code, "--date", date.today().isoformat(), "--reason", "nghỉ hưu", as_code="QT01")
    listed = {line.split("\t")[0]: line.split("\t") for line in sch.run("staff", as_code="QT01").stdout.splitlines()}
    assert listed["HT"][4] == STAFF[0].pid and listed["GV101"][4] == STAFF[1].pid

    # 3. accounts: the admin team creates the principal's first, then the others; each sets their own
    for i, p in enumerate(STAFF):
        temporary = f"Mật khẩu tạm số {i} năm nay"
        sch.run("user", "create", p.code, as_code="QT01", extra={"HOCBASO_NEW_PASSWORD": temporary})
        sch.run("user", "set-password", p.code,
                extra={"HOCBASO_PASSWORD": temporary, "HOCBASO_NEW_PASSWORD": PASSWORDS[p.code]})
    r = sch.run("user", "create", LEFT.code, as_code="QT01", extra={"HOCBASO_NEW_PASSWORD": "Mật khẩu tạm số 9 năm nay"}, ok=False)
    assert r.returncode != 0

    # 4. the class list (the clerk), for the school year running today
    ctpl = tmp_path / "mau-lop.xlsx"
    sch.run("template-classes", str(ctpl))
    kids = pupils_for_year(sch)
    cfile = tmp_path / "lop.xlsx"
    fill_rows(ctpl, cfile, [{"lớp": CLASS, "họ và tên": name, "ngày sinh": born.strftime("%d/%m/%Y"), "giới tính": sex,
                             "mã định danh": pid, "dân tộc": eth} for pid, name, born, sex, eth in kids])
    sch.run("import-classes", str(cfile), as_code="VP01")
    assert sch.run("classes", as_code="QT01").stdout.split("\n")[0].split("\t") == [CLASS, str(GRADE), str(len(kids))]

    # 5. assignments: English to the GVBM first, then the GVCN takes every other subject
    sch.run("assign", "subject", CLASS, "NN1", "GV201", as_code="QT01")
    sch.run("assign", "homeroom", CLASS, "GV101", "--teach-unassigned", as_code="QT01")
    r = sch.run("assign", "homeroom", CLASS, "GV201", as_code="QT01", ok=False)  # a second GVCN
    assert r.returncode == 1 and "GVCN" in r.stderr
    r = sch.run("assign", "subject", CLASS, "TOAN", LEFT.code, as_code="QT01", ok=False)  # left the school
    assert r.returncode == 1
    lines = [tuple(x.split("\t")) for x in sch.run("assign", "list").stdout.splitlines()]
    assert (CLASS, "GVCN", "GV101") in lines and (CLASS, "NN1", "GV201") in lines and (CLASS, "TOAN", "GV101") in lines
    assert (CLASS, "NN1", "GV101") not in lines

    # 6. teachers with passwords fill the year-end workbook at home
    weak = kids[2][0]
    g1 = tmp_path / "3a-nn1.xlsx"
    sch.run("grid", "export", "--class", CLASS, "--period", "CN", str(g1), as_code="GV101")
    _fill_grid(g1, g1, only={"NN1"}, skip=set(), weak_pid=None)
    r = sch.run("grid", "import", str(g1), as_code="GV101", ok=False)  # the GVCN does not teach NN1
    assert r.returncode == 1
    sch.run("grid", "import", str(g1), as_code="GV201")
    g2 = tmp_path / "3a-gvcn.xlsx"
    sch.run("grid", "export", "--class", CLASS, "--period", "CN", str(g2), as_code="GV101")
    assert _fill_grid(g2, g2, only=None, skip={"NN1"}, weak_pid=weak) > 0
    sch.run("grid", "import", str(g2), as_code="GV101")
    result_rows = sch.run("results", "--class", CLASS, as_code="GV101").stdout.splitlines()
    results = {line.split("\t")[0]: line.split("\t")[2] for line in result_rows}
    assert results[weak] == "CHT" and all(v == "HTXS" for k, v in results.items() if k != weak), results

    # 7. the school's token, set once in the settings (module, which token, its SoftHSM2 config)
    r = sch.run("settings", "set", "token-module", token_env["MODULE"], as_code="GV101", ok=False)
    assert r.returncode == 1 and "Không có quyền" in r.stderr
    sch.run("settings", "set", "token-module", token_env["MODULE"], as_code="QT01")
    sch.run("settings", "set", "token-label", "KIMDONG", as_code="QT01")
    sch.run("settings", "set", "softhsm-conf", token_env["SOFTHSM2_CONF"], as_code="QT01")
    assert "KIMDONG" in sch.run("settings", "show").stdout

    # 8. signing: the CHT pupil waits for the principal's decision after the supplementary evaluation
    pin = {"HOCBASO_PIN": PIN}
    r = sch.run("sign", "--class", CLASS, as_code="GV101", extra=pin)
    assert f"đã ký {len(kids) - 1} học bạ" in r.stdout, r.stdout + r.stderr
    r = sch.run("promote", weak, "--decision", "len-lop", as_code="GV101", ok=False)
    assert r.returncode != 0 and "Không có quyền" in r.stderr
    sch.run("promote", weak, "--decision", "len-lop", as_code="HT")
    r = sch.run("sign", "--class", CLASS, as_code="GV101", extra=pin)
    assert "đã ký 1 học bạ" in r.stdout, r.stdout + r.stderr
    r = sch.run("sign", "--class", CLASS, as_code="HT", extra=pin)
    assert f"đã ký {len(kids)} học bạ" in r.stdout
    r = sch.run("sign", "--class", CLASS, "--seal", as_code="HT", extra=pin)
    assert f"đã ký {len(kids)} học bạ (phát hành {len(kids)})" in r.stdout, r.stdout + r.stderr

    # 9. the records verify against the school's own trust anchors
    out = tmp_path / "signed"
    sch.run("records", "export", "--class", CLASS, "--out", str(out), as_code="HT")
    xmls = sorted(out.glob("*.xml"))
    assert len(xmls) == len(kids)
    r = sch.run("verify", str(xmls[0]), ok=False)  # the school has not said it trusts this CA yet
    assert r.returncode != 0 and "KHÔNG" in r.stdout + r.stderr
    sch.run("trust", "add", token_env["CA_DIR"], as_code="QT01")
    weak_xml = next(x for x in xmls if weak.encode() in x.read_bytes())
    assert b"<duoclenlop>" in weak_xml.read_bytes()
    for x in xmls:
        sch.run("verify", str(x))

    # 9b. one record was issued to a pupil who had already left: the principal withdraws it; the
    # withdrawal is a document sealed by the school, status 2 in its signed content (issue 16)
    gone = kids[-1][0]
    r = sch.run("records", "withdraw", "--student", gone, "--year", _year(sch), "--reason", "Cấp nhầm",
                as_code="GV101", extra=pin, ok=False)
    assert r.returncode == 1 and "Không có quyền" in r.stderr
    doc = tmp_path / "thu-hoi.xml"
    sch.run("records", "withdraw", "--student", gone, "--year", _year(sch), "--reason", "Học sinh đã chuyển trường trước khi cấp",
            "--out", str(doc), as_code="HT", extra=pin)
    r = sch.run("verify", str(doc))
    assert "ĐÃ BỊ THU HỒI" in r.stdout and "Học sinh đã chuyển trường trước khi cấp" in r.stdout, r.stdout
    assert "\tthu hồi\t" in sch.run("records", "versions", "--student", gone, as_code="HT").stdout

    # 9c. the whole primary record (issue 17): a pupil's book holds the year as signed, with its
    # lookup code; the withdrawn pupil has no valid year, so no book (and no file)
    pupil = kids[0][0]
    book = tmp_path / "hoc-ba-ca-cap.pdf"
    r = sch.run("records", "pdf", "--student", pupil, "--book", "--out", str(book), as_code="HT")
    assert f"Năm học {_year(sch)}" in r.stdout and "(1 năm học)" in r.stdout, r.stdout
    lookup = next(x.stem for x in xmls if pupil.encode() in x.read_bytes())
    text = subprocess.run(["pdftotext", str(book), "-"], capture_output=True, text=True, check=True).stdout
    assert "CÁC NĂM HỌC TRONG HỌC BẠ" in text and lookup in text and "BẢN NHÁP" not in text
    r = sch.run("records", "pdf", "--student", gone, "--book", "--out", str(tmp_path / "gone.pdf"), as_code="HT",
                ok=False)
    assert r.returncode == 1 and "chưa có năm học nào đã phát hành" in r.stderr
    assert not (tmp_path / "gone.pdf").exists()

    # 10. the year is locked and archived, and the archive verifies without the database
    year = sch.run("classes", as_code="QT01").stdout and _year(sch)
    sch.run("year", "lock", year, as_code="HT", extra=pin)
    usb = tmp_path / "usb"
    usb.mkdir()
    sch.run("archive", "export", "--year", year, "--to", str(usb), "--seal", as_code="VP01", extra=pin)
    archives = [p for p in usb.iterdir() if p.is_dir()]
    assert len(archives) == 1
    r = subprocess.run([*CMD, "archive", "verify", str(archives[0]), "--trust", token_env["CA_DIR"]],
                       capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr

    # 11. the packages go out: a receiver that checks every signature and the seal-signed head of the
    # school's audit chain (issue 15) stores each record once, and keeps the heads it saw
    from hocbaso_desktop.signing import TrustStore
    from hocbaso_desktop.sync.payload_check import SignedRecordCheck
    from tests.sync.helpers import running

    exported = tmp_path / "goi-tin"
    sch.run("outbox", "export", str(exported), as_code="QT01")
    packages = sorted(exported.rglob("*.xml"))
    assert len(packages) == len(kids) + 1  # every NEW, and the withdrawal's CANCEL
    for f in packages:  # the package and the record inside it, against their schemas (issue 16)
        assert "hợp lệ theo gói tin phiên bản 2" in sch.run("validate", str(f)).stdout
    with running(tmp_path / "recv", verifier=SignedRecordCheck(TrustStore.from_dirs(token_env["CA_DIR"]))) as recv:
        r = sch.run("outbox", "send", "--endpoint", recv.url, as_code="QT01")
        assert len(recv.stored_files()) == len(kids) + 1, r.stdout + r.stderr
        assert list((tmp_path / "recv" / "heads").glob("*.json")), "the receiver kept no signed head"

    # nothing of the demo was used, anywhere
    r = sch.run("audit", "list", as_code="QT01")
    assert "demo." not in r.stdout


def pupils_for_year(sch: School) -> list[tuple]:
    from hocbaso_desktop.services.class_import import default_year
    from hocbaso_desktop.storage.engine import Store

    with Store.open(sch.db) as store:
        year = default_year(store)
    return pupils(year)


def _year(sch: School) -> str:
    from hocbaso_desktop.services import directory
    from hocbaso_desktop.storage.engine import Store

    with Store.open(sch.db) as store:
        return directory.years(store)[-1]
