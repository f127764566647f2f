"""BagIt (RFC 8493) text formats: manifests, bag-info, and the one check every manifest path passes.

Both the writer and the verifier use these; nothing here opens a file. A manifest path from a bag
on someone's USB drive is hostile until `check_relative_path` has accepted it — the verifier calls
it on every line before it opens anything.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Iterable

BAGIT_TXT = "bagit.txt"
BAG_INFO = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"
SEAL_DIR = "seal"
SEAL_FILE = f"{SEAL_DIR}/{TAGMANIFEST}.p7s"
SEAL_CHAIN = f"{SEAL_DIR}/chain.pem"
PAYLOAD_DIR = "data"
BAGIT_DECLARATION = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
TAG_FILES = (BAGIT_TXT, BAG_INFO, MANIFEST)  # what tagmanifest-sha256.txt lists, in this order

MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # ~500,000 lines: far beyond a school's year
MAX_PATH_CHARS = 1024
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_DRIVE = re.compile(r"^[A-Za-z]:")
# Names Windows maps to devices whatever the extension: a file "data/CON.xml" cannot even be created there.
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class UnsafePath(ValueError):
    """A manifest path that could point outside the bag or alias another file. `reason` is Vietnamese."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path!r}: {reason}")
        self.path = path
        self.reason = reason


class ManifestError(ValueError):
    """A manifest line that is not «sha256 path». `reason` is Vietnamese."""

    def __init__(self, line_no: int, reason: str) -> None:
        super().__init__(f"dòng {line_no}: {reason}")
        self.line_no = line_no
        self.reason = reason


def encode_path(path: str) -> str:
    """RFC 8493 §2.1.3: only CR, LF and % are percent-encoded in manifests."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_path(raw: str) -> str:
    # Any other %XX is refused rather than kept literal: a tool that decodes every escape would
    # read "%00" as NUL or "%2F" as a separator, and two tools must never disagree on a path.
    if re.search(r"%(?!0[AaDd]|25)", raw):
        raise UnsafePath(raw, "đường dẫn có mã hóa phần trăm không hợp lệ (chỉ %0A, %0D, %25)")
    # One left-to-right pass, so "%250A" decodes to "%0A" and not to a newline.
    return re.sub(r"%(0A|0a|0D|0d|25)", lambda m: {"0a": "\n", "0d": "\r", "25": "%"}[m.group(1).lower()], raw)


def check_relative_path(path: str) -> str:
    """Accept only a plain relative path of forward-slash components inside the bag; return it.

    Refused: empty, NUL or any control character, backslashes (a separator on Windows), absolute
    paths, drive letters and any colon (C:, alternate data streams), empty/"."/".." components,
    components Windows would silently trim (trailing dot or space) or map to a device (CON, NUL…).
    """
    if not path:
        raise UnsafePath(path, "đường dẫn rỗng")
    if len(path) > MAX_PATH_CHARS:
        raise UnsafePath(path[:80], "đường dẫn quá dài")
    if "\x00" in path:
        raise UnsafePath(path, "đường dẫn chứa ký tự NUL")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        raise UnsafePath(path, "đường dẫn chứa ký tự điều khiển")
    if "\\" in path:
        raise UnsafePath(path, "đường dẫn chứa dấu gạch chéo ngược (\\)")
    if path.startswith("/"):
        raise UnsafePath(path, "đường dẫn tuyệt đối")
    if _DRIVE.match(path):
        raise UnsafePath(path, "đường dẫn có ký hiệu ổ đĩa")
    if ":" in path:
        raise UnsafePath(path, "đường dẫn chứa dấu hai chấm")
    for part in path.split("/"):
        if part in ("", ".", ".."):
            raise UnsafePath(path, "đường dẫn có thành phần rỗng, «.» hoặc «..»")
        if part.endswith((".", " ")):
            raise UnsafePath(path, "tên tệp kết thúc bằng dấu chấm hoặc khoảng trắng")
        if part.split(".")[0].lower() in _WINDOWS_DEVICES:
            raise UnsafePath(path, "tên tệp trùng tên thiết bị của Windows")
    return path


@dataclass(frozen=True)
class ManifestEntry:
    digest: str  # lowercase hex
    path: str  # decoded, checked


def parse_manifest(data: bytes, *, payload: bool) -> list[ManifestEntry]:
    """Parse and check every line; paths of the payload manifest must lie under data/, tag manifest
    paths must not. Raises ManifestError / UnsafePath on the first bad line (nothing is opened)."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(0, "tệp danh mục quá lớn")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ManifestError(0, "tệp danh mục không phải UTF-8") from None
    if text.startswith("\ufeff"):
        raise ManifestError(1, "tệp danh mục có BOM (RFC 8493 không cho phép)")
    entries: list[ManifestEntry] = []
    seen: set[str] = set()
    for no, line in enumerate(text.split("\n"), start=1):
        line = line[:-1] if line.endswith("\r") else line
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) != 2 or not _HEX64.fullmatch(parts[0]):
            raise ManifestError(no, "dòng không có dạng «mã SHA-256 đường dẫn»")
        path = check_relative_path(decode_path(parts[1].strip(" \t")))
        under_data = path.startswith(PAYLOAD_DIR + "/")
        if payload and not under_data:
            raise UnsafePath(path, "tệp dữ liệu phải nằm trong thư mục data/")
        if not payload and (under_data or path.startswith(SEAL_DIR + "/") or path == TAGMANIFEST):
            raise UnsafePath(path, "danh mục thẻ chỉ được liệt kê tệp thẻ ở thư mục gốc của kho")
        # Case-insensitive file systems (FAT32, NTFS) would let two lines name one file.
        key = path.casefold()
        if key in seen:
            raise ManifestError(no, f"tệp «{path}» được liệt kê hai lần")
        seen.add(key)
        entries.append(ManifestEntry(parts[0].lower(), path))
    return entries


def format_manifest(entries: Iterable[tuple[str, str]]) -> bytes:
    """«digest  path» lines (two spaces: `sha256sum -c manifest-sha256.txt` reads the same file)."""
    return "".join(f"{digest}  {encode_path(path)}\n" for path, digest in sorted(entries)).encode("utf-8")


def format_bag_info(fields: Iterable[tuple[str, str]]) -> bytes:
    lines = []
    for label, value in fields:
        clean = " ".join(str(value).split())  # one physical line per field: no folding to get wrong
        lines.append(f"{label}: {clean}\n")
    return "".join(lines).encode("utf-8")


def parse_bag_info(data: bytes) -> list[tuple[str, str]]:
    text = data.decode("utf-8")
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t" and out:  # RFC 8493 §2.2.2: a folded continuation line
            label, value = out[-1]
            out[-1] = (label, f"{value} {line.strip()}")
            continue
        if ":" not in line:
            raise ValueError(f"dòng «{line[:60]}» không có dạng «Nhãn: giá trị»")
        label, value = line.split(":", 1)
        out.append((label.strip(), value.strip()))
    return out


def bag_info_value(fields: list[tuple[str, str]], label: str) -> str | None:
    return next((v for k, v in fields if k.lower() == label.lower()), None)


def payload_oxum(sizes: Iterable[int]) -> str:
    items = list(sizes)
    return f"{sum(items)}.{len(items)}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
