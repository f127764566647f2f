"""The withdrawal document (thu hồi): what the school's seal signs when the principal withdraws an
issued version.

A withdrawn record must say so in its *signed* content (the national code list: trạng thái 2 = Thu
hồi); the issued version's signatures cover status 1 and cannot be changed. So the withdrawal is a
document of its own: the withdrawn version's content, byte for byte as it was frozen, with
`trangthaithongtinhocba` set to 2 and a `<thuhoi>` element (date, reason, who decided, and the
SHA-256 of the withdrawn version's signed XML, which binds the withdrawal to exactly that version).
The seal signs it like a record (signing/xml_signature.sign_record), so every verifier — `hocbaso
verify`, the reference receiver, an archive reader — judges it with the same code, under the
policy of status 2 (signing/policy.py). In layout 2.0 `<thuhoi>` is the last child of `<morong>`
(our extension: a strict national receiver reads the status and skips the rest); in layout 1.0 the
last child of the content.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from lxml import etree

from ..safe_xml import parse_xml
from . import national
from .record_xml import CONTENT_TAG, NS, RecordXmlError, _serialise, validate_record_xml

TAG = "thuhoi"
STATUS_WITHDRAWN = "2"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Withdrawal:
    on: date
    reason: str
    decided_by: str
    position: str
    withdrawn_sha256: str  # of the withdrawn version's signed XML


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _parent_of_withdrawal(content: etree._Element) -> etree._Element | None:
    ext = content.find(_q(national.EXTENSION_TAG))
    return ext if ext is not None else content


def withdrawal_document(content_xml: bytes, w: Withdrawal) -> bytes:
    """The unsigned withdrawal document, validated against the record's own layout; raises
    RecordXmlError naming the field when it is not valid (nothing is then signed or stored)."""
    if not _SHA256.match(w.withdrawn_sha256 or ""):
        raise ValueError("withdrawn_sha256 must be 64 lowercase hex digits")
    root = parse_xml(bytes(content_xml), "nội dung học bạ")
    content = root.find(_q(CONTENT_TAG))
    if content is None:
        raise RecordXmlError("", "", [CONTENT_TAG], ["nội dung học bạ không có <thongtinhocba>"])
    status = content.find(_q("trangthaithongtinhocba"))
    if status is None or (status.text or "").strip() != "1":
        raise RecordXmlError("", "", ["trangthaithongtinhocba"], ["chỉ thu hồi được học bạ đang có hiệu lực (trạng thái 1)"])
    if content.find(f".//{_q(TAG)}") is not None:
        raise RecordXmlError("", "", [TAG], ["nội dung học bạ đã có thông tin thu hồi"])
    for sigs in root.findall(_q("chukyso")):  # the content's own (empty) signature box: the seal adds its own
        for child in list(sigs):
            sigs.remove(child)
    status.text = STATUS_WITHDRAWN
    parent = _parent_of_withdrawal(content)
    el = etree.SubElement(parent, _q(TAG))
    for name, value in (("ngaythuhoi", w.on.isoformat()), ("lydothuhoi", _clean(w.reason)),
                        ("nguoiquyetdinhthuhoi", _clean(w.decided_by)), ("chucvunguoiquyetdinh", _clean(w.position)),
                        ("mabamhocbathuhoi", w.withdrawn_sha256)):
        if value:
            etree.SubElement(el, _q(name)).text = value
    xml = _serialise(_reindent(root))
    problems = validate_record_xml(xml)
    if problems:
        raise RecordXmlError("", "", [TAG], problems)
    return xml


def _reindent(root: etree._Element) -> etree._Element:
    # pretty_print re-indents only elements without whitespace tails; strip the tails of the parent
    # we appended to so the new element is laid out like the rest (the signature covers these bytes
    # as they are written, whatever the layout).
    etree.indent(root, space="  ")
    return root


def withdrawal_in(content: etree._Element) -> Withdrawal | None:
    """The `<thuhoi>` of a (signed) content element, or None."""
    el = content.find(f".//{_q(TAG)}")
    if el is None:
        return None

    def text(name: str) -> str:
        return (el.findtext(_q(name)) or "").strip()

    try:
        on = date.fromisoformat(text("ngaythuhoi"))
    except ValueError:
        return None
    return Withdrawal(on, text("lydothuhoi"), text("nguoiquyetdinhthuhoi"), text("chucvunguoiquyetdinh"),
                      text("mabamhocbathuhoi"))
