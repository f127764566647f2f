"""`hocbaso demo-token / token list / sign / records export / verify` end to end, in subprocesses, on a
copy of the demo database: the PIN from HOCBASO_PIN, the token and demo CA next to the database."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from hocbaso_desktop.signing.record_shape import DS_NS, NS
from tests.conftest import hocbaso_cmd
from tests.tools import require_tool, requires

pytestmark = requires("softhsm2")


class Cli:
    def __init__(self, db: Path, home: Path) -> None:
        self.db = db
        self.env = {k: v for k, v in os.environ.items() if k not in ("SOFTHSM2_CONF", "HOCBASO_PIN", "HOCBASO_DB")}
        self.env["XDG_DATA_HOME"] = str(home)  # the user's data folder (default trust folder) stays private
        self.pin: str | None = None

    def __call__(self, *args: str, pin: str | None = "default", db: bool = True) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if pin == "default":
            pin = self.pin
        if pin is not None:
            env["HOCBASO_PIN"] = pin
        cmd = hocbaso_cmd() + (["--db", str(self.db)] if db else []) + list(args)
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def cli(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    base = tmp_path_factory.mktemp("signing-cli")
    db = base / "truong.sqlite3"
    shutil.copyfile(demo_template, db)
    c = Cli(db, base / "home")
    out = c("demo-token", "--as", "HT", pin=None)  # logged in (issue 15); the demo's principal has no password
    assert out.returncode == 0, out.stderr
    m = re.search(r"Mã PIN: (\d{6})", out.stdout)
    assert m, out.stdout
    c.pin = m.group(1)
    assert "HOCBASO-DEMO" in out.stdout and "Đỗ Thị Thanh Hương" in out.stdout
    assert (base / "truong-kyso" / "trust" / "demo-hocbaso-root-ca.pem").is_file()
    return c


def test_token_list(cli: Cli) -> None:
    out = cli("token", "list")
    assert out.returncode == 0, out.stderr
    assert any(line.startswith("HOCBASO-DEMO\t") for line in out.stdout.splitlines())
    assert "Trường Tiểu học Hòa Bình (trường mẫu) (tổ chức)" in out.stdout
    assert "Trần Thị Mai (cá nhân)" in out.stdout


def test_out_of_order_and_bad_pin_are_refused(cli: Cli) -> None:
    out = cli("sign", "--class", "2A", "--as", "HT")
    assert out.returncode == 1 and "GVCN chưa ký" in out.stderr and "đã ký 0 học bạ" in out.stdout
    out = cli("sign", "--class", "2A", "--as", "GV001")  # not the GVCN of 2A
    assert out.returncode == 1 and "không phải GVCN lớp 2A" in out.stderr
    out = cli("sign", "--class", "2A", "--as", "GV003", pin="000000")
    assert out.returncode == 1 and "Mã PIN không đúng" in out.stderr
    out = cli("sign", "--class", "2A", "--as", "GV003", pin=None)  # no PIN, no terminal
    assert out.returncode == 1 and "huỷ nhập mã PIN" in out.stderr


def test_cht_students_wait_and_the_class_goes_ahead(cli: Cli) -> None:
    out = cli("sign", "--class", "3A", "--as", "GV005")
    assert out.returncode == 0, out.stderr
    assert "(CHT)" in out.stderr and re.search(r"đã ký \d+ học bạ", out.stdout)


def test_sign_issue_export_verify(cli: Cli, tmp_path: Path) -> None:
    for args in (["--as", "GV001"], ["--as", "HT"], ["--as", "HT", "--seal"]):
        out = cli("sign", "--class", "1A", *args)
        assert out.returncode == 0, out.stderr
        assert "đã ký 29 học bạ" in out.stdout
    assert "(phát hành 29)" in out.stdout
    again = cli("sign", "--class", "1A", "--as", "HT", "--seal")  # resumable: nothing left, not an error
    assert again.returncode == 0 and "đã ký 0 học bạ" in again.stdout and "29 đã ký trước đó" in again.stdout

    out_dir = tmp_path / "xuat"
    out = cli("records", "export", "--as", "HT", "--class", "1A", "--out", str(out_dir))
    assert out.returncode == 0, out.stderr
    files = sorted(out_dir.glob("*.xml"))
    assert len(files) == 29 and all(re.fullmatch(r"[0-9a-f]{32}\.xml", f.name) for f in files)
    sample = files[0]

    out = cli("verify", str(sample))  # --db: the database's demo CA is found by path, nothing opened
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("✓ Chữ ký") == 3 and "Giáo viên chủ nhiệm" in out.stdout and "con dấu" in out.stdout
    assert "demo" in out.stdout

    trust = cli.db.parent / "truong-kyso" / "trust"
    # An explicit instant a month from now: inside the certificates just made, on any date.
    later = (datetime.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    out = cli("verify", str(sample), "--trust", str(trust), "--at", later, db=False)
    assert out.returncode == 0, out.stdout
    out = cli("verify", str(sample), db=False)  # no database, no trust anchor for the demo CA
    assert out.returncode == 1 and "KHÔNG hợp lệ" in out.stdout

    tampered = tmp_path / "sua.xml"
    data = sample.read_bytes()
    i = data.index(b"<hovaten>") + len(b"<hovaten>")
    tampered.write_bytes(data[:i] + (b"X" if data[i:i + 1] != b"X" else b"Y") + data[i + 1:])
    out = cli("verify", str(tampered))
    assert out.returncode == 1 and "KHÔNG" in out.stdout

    # issue 15: with the GVCN's and the principal's signatures deleted, or only the GVCN's left, the
    # record is refused and the verdict names the rule it breaks
    def keep(indexes: list[int], name: str) -> Path:
        root = etree.fromstring(sample.read_bytes())
        parent = root.find(f"{{{NS}}}chukyso")
        for i, sig in enumerate(list(parent)):
            if i not in indexes:
                parent.remove(sig)
        path = tmp_path / name
        path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        return path

    out = cli("verify", str(keep([2], "chi-con-dau.xml")))
    assert out.returncode == 1 and "thiếu chữ ký của GVCN" in out.stdout and "thiếu chữ ký của Hiệu trưởng" in out.stdout
    assert "chữ ký bị gỡ: chữ ký sau không còn khớp" in out.stdout
    out = cli("verify", str(keep([0], "chi-gvcn.xml")))
    assert out.returncode == 1 and "KẾT LUẬN: học bạ KHÔNG hợp lệ: thiếu chữ ký của Hiệu trưởng." in out.stdout

    # An independent verifier accepts every signature of an exported record.
    xmlsec1 = require_tool("xmlsec1")
    sig_ids = [s.get("Id") for s in etree.parse(str(sample)).getroot().iter(f"{{{DS_NS}}}Signature")]
    assert len(sig_ids) == 3
    for sig_id in sig_ids:
        cmd = [xmlsec1, "--verify", "--id-attr:Id", f"{NS}:thongtinhocba",
               "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
               "--id-attr:Id", f"{DS_NS}:KeyInfo", "--id-attr:Id", f"{DS_NS}:Signature", "--node-id", sig_id,
               "--trusted-pem", str(trust / "demo-hocbaso-root-ca.pem"),
               "--untrusted-pem", str(trust / "demo-hocbaso-intermediate-ca.pem"), str(sample)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr


def test_export_of_a_class_without_issued_records(cli: Cli, tmp_path: Path) -> None:
    out = cli("records", "export", "--as", "HT", "--class", "5B", "--out", str(tmp_path / "x"))
    assert out.returncode == 1 and "Chưa phát hành" in out.stderr and "Đã xuất 0" in out.stdout


def test_verify_needs_no_database(cli: Cli, tmp_path: Path) -> None:
    missing_db = tmp_path / "khong-co.sqlite3"
    out = subprocess.run(hocbaso_cmd() + ["--db", str(missing_db), "verify", str(tmp_path / "khong-co.xml")],
                         env=cli.env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "Không đọc được tệp" in out.stderr
    assert not missing_db.exists()
