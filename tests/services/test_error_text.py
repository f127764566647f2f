"""One mapping from an exception to what a person reads (services/error_text): the signing device,
files and drives, broken XML in Vietnamese — never a Python class name or the OS's English; a bug
is not dressed up (None: the caller logs it and says so)."""

from __future__ import annotations

import errno
import re
import subprocess
import sys

import pkcs11.exceptions as p11
import pytest
from lxml import etree

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.services.error_text import known_error_text

RAW = re.compile(r"PKCS11Error|Error\b|Errno|Permission denied|No such file|No space|Traceback|mismatch")


@pytest.mark.parametrize(("exc", "expected"), [
    (p11.PKCS11Error("Unmapped error code 0x80000001"), "mã lỗi PKCS#11: 0x80000001"),
    (p11.GeneralError(), "CKR_GENERAL_ERROR"),
    (p11.PinIncorrect(), "Mã PIN không đúng"),
    (p11.DeviceRemoved(), "đã bị rút ra"),
    (PermissionError(errno.EACCES, "Permission denied", "/media/usb/hocba-3A.pdf"), "«/media/usb/hocba-3A.pdf»: không có quyền"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "/media/usb/kho"), "ổ USB đã rút ra"),
    (OSError(errno.ENOSPC, "No space left on device", "/media/usb/kho/a.pdf"), "ổ đĩa đã đầy"),
    (OSError(errno.EIO, "Input/output error"), "Lỗi tệp: lỗi đọc/ghi ổ đĩa"),
    (InputFileError("Tệp a.xlsx: thiếu cột «Họ và tên»"), "Tệp a.xlsx: thiếu cột «Họ và tên»"),
])
def test_failures_a_school_meets_in_vietnamese(exc: BaseException, expected: str) -> None:
    text = known_error_text(exc)
    assert text is not None and expected in text, text
    assert not RAW.search(text.replace("0x80000001", "")), text


def test_a_broken_xml_names_line_and_column() -> None:
    with pytest.raises(etree.XMLSyntaxError) as caught:
        etree.fromstring(b"<a>\n<b></a>")
    text = known_error_text(caught.value)
    assert text is not None and "dòng 2" in text and "thẻ <b>" in text and not RAW.search(text), text


def test_a_bug_is_not_dressed_up_as_a_known_failure() -> None:
    assert known_error_text(ValueError("x")) is None
    assert known_error_text(KeyError("outbox.endpoint")) is None


def test_the_cli_says_a_file_failure_in_vietnamese_and_exits_1(tmp_path) -> None:  # noqa: ANN001
    # a handler that meets a read-only drive: one Vietnamese line on stderr, no traceback, exit 1
    script = (
        "import errno, sys\n"
        "from hocbaso_desktop import cli\n"
        "def boom(args):\n"
        "    raise OSError(errno.EROFS, 'Read-only file system', '/media/usb/kho')\n"
        "orig = cli.build_parser\n"
        "def build():\n"
        "    p = orig(); real = p.parse_args\n"
        "    def parse(argv=None):\n"
        "        a = real(argv); a.handler = boom; return a\n"
        "    p.parse_args = parse; return p\n"
        "cli.build_parser = build\n"
        "sys.exit(cli.main(['--db', sys.argv[1], 'students']))\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "x.sqlite3")], capture_output=True, text=True,
                         env={"HOCBASO_CONFIG_DIR": str(tmp_path), "HOCBASO_LOG_DIR": str(tmp_path), "PATH": ""})
    assert run.returncode == 1, run.stderr
    assert "Lỗi: Không thao tác được với tệp «/media/usb/kho»: ổ đĩa chỉ cho đọc" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and "Read-only" not in run.stderr
