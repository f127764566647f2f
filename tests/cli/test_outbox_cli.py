"""outbox status / send / retry / export and the receiver, as real processes: TSV counts, exit codes
0 (done), 3 (pending: unreachable, or the run's time limit), 1 (refused), token by environment
variable name; the receiver needs a token and trust anchors and stores only signed records."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from hocbaso_desktop.services import outbox_service
from hocbaso_desktop.storage.engine import Store
from tests.sync.helpers import make_packages
from tests.sync.signed import signed_record, soft_ca
from tests.sync.test_upload_limits import silent_server

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={**os.environ, "HOCBASO_AS": "HT", **(env or {})})  # the demo's principal (issue 15)


def status(db: Path) -> dict[str, int]:
    r = run("--db", str(db), "outbox", "status")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [ln.split("\t")[0] for ln in lines] == ["pending", "sent", "failed", "superseded"]
    return {k: int(v) for k, v in (ln.split("\t") for ln in lines)}


RECV_TOKEN = {"HOCBASO_RECV_TOKEN": "s3cret-token"}


def trust_dir(tmp_path: Path) -> Path:
    soft_ca("SO").write_root(tmp_path / "trust")
    return tmp_path / "trust"


class ReceiverProcess:
    def __init__(self, store_dir: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        trust = trust_dir(store_dir.parent)
        extra = extra or ("--token-env", "HOCBASO_RECV_TOKEN")
        env = env if env is not None else RECV_TOKEN
        self.p = subprocess.Popen([*CMD, "receiver", "--port", "0", "--store", str(store_dir), "--trust", str(trust), *extra],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                  env={**os.environ, **(env or {})})
        line = self.p.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/packages", line)
        assert m, line + self.p.stderr.read()
        self.url = f"http://127.0.0.1:{m.group(1)}"

    def stop(self) -> None:
        self.p.terminate()
        self.p.wait(60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_status_send_exit_codes_and_export(demo_db: Path, tmp_path: Path) -> None:
    with Store.open(demo_db) as store:
        make_packages(store, 6, versions=2, xml_for=signed_record)
    assert status(demo_db) == {"pending": 6, "sent": 0, "failed": 0, "superseded": 0}
    # export: files for the web portal, states unchanged
    r = run("--db", str(demo_db), "outbox", "export", str(tmp_path / "usb"))
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "usb").glob("*.xml"))) == 6 and (tmp_path / "usb" / "manifest.tsv").exists()
    # unreachable: exit 3, everything still pending
    r = run("--db", str(demo_db), "outbox", "send", "--endpoint", f"http://127.0.0.1:{_free_port()}")
    assert r.returncode == 3, r.stdout + r.stderr
    assert "không kết nối được" in r.stdout
    # no endpoint at all: a usage error
    assert run("--db", str(demo_db), "outbox", "send").returncode == 2
    # a receiver that wants a token: without it every package is refused (401) → exit 1
    recv = ReceiverProcess(tmp_path / "recv", "--token", "HOCBASO_RECV_TOKEN", env=RECV_TOKEN)  # the older option name
    try:
        r = run("--db", str(demo_db), "outbox", "send", "--endpoint", recv.url)
        assert r.returncode == 1 and "401" in r.stderr, r.stdout + r.stderr
        assert status(demo_db)["failed"] == 3  # v1 of each record refused; v2 waits behind it
        # a variable named but not set: refused before anything is sent
        r = run("--db", str(demo_db), "outbox", "send", "--endpoint", recv.url, "--token", "NO_SUCH_VAR_X")
        assert r.returncode == 2 and "NO_SUCH_VAR_X" in r.stderr
        assert run("--db", str(demo_db), "outbox", "retry").returncode == 0
        r = run("--db", str(demo_db), "outbox", "send", "--endpoint", recv.url, "--token", "SCHOOL_TOKEN",
                env={"SCHOOL_TOKEN": "s3cret-token"})
        assert r.returncode == 0, r.stdout + r.stderr
        assert "s3cret" not in r.stdout + r.stderr  # the token never shows
    finally:
        recv.stop()
    assert status(demo_db) == {"pending": 0, "sent": 6, "failed": 0, "superseded": 0}
    assert len(list((tmp_path / "recv" / "packages").rglob("*.xml"))) == 6


def test_endpoint_and_token_variable_from_settings(demo_db: Path, tmp_path: Path) -> None:
    recv = ReceiverProcess(tmp_path / "recv", "--token-env", "RT", env={"RT": "abc"})
    try:
        with Store.open(demo_db) as store:
            make_packages(store, 2, xml_for=signed_record)
            outbox_service.set_settings(store, "system", {outbox_service.ENDPOINT: recv.url,
                                                          outbox_service.TOKEN_ENV: "SCHOOL_TOKEN"})
        r = run("--db", str(demo_db), "outbox", "send", env={"SCHOOL_TOKEN": "abc"})
        assert r.returncode == 0, r.stdout + r.stderr
        assert "127.0.0.1" in r.stdout
    finally:
        recv.stop()
    assert status(demo_db)["sent"] == 2


def test_receiver_refuses_a_busy_port_and_binds_loopback(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = run("receiver", "--port", str(s.getsockname()[1]), "--store", str(tmp_path / "r"),
                "--token-env", "HOCBASO_RECV_TOKEN", "--trust", str(trust_dir(tmp_path)), env=RECV_TOKEN)
    assert r.returncode == 2 and "không mở được cổng" in r.stderr


def test_receiver_refuses_to_start_without_token_or_trust_anchors(tmp_path: Path) -> None:
    base = ["receiver", "--port", "0", "--store", str(tmp_path / "r")]
    r = run(*base, "--trust", str(trust_dir(tmp_path)))
    assert r.returncode == 2 and "--token-env" in r.stderr
    r = run(*base, "--token-env", "NO_SUCH_VAR_Y", "--trust", str(trust_dir(tmp_path)))
    assert r.returncode == 2 and "NO_SUCH_VAR_Y" in r.stderr
    r = run(*base, "--token-env", "HOCBASO_RECV_TOKEN", env=RECV_TOKEN)  # no anchors: nothing could verify
    assert r.returncode == 2 and "--trust" in r.stderr
    r = run(*base, "--token-env", "HOCBASO_RECV_TOKEN", "--trust", str(tmp_path / "none"), env=RECV_TOKEN)
    assert r.returncode == 2 and "none" in r.stderr
    assert run(*base, "--token-env", "X", "--timeout", "0").returncode == 2


def test_receiver_process_refuses_unsigned_records(demo_db: Path, tmp_path: Path) -> None:
    with Store.open(demo_db) as store:
        make_packages(store, 2)  # the unsigned stand-in XML
    recv = ReceiverProcess(tmp_path / "recv")
    try:
        r = run("--db", str(demo_db), "outbox", "send", "--endpoint", recv.url, "--token", "HOCBASO_RECV_TOKEN",
                env=RECV_TOKEN)
    finally:
        recv.stop()
    assert r.returncode == 1 and "422" in r.stderr and "chữ ký số" in r.stderr, r.stdout + r.stderr
    assert status(demo_db)["failed"] == 2
    assert not list((tmp_path / "recv" / "packages").rglob("*.xml"))


def test_send_returns_within_its_time_limit_from_a_silent_server(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        make_packages(store, 3)
    with silent_server() as url:
        r = run("--db", str(demo_db), "outbox", "send", "--endpoint", url, "--max-seconds", "1.5")
    assert r.returncode == 3, r.stdout + r.stderr  # still pending, not lost, not failed
    assert "hết thời gian cho lần gửi này (1.5 giây)" in r.stdout
    assert status(demo_db) == {"pending": 3, "sent": 0, "failed": 0, "superseded": 0}
    assert run("--db", str(demo_db), "outbox", "send", "--endpoint", url, "--max-seconds", "0").returncode == 2
