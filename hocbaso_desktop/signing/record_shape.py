"""The shape of a record XML as far as signatures care, and the checks that refuse wrapping tricks.

    <hocbaso xmlns="urn:hocbaso:tieuhoc:1.0">
      <thongtinhocba Id="HB-…">  all signed content  </thongtinhocba>
      <chukyso> 0..n ds:Signature, in signing order </chukyso>
    </hocbaso>

XML-signature wrapping works by making the verifier check one element while the application reads
another: a second copy of the content, an Id moved onto a decoy, a duplicated Id that resolves to
the attacker's element first. So the shape is strict: one content element, first child of the
root; every Id unique; signatures only inside <chukyso>, and nothing else there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .errors import RecordStructureError

NS = "urn:hocbaso:tieuhoc:1.0"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
XADES_NS = "http://uri.etsi.org/01903/v1.3.2#"
XML_NS = "http://www.w3.org/XML/1998/namespace"

ROOT_TAG = f"{{{NS}}}hocbaso"
CONTENT_TAG = f"{{{NS}}}thongtinhocba"
SIGNATURES_TAG = f"{{{NS}}}chukyso"
SIGNATURE_TAG = f"{{{DS_NS}}}Signature"

# Every attribute a verifier might take for an ID (signxml looks at the local name "Id"/"ID"/"id",
# xmlsec1 at whatever it was told): all must be unique, whatever their namespace.
_ID_LOCAL_NAMES = {"Id", "ID", "id"}


@dataclass
class RecordParts:
    root: etree._Element
    content: etree._Element
    content_id: str
    signatures_parent: etree._Element | None
    signatures: list[etree._Element]
    ids: dict[str, etree._Element] = field(default_factory=dict)  # every Id in the document (checked unique)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _element_children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]  # comments and PIs are never signed content


def check_unique_ids(root: etree._Element) -> dict[str, etree._Element]:
    seen: dict[str, etree._Element] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            local = etree.QName(name).localname
            if local in _ID_LOCAL_NAMES or name == f"{{{XML_NS}}}id":
                if value in seen:
                    raise RecordStructureError(f"mã định danh (Id) «{value}» xuất hiện nhiều lần")
                seen[value] = el
    return seen


def record_parts(root: etree._Element, *, create_signatures_parent: bool = False) -> RecordParts:
    """Check the record's shape and return its parts, or raise RecordStructureError."""
    if root.tag != ROOT_TAG:
        raise RecordStructureError(f"phần tử gốc phải là <hocbaso> thuộc không gian tên {NS}")
    children = _element_children(root)
    if not children or children[0].tag != CONTENT_TAG:
        raise RecordStructureError("phần tử đầu tiên của <hocbaso> phải là <thongtinhocba>")
    content = children[0]
    rest = children[1:]
    if len(rest) > 1 or (rest and rest[0].tag != SIGNATURES_TAG):
        raise RecordStructureError("sau <thongtinhocba> chỉ được có một phần tử <chukyso>")
    if sum(1 for el in root.iter() if isinstance(el.tag, str) and _local(el.tag) == "thongtinhocba") != 1:
        raise RecordStructureError("tệp có nhiều hơn một phần nội dung <thongtinhocba>")
    content_id = content.get("Id")
    if not content_id:
        raise RecordStructureError("<thongtinhocba> thiếu thuộc tính Id")
    if any(etree.QName(name).localname in _ID_LOCAL_NAMES and name != "Id" for name in content.attrib):
        raise RecordStructureError("<thongtinhocba> có thuộc tính Id trùng lặp")
    ids = check_unique_ids(root)

    parent = rest[0] if rest else None
    if parent is None and create_signatures_parent:
        parent = etree.SubElement(root, SIGNATURES_TAG)
    signatures: list[etree._Element] = []
    if parent is not None:
        if (parent.text or "").strip():
            raise RecordStructureError("<chukyso> chỉ được chứa các chữ ký số")
        for child in _element_children(parent):
            if child.tag != SIGNATURE_TAG:
                raise RecordStructureError("<chukyso> chỉ được chứa các phần tử ds:Signature")
            if (child.tail or "").strip():
                raise RecordStructureError("<chukyso> chỉ được chứa các chữ ký số")
            signatures.append(child)
    for el in root.iter(SIGNATURE_TAG):
        if parent is None or el.getparent() is not parent:
            raise RecordStructureError("có chữ ký số nằm ngoài phần <chukyso>")
    return RecordParts(root, content, content_id, parent, signatures, ids)
