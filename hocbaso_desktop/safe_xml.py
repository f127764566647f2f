"""The one hardened XML parser of the project.

Every XML that comes from outside (records, packages, archives, transfers) is parsed here: no entity
resolution, no DTD, no network, and any DOCTYPE is refused outright — a record never needs one, and
refusing it closes XXE and entity-expansion bombs before lxml sees them.

It sits at the package's top, beside fileio.py, because exchange, signing and sync all parse
untrusted XML and signing stands below exchange: neither may import the other's parser.
"""

from __future__ import annotations

import re

from lxml import etree

from .domain.errors import InputFileError

MAX_XML_BYTES = 50 * 1024 * 1024  # a record is tens of KB; a transfer package a few MB


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
    )


# libxml2's error codes → what a school (or its support line) reads; the English message is never shown
_REASONS: dict[int, str] = {
    3: "tệp không bắt đầu bằng một thẻ XML",
    4: "tệp trống hoặc không bắt đầu bằng thẻ XML (thiếu dấu <)",
    5: "còn nội dung thừa sau thẻ gốc",
    9: "có ký tự không được phép trong XML",
    23: "thiếu dấu ; sau ký hiệu &",
    26: "dùng một thực thể (&…;) chưa được khai báo",
    38: "có dấu < trong giá trị thuộc tính",
    39: "giá trị thuộc tính phải nằm trong dấu nháy",
    40: "giá trị thuộc tính chưa được đóng nháy",
    41: "thuộc tính thiếu dấu =",
    42: "một thuộc tính bị khai báo hai lần",
    68: "thiếu tên thẻ hoặc dấu & đứng một mình",
    73: "thẻ chưa có dấu > đóng",
    76: "thẻ mở và thẻ đóng không khớp",
    77: "tệp bị cắt cụt: thẻ chưa được đóng",
    81: "mã hóa ký tự sai (tệp không phải UTF-8 như đã khai báo)",
    85: "tệp bị cắt cụt: thiếu phần cuối",
    86: "còn nội dung thừa sau thẻ gốc",
}
_MISMATCH = re.compile(r"mismatch: (\S+) line (\d+) and (\S+?),")
_UNFINISHED = re.compile(r"end of data in tag (\S+) line (\d+)")


def syntax_error_text(e: etree.XMLSyntaxError) -> str:
    """The Vietnamese for one lxml syntax error: where (line, column) and what, never libxml2's English."""
    line, column = (e.position if e.position else (e.lineno or 0, 0))
    reason = _REASONS.get(e.code, "cấu trúc XML sai")
    msg = e.msg or ""
    if m := _MISMATCH.search(msg):
        reason = f"thẻ <{m.group(1)}> mở ở dòng {m.group(2)} nhưng gặp thẻ đóng </{m.group(3)}>"
    elif m := _UNFINISHED.search(msg):
        reason = f"tệp bị cắt cụt: thẻ <{m.group(1)}> mở ở dòng {m.group(2)} chưa được đóng"
    where = f"dòng {line}, cột {column}" if column else f"dòng {line}"
    return f"{where}: {reason}"


def parse_xml(data: bytes, source: str = "XML") -> etree._Element:
    """Parse untrusted bytes into an element tree or raise InputFileError naming `source`."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_xml expects bytes")
    if len(data) > MAX_XML_BYTES:
        raise InputFileError(f"{source}: tệp XML quá lớn ({len(data)} byte)")
    head = bytes(data[:4096]).lower()
    if b"<!doctype" in head or b"<!entity" in bytes(data).lower():
        raise InputFileError(f"{source}: tệp XML có khai báo DOCTYPE/ENTITY — bị từ chối vì lý do an toàn")
    try:
        root = etree.fromstring(bytes(data), parser=_parser())
    except etree.XMLSyntaxError as e:
        raise InputFileError(f"{source}: không phải XML hợp lệ — {syntax_error_text(e)}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InputFileError(f"{source}: tệp XML có khai báo DOCTYPE — bị từ chối vì lý do an toàn")
    return root


def parse_xml_file(path: str, source: str | None = None) -> etree._Element:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_XML_BYTES + 1)
    except OSError as e:
        raise InputFileError(f"{source or path}: không đọc được tệp ({e.strerror})") from None
    return parse_xml(data, source or str(path))
