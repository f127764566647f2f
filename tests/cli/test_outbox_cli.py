"""outbox status / send / retry / export and the receiver, as real processes: TSV counts, exit codes
0 (done), 3 (pending: unreachable), 1 (refused), token by environment variable name."""

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

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={**os.environ, **(env or {})})


def status(db: Path) -> dict[str, int]:
    r = run("--db", str(db), "outbox", "status")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [ln.split("\t")[0] for ln in lines] == ["pending", "sent", "failed", "superseded"]
    return {k: int(v) for k, v in (ln.split("\t") for ln in lines)}


class ReceiverProcess:
    def __init__(self, store_dir: Path, *extra: str, env: dict[str, str] | None = None) -> None:
        self.p = subprocess.Popen([*CMD, "receiver", "--port", "0", "--store", str(store_dir), *extra],
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
        make_packages(store, 6, versions=2)
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
    recv = ReceiverProcess(tmp_path / "recv", "--token", "HOCBASO_RECV_TOKEN", env={"HOCBASO_RECV_TOKEN": "s3cret-token"})
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
    recv = ReceiverProcess(tmp_path / "recv")
    try:
        with Store.open(demo_db) as store:
            make_packages(store, 2)
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
        r = run("receiver", "--port", str(s.getsockname()[1]), "--store", str(tmp_path / "r"))
    assert r.returncode == 2 and "không mở được cổng" in r.stderr
