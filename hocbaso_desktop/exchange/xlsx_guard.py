"""Open an .xlsx a user handed us, or say in one Vietnamese sentence why not.

Every way a file can be wrong ends in InputFileError (exit status 2 in the CLI): missing, empty,
an old .xls or an encrypted workbook (both are OLE compound files), a CSV or anything else renamed,
a truncated or damaged zip, a zip bomb. openpyxl is only reached once the zip looks sane, and any
exception it raises on a damaged part is turned into the same kind of message.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from pathlib import Path
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from ..domain.errors import InputFileError

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED = 300 * 1024 * 1024  # all parts together, once unpacked
MAX_RATIO = 150  # a 1 MB part that unpacks to more than 150 MB is a bomb, not a class list
MAX_ENTRIES = 5000
# Merged ranges are stored as one line each ("A1:XFD1048576" is 17 billion cells in 30 bytes); whoever
# walks them cell by cell (openpyxl's normal mode, the class-list reader's merge map) pays for the area.
MAX_MERGED_CELLS = 1_000_000  # all merged ranges of the workbook together (one whole column: 1 048 576)
MAX_MERGES = 20_000


def check_xlsx(path: str | Path) -> Path:
    """Refuse anything that is not a plausible, unencrypted, undamaged .xlsx package."""
    p = Path(path)
    name = p.name
    if not p.exists():
        raise InputFileError(f"Không tìm thấy tệp {p}.", path=str(p))
    if not p.is_file():
        raise InputFileError(f"{p} không phải là một tệp.", path=str(p))
    try:
        with p.open("rb") as f:
            head = f.read(8)
    except OSError as e:
        raise InputFileError(f"Không đọc được tệp {name}: {e.strerror or e}.", path=str(p)) from None
    if not head:
        raise InputFileError(f"Tệp {name} rỗng (0 byte).", path=str(p))
    if head == OLE_MAGIC:
        # Password-protected .xlsx files and old .xls files are both OLE compound documents.
        raise InputFileError(
            f"Tệp {name} được đặt mật khẩu (mã hóa) hoặc là tệp Excel cũ (.xls). Hãy mở bằng Excel, "
            "bỏ mật khẩu nếu có, rồi lưu lại dưới dạng Excel Workbook (.xlsx).", path=str(p))
    if head[:4] != ZIP_MAGIC:
        kind = "văn bản/CSV" if _looks_like_text(head) else "không rõ loại"
        raise InputFileError(
            f"Tệp {name} không phải tệp Excel .xlsx (nội dung là tệp {kind}). "
            "Hãy mở bằng Excel và lưu lại dưới dạng Excel Workbook (.xlsx).", path=str(p))
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):  # NotImplementedError: an unknown zip version or method
        raise InputFileError(f"Tệp {name} bị hỏng hoặc không đầy đủ (không giải nén được). Hãy lấy lại tệp gốc.",
                             path=str(p)) from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise InputFileError(f"Tệp {name} là tệp nén nhưng không phải bảng tính Excel .xlsx.", path=str(p))
    if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED or any(
        i.file_size > 10 * 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos
    ):
        raise InputFileError(f"Tệp {name} quá lớn khi giải nén (nghi là tệp độc hại); không đọc.", path=str(p))
    _check_merges(p, infos)
    return p


class _TooMerged(Exception):
    pass


class _Doctype(Exception):
    pass


def _check_merges(p: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Count every <mergeCell>'s area in every XML part, streamed from the zip with expat (no tree, no
    expansion, memory bounded by one chunk), and refuse the file as soon as the total passes the limit.

    Runs before openpyxl sees the file. A part that is not well-formed XML, or declares a DOCTYPE or an
    entity (no real workbook does), is refused too: the reader must not find merges this count missed.
    """
    area = count = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal area, count
        if tag == "mergeCell" or tag.endswith(":mergeCell"):
            area += _ref_area(attrs.get("ref", ""))
            count += 1
            if area > MAX_MERGED_CELLS or count > MAX_MERGES:
                raise _TooMerged

    def doctype(*_a: object) -> None:
        raise _Doctype

    try:
        with zipfile.ZipFile(p) as z:
            for info in infos:
                if info.is_dir() or not info.filename.lower().endswith(".xml"):
                    continue
                parser = expat.ParserCreate()
                parser.StartDoctypeDeclHandler = doctype
                parser.EntityDeclHandler = doctype
                # The Python handler only from the chunk where "mergeCell" first shows (looked for
                # across the chunk boundary too): expat reports a start tag once it is complete, so
                # none is missed, and the ~30 elements per pupil row before it cost no Python call.
                tail = b""
                with z.open(info) as f:
                    while chunk := f.read(1 << 16):
                        if parser.StartElementHandler is None and b"mergeCell" in tail + chunk:
                            parser.StartElementHandler = start
                        tail = chunk[-16:]
                        parser.Parse(chunk, False)
                    parser.Parse(b"", True)
    except _TooMerged:
        raise InputFileError(
            f"Tệp {p.name} có vùng ô gộp (Merge) quá lớn: hơn {MAX_MERGED_CELLS:,} ô được gộp".replace(",", ".")
            + " (nghi là tệp độc hại); không đọc. Hãy bỏ gộp ô (Home › Merge & Center › Unmerge Cells) rồi lưu lại.",
            path=str(p)) from None
    except _Doctype:
        raise InputFileError(f"Tệp {p.name} có khai báo DOCTYPE/ENTITY trong nội dung (nghi là tệp độc hại); không đọc.",
                             path=str(p)) from None
    except expat.ExpatError:
        raise InputFileError(f"Tệp {p.name} bị hỏng: Excel không lưu đúng cấu trúc bảng tính. "
                             "Hãy mở bằng Excel và lưu lại, hoặc lấy lại tệp gốc.", path=str(p)) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, zlib.error):
        # a damaged member (bad CRC, broken deflate stream), or an encrypted one (RuntimeError)
        raise InputFileError(f"Tệp {p.name} bị hỏng hoặc không đầy đủ (không giải nén được). Hãy lấy lại tệp gốc.",
                             path=str(p)) from None


