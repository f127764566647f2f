"""What changed between two versions of a record, read from their content XML (for the biên bản).

The content XML is what the signatures cover, so comparing the old version's frozen content with the
new one says exactly what the correction changed on the signed record — not what the database
happens to hold now. Both documents go through the one hardened parser (they come from our own
database, but a restored or transferred file is outside data all the same).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..safe_xml import parse_xml
from .national import EXTENSION_TAG
from .record_xml import CONTENT_TAG, NS
from .xsd import FIELD_LABELS

# Bookkeeping of the version itself, not of the student's record: never a "change" to report.
_IGNORED = {"phienbanthongtinhocba", "trangthaithongtinhocba", "ngaytao", "ngayhieuluc"}
# Quality and competency fields are not in FIELD_LABELS (they are generated from the catalogue).
_EXTRA_LABELS = {
    "phamchatyeunuoc": "phẩm chất yêu nước", "phamchatnhanai": "phẩm chất nhân ái",
    "phamchatchamchi": "phẩm chất chăm chỉ", "phamchattrungthuc": "phẩm chất trung thực",
    "phamchattrachnhiem": "phẩm chất trách nhiệm", "nangluctuhoc": "năng lực tự chủ và tự học",
    "nanglucgiaotiep": "năng lực giao tiếp và hợp tác", "nanglucgiaiquyet": "năng lực giải quyết vấn đề và sáng tạo",
    "nanglucngonngu": "năng lực ngôn ngữ", "nangluctinhtoan": "năng lực tính toán", "nangluckhoahoc": "năng lực khoa học",
    "nanglucthammi": "năng lực thẩm mĩ", "nanglucthechat": "năng lực thể chất", "nangluccongnghe": "năng lực công nghệ",
    "nangluctinhoc": "năng lực tin học", "duoclenlop": "được lên lớp",
    "dahthanhctrinhlophoc": "hoàn thành chương trình lớp học", "dahthanhctrinhtieuhoc": "hoàn thành chương trình tiểu học",
    "cokhuyettatkhongdanhgia": "khuyết tật không đánh giá", "diadanhphathanh": "địa danh phát hành",
}


@dataclass(frozen=True)
class FieldChange:
    label: str  # Vietnamese: "Toán — điểm KTĐK", "số ngày nghỉ có phép"
    old: str  # "" when absent
    new: str


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def label_of(tag: str) -> str:
    return _EXTRA_LABELS.get(tag) or FIELD_LABELS.get(tag) or tag


def _flatten(xml: bytes) -> dict[tuple[str, str], str]:
    """{(group, field): text}: group "" for top-level fields, the subject's name for a subject row,
    "quá trình học tập <năm học>" for a learning-history line."""
    root = parse_xml(bytes(xml), "học bạ")
    content = root.find(f"{{{NS}}}{CONTENT_TAG}")
    if content is None:  # a bare content element (no signature wrapper)
        content = root
    out: dict[tuple[str, str], str] = {}
    names = {(m.findtext(f"{{{NS}}}mamonhoc") or ""): (m.findtext(f"{{{NS}}}tenmonhoc") or "")
             for m in content.iterfind(f"{{{NS}}}dsbangdiem/{{{NS}}}monhoc")}
    for child in content:
        if not isinstance(child.tag, str):
            continue
        tag = _local(child)
        if tag in _IGNORED:
            continue
        if tag == "dsbangdiem":
            for m in child:
                if not isinstance(m.tag, str):
                    continue
                fields = {_local(x): (x.text or "") for x in m if isinstance(x.tag, str)}
                name = fields.get("tenmonhoc") or fields.get("mamonhoc", "?")
                for k, v in fields.items():
                    if k not in ("mamonhoc", "tenmonhoc"):
                        out[(name, k)] = v
        elif tag == "dsquatrinhhoctap":
            for r in child:
                if not isinstance(r.tag, str):
                    continue
                fields = {_local(x): (x.text or "") for x in r if isinstance(x.tag, str)}
                group = f"quá trình học tập {fields.get('namhoc', '')}".strip()
                for k, v in fields.items():
                    if k != "namhoc":
                        out[(group, k)] = v
        elif tag == EXTENSION_TAG:  # layout 2.0: our own fields, the per-subject comments among them
            for x in child:
                if not isinstance(x.tag, str) or _local(x) in _IGNORED:
                    continue
                if _local(x) == "nhanxetmon":
                    code = x.get("mamonhoc", "")
                    out[(names.get(code) or code, "nhanxet")] = x.text or ""
                else:
                    out[("", _local(x))] = x.text or ""
        elif child.find(f"{{{NS}}}diachichitiet") is not None:  # a 2.0 address: its text is the change
            out[("", tag)] = child.findtext(f"{{{NS}}}diachichitiet") or ""
        elif len(child):
            continue  # a structure this reader does not know: its leaves are not compared
        else:
            out[("", tag)] = child.text or ""
    return out


def diff_record_xml(old_xml: bytes, new_xml: bytes) -> list[FieldChange]:
    """Fields whose value differs, in the order of the old document (new fields last)."""
    old, new = _flatten(old_xml), _flatten(new_xml)
    keys = list(old) + [k for k in new if k not in old]
    changes: list[FieldChange] = []
    for key in keys:
        a, b = old.get(key, ""), new.get(key, "")
        if a != b:
            group, tag = key
            label = f"{group} — {label_of(tag)}" if group else label_of(tag)
            changes.append(FieldChange(label[:1].upper() + label[1:], a, b))
    return changes
