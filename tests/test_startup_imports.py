"""What starting a command imports (issue 19): `hocbaso --help` builds its parser from the domain and
argparse alone; `hocbaso classes` opens a database already at the newest schema without Alembic and
loads no PDF, Excel, XML, signing or Qt library. Each check runs in a fresh interpreter, since the test
process itself has imported everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.new_school import CLASS, school_year_today

# The libraries no parser needs; the database layer too (SQLAlchemy: ~0.2 s of the 0.3 s budget).
NOT_FOR_HELP = ("alembic", "reportlab", "PySide6", "sqlalchemy", "openpyxl", "lxml", "cryptography", "signxml", "pkcs11",
                "argon2", "qrcode", "PIL", "pypdfium2", "asn1crypto")
# `classes` needs SQLAlchemy and Argon2 (the login); nothing that writes or reads documents or tokens.
NOT_FOR_CLASSES = ("alembic", "reportlab", "PySide6", "openpyxl", "lxml", "cryptography", "signxml", "pkcs11", "qrcode",
                   "PIL", "pypdfium2")

# Runs hocbaso's main() with argv[1:], then prints (on the last line of stderr) its exit status and which
# top-level packages are loaded: the same entry point as the installed `hocbaso` script.
RUN_MAIN = """
import json, sys
from hocbaso_desktop.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as e:
    code = e.code
sys.stdout.flush()
layers = ("services", "storage", "exchange", "signing", "sync", "gui")
ours = sorted(m for m in sys.modules if m.startswith("hocbaso_desktop.") and m.split(".")[1] in layers)
print(json.dumps({"code": code, "loaded": sorted({m.split(".")[0] for m in sys.modules}), "ours": ours}), file=sys.stderr)
"""


def _hocbaso(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str, set[str]]:
    """(exit status, stdout, stderr, loaded top-level packages; our layers' modules as "hocbaso_desktop.x.y")."""
    # the test's log, backup and config folders (conftest) stay; no HOCBASO_AS / _PASSWORD / _DB leaks in
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HOCBASO_") or k.endswith("_DIR")}
    full_env.update(env or {})
    done = subprocess.run([sys.executable, "-c", RUN_MAIN, *args], capture_output=True, text=True, encoding="utf-8",
                          env=full_env, stdin=subprocess.DEVNULL, timeout=120)
    *err, last = done.stderr.rstrip("\n").split("\n")
    report = json.loads(last)
    return report["code"], done.stdout, "\n".join(err), set(report["loaded"]) | set(report["ours"])


@pytest.mark.parametrize("argv", [["--help"], ["sign", "--help"], ["user", "create", "--help"], ["archive", "export", "--help"],
                                  ["assign", "import", "--help"], ["grid", "--help"]])
def test_help_imports_no_library_of_the_work(argv: list[str]) -> None:
    code, out, err, loaded = _hocbaso(*argv)
    assert code == 0, err
    assert out.startswith("usage: hocbaso") and "options:" in out, out
    assert not loaded & set(NOT_FOR_HELP), sorted(loaded & set(NOT_FOR_HELP))
    assert not [m for m in loaded if m.startswith("hocbaso_desktop.")], "the parser imported our services/storage/…"


def test_help_lists_every_command() -> None:
    code, out, _err, _loaded = _hocbaso("--help")
    assert code == 0
    for name in ("demo", "classes", "import-classes", "grid", "sign", "verify", "archive", "backup", "user", "transcribe"):
        assert f"    {name}" in out, name


def test_an_unknown_command_is_refused_in_vietnamese_before_anything_loads() -> None:
    code, out, err, loaded = _hocbaso("khong-co-lenh-nay")
    assert code == 2 and out == ""
    assert "lỗi: tham số LỆNH: lựa chọn không hợp lệ: 'khong-co-lenh-nay'" in err
    assert not loaded & set(NOT_FOR_HELP)


def test_classes_on_the_demo_school_loads_no_document_library(demo_db: Path) -> None:
    code, out, err, loaded = _hocbaso("--db", str(demo_db), "classes", "--as", "HT")
    assert code == 0, err
    rows = [line.split("\t") for line in out.splitlines()]
    assert [r[0] for r in rows][:2] == ["1A", "1B"] and len(rows) == 10
    assert not loaded & set(NOT_FOR_CLASSES), sorted(loaded & set(NOT_FOR_CLASSES))


def _new_school(db: Path, tmp_path: Path) -> str:
    """A school from nothing, through the services a school's first start uses: the first account,
    then the class list imported from the program's own template, for the school year running today."""
    from openpyxl import load_workbook

    from hocbaso_desktop.domain.roles import ADMIN
    from hocbaso_desktop.services import accounts, class_import
    from hocbaso_desktop.services.import_sheets import write_class_template
    from hocbaso_desktop.storage.engine import Store
    from tests.e2e.new_school import fill_rows, pupils

    password = "Quản trị Kim Đồng 2026!"
    year = school_year_today()
    template = write_class_template(tmp_path / "mau-lop.xlsx", [CLASS], year)
    filled = tmp_path / "lop.xlsx"
    fill_rows(template, filled, [{"lớp": CLASS, "họ và tên": name, "ngày sinh": born.strftime("%d/%m/%Y"), "giới tính": sex,
                                  "mã định danh": pid, "dân tộc": eth} for pid, name, born, sex, eth in pupils(year)])
    load_workbook(filled).close()
    with Store.open(db) as store:
        actor = accounts.create_first_admin(store, "QT01", "Lê Thị Quản", password, ADMIN)
        plan = class_import.plan_import(store, filled, year)
        assert plan.ok, [p.message() for p in plan.class_list.problems]
        class_import.apply_import(store, plan, actor)
    return password


def test_classes_on_a_new_school_logs_in_and_loads_no_document_library(tmp_path: Path) -> None:
    db = tmp_path / "kimdong.sqlite3"
    password = _new_school(db, tmp_path)
    code, out, err, loaded = _hocbaso("--db", str(db), "classes", "--as", "QT01", env={"HOCBASO_PASSWORD": password})
    assert code == 0, err
    assert out.split("\t")[:2] == [CLASS, "3"]
    assert "argon2" in loaded  # the password was checked, not skipped
    assert not loaded & set(NOT_FOR_CLASSES), sorted(loaded & set(NOT_FOR_CLASSES))


def test_classes_with_a_wrong_password_lists_nothing(tmp_path: Path) -> None:
    db = tmp_path / "kimdong.sqlite3"
    _new_school(db, tmp_path)
    code, out, err, _loaded = _hocbaso("--db", str(db), "classes", "--as", "QT01", env={"HOCBASO_PASSWORD": "đoán bừa"})
    assert code != 0 and out == ""
    assert "Sai mã cán bộ hoặc mật khẩu" in err