def _ref_area(ref: str) -> int:
    """Cells in "B2:D5" (12) or "A1" (1); 0 for what is not a cell reference (openpyxl would refuse it)."""
    m = _AREA.fullmatch(ref.strip())
    if not m:
        return 0
    c1, r1 = _col_index(m.group(1).upper().encode()), int(m.group(2))
    c2, r2 = (_col_index(m.group(3).upper().encode()), int(m.group(4))) if m.group(3) else (c1, r1)
    return (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)


_AREA = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?")


def open_xlsx(path: str | Path, *, sized: bool = True) -> Workbook:
    """A read-only, values-only workbook (cached results of formulas). The caller must close() it.

    sized=False: the sheets' max_row/max_column are left unknown (None) instead of taken from each
    sheet's <dimension> tag, for a reader that goes to the sheet's real end anyway. A sheet without
    the tag (openpyxl's write-only mode and other exporters leave it out) is then not parsed a whole
    extra time just to find it missing.
    """
    p = check_xlsx(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about unsupported extensions / data validation: not the user's problem.
            warnings.simplefilter("ignore")
            if sized:
                return load_workbook(p, read_only=True, data_only=True, keep_links=False)
            reader = _UnsizedReader(p, read_only=True, data_only=True, keep_links=False)
            reader.read()
            return reader.wb
    except InputFileError:
        raise
    except Exception:  # noqa: BLE001 - any failure inside a damaged package is the same answer to the user
        raise InputFileError(f"Tệp {p.name} bị hỏng: Excel không lưu đúng cấu trúc bảng tính. "
                             "Hãy mở bằng Excel và lưu lại, hoặc lấy lại tệp gốc.", path=str(p)) from None


class _UnsizedSheet(ReadOnlyWorksheet):
    def _get_size(self) -> None:
        pass  # dimensions stay None: rows are read to the sheet's end

    def declared_size(self) -> None:
        """The <dimension> tag's bounds, for who asks (a sheet too big to count its rows)."""
        ReadOnlyWorksheet._get_size(self)


class _UnsizedReader(ExcelReader):
    """openpyxl's reader in read-only mode, making _UnsizedSheet worksheets (same steps otherwise)."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            rels_path = get_rels_path(rel.target)
            if rels_path in self.valid_files:
                get_dependents(self.archive, rels_path)  # parsed as openpyxl does: a broken part is refused
            ws = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def damaged(path: str | Path) -> InputFileError:
    """The message for a sheet that fails while being streamed (after the workbook opened)."""
    p = Path(path)
    return InputFileError(f"Tệp {p.name} bị hỏng: không đọc hết được nội dung trang tính. "
                          "Hãy mở bằng Excel và lưu lại, hoặc lấy lại tệp gốc.", path=str(p))


def _looks_like_text(head: bytes) -> bool:
    return bool(re.fullmatch(rb"[\x09\x0a\x0d\x20-\x7e\x80-\xff]*", head))


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_HAS_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
MAX_SCAN = 64 * 1024 * 1024


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


_ROW = re.compile(rb"<(?:\w+:)?row\b")


SheetExtras = tuple[list[tuple[int, int, int, int]], set[tuple[int, int]]]


def sheet_scan(wb: Workbook, ws: object) -> tuple[int, SheetExtras]:
    """The sheet's XML unpacked once for what read-only mode does not tell: how many rows it really has
    (a progress total), its merged ranges, and its formula cells that have no cached value.

    Read-only mode's `max_row` comes from the file's <dimension> tag, which writers other than Excel
    leave stale (A1:H500 over 3,000 rows) or leave out: the <row> elements are counted instead. Merges
    and uncalculated formulas only matter for cells that read as empty: the lower cells of a merged
    "Lớp" column carry the value of the top cell, and a formula never calculated (files written by
    scripts) is a cell error rather than a blank. A sheet too big to scan gets max_row and no extras.
    """
    merges: list[tuple[int, int, int, int]] = []
    formulas: set[tuple[int, int]] = set()
    data = _sheet_xml(wb, ws)
    if data is None:
        if isinstance(ws, _UnsizedSheet) and ws.max_row is None:
            # without a <dimension> tag this parses the whole sheet: only asked when it cannot be counted
            ws.declared_size()
        return getattr(ws, "max_row", None) or 0, (merges, formulas)
    for c1, r1, c2, r2 in _MERGE.findall(data):
        merges.append((int(r1), _col_index(c1), int(r2), _col_index(c2)))
    if b"<f" in data or b":f" in data:
        for attrs, inner in _CELL.findall(data):
            if inner and b"f" in inner and re.search(rb"<(?:\w+:)?f\b", inner) and not _HAS_VALUE.search(inner):
                m = _REF.search(attrs)
                if m:
                    formulas.add((int(m.group(2)), _col_index(m.group(1))))
    return len(_ROW.findall(data)), (merges, formulas)


def _sheet_xml(wb: Workbook, ws: object) -> bytes | None:
    path = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if not path or archive is None:
        return None
    try:
        if archive.getinfo(path).file_size > MAX_SCAN:
            return None
        return archive.read(path)
    except (KeyError, OSError, zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
        return None
