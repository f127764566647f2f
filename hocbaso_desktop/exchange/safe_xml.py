"""The one hardened XML parser of the project.

Every XML that comes from outside (records, packages, archives, transfers) is parsed here: no entity
resolution, no DTD, no network, and any DOCTYPE is refused outright — a record never needs one, and
refusing it closes XXE and entity-expansion bombs before lxml sees them.
"""

from __future__ import annotations

from lxml import etree

from ..domain.errors import InputFileError

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
        raise InputFileError(f"{source}: không phải XML hợp lệ ({e})") from None
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
