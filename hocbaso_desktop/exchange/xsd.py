"""Loading the record XSD and turning libxml2's schema errors into Vietnamese lines.

The schema file is project data (schemas/), not untrusted input, but it is still parsed with the
hardened parser: it must not pull anything from the network either, and a schema that needs a
DOCTYPE is not one we ship.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..domain.errors import InputFileError
from ..paths import schemas_dir
from ..safe_xml import parse_xml

RECORD_XSD_NAME = "hocba-tieuhoc-2.0.xsd"  # the layout new records are built in


def record_xsd_name(version: str = "") -> str:
    """The schema file of a record layout version (phienbanxsd); the current one when not given."""
    return f"hocba-tieuhoc-{version}.xsd" if version else RECORD_XSD_NAME

# Vietnamese names of the fields, for messages a teacher can act on.
FIELD_LABELS: dict[str, str] = {
    "hocbaso": "tài liệu học bạ",
    "thongtinhocba": "nội dung học bạ",
    "trangthaithongtinhocba": "trạng thái học bạ",
    "phienbanthongtinhocba": "phiên bản học bạ",
    "thongtu": "thông tư",
    "madinhdanhhocba": "mã định danh học bạ",
    "matracuu": "mã tra cứu",
    "namhoc": "năm học",
    "matruong": "mã trường",
    "tentruong": "tên trường",
    "makhoi": "khối",
    "tenlop": "lớp",
    "hovaten": "họ và tên",
    "sodinhdanh": "mã định danh",
    "mahocsinh": "mã học sinh",
    "gioitinh": "giới tính",
    "ngaythangnamsinh": "ngày sinh",
    "dantoc": "dân tộc",
    "quoctich": "quốc tịch",
    "noisinh": "nơi sinh",
    "quequan": "quê quán",
    "noiohiennay": "nơi ở hiện nay",
    "hotencha": "họ tên cha",
    "hotenme": "họ tên mẹ",
    "hotennguoigiamho": "người giám hộ",
    "dsbangdiem": "danh sách môn học",
    "monhoc": "môn học",
    "mamonhoc": "mã môn học",
    "tenmonhoc": "tên môn học",
    "mucdatduoc": "mức đạt được",
    "diemkiemtradinhky": "điểm KTĐK",
    "nhanxet": "nhận xét",
    "nxetphamchat": "nhận xét phẩm chất",
    "nxetnanglucchung": "nhận xét năng lực chung",
    "nxetnanglucdacthu": "nhận xét năng lực đặc thù",
    "chieucao": "chiều cao",
    "cannang": "cân nặng",
    "songaynghicophep": "số ngày nghỉ có phép",
    "songaynghikhongphep": "số ngày nghỉ không phép",
    "nghicophep": "số buổi nghỉ có phép",
    "nghikhongphep": "số buổi nghỉ không phép",
    "trichluc": "trích lục",
    "masogd": "mã Sở GD&ĐT",
    "tensogd": "tên Sở GD&ĐT",
    "thongtintruong_diachi_matinh": "mã tỉnh của trường",
    "thongtintruong_diachi_tentinh": "tỉnh/thành phố của trường",
    "thongtintruong_diachi_maxa": "mã xã của trường",
    "macaphoc": "mã cấp học",
    "diachichitiet": "địa chỉ chi tiết",
    "matinh": "mã tỉnh",
    "maxa": "mã xã",
    "morong": "phần mở rộng",
    "nhanxetmon": "nhận xét môn học",
    "xeploai": "đánh giá kết quả giáo dục",
    "ndungkhenthuong": "khen thưởng",
    "ndungkhenthuongdotxuat": "khen thưởng đột xuất",
    "ndunghoanthanh": "nội dung hoàn thành chương trình",
    "nxetgvcn": "nhận xét của GVCN",
    "tengvcn": "tên GVCN",
    "soddcngvcn": "mã định danh GVCN",
    "tengiamhieu": "tên hiệu trưởng",
    "soddcngiamhieu": "mã định danh hiệu trưởng",
    "chucvugiamhieu": "chức vụ người ký",
    "quatrinhhoctap": "quá trình học tập",
    "ngayhieuluc": "ngày hiệu lực",
    "diadanhphathanh": "địa danh phát hành",
    "chukyso": "chữ ký số",
}


# What a pattern means, in words (the regex itself helps nobody at a school).
PATTERN_HINTS: dict[str, str] = {
    "diemkiemtradinhky": "điểm KTĐK là số nguyên từ 1 đến 10, hoặc M nếu được miễn",
    "sodinhdanh": "mã định danh gồm đúng 12 chữ số",
    "soddcngvcn": "mã định danh gồm đúng 12 chữ số",
    "soddcngiamhieu": "mã định danh gồm đúng 12 chữ số",
    "namhoc": "năm học viết dạng 2025-2026",
    "matracuu": "mã tra cứu gồm 32 ký tự 0-9, a-f",
    "madinhdanhhocba": "UUID có dấu gạch nối, chữ thường",
    "makhoi": "khối từ 1 đến 5",
    "dantoc": "mã dân tộc 2-3 chữ số",
    "mamonhoc": "mã môn 1-3 ký tự viết hoa, không dấu",
    "quoctich": "mã quốc tịch 2 chữ cái (VN)",
    "masogd": "mã Sở gồm 2 chữ số",
    "thongtintruong_diachi_matinh": "mã tỉnh gồm 2 chữ số",
    "thongtu": "dạng TT27",
}


@dataclass(frozen=True)
class SchemaProblem:
    line: int
    element: str  # local name of the offending element ("" when unknown)
    path: str  # libxml2's XPath of the element
    text: str  # Vietnamese line, ready to show

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=8)
def _load_schema(path: str) -> etree.XMLSchema:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputFileError(f"Không đọc được lược đồ XSD {p.name} ({e.strerror})") from None
    root = parse_xml(data, p.name)
    try:
        return etree.XMLSchema(root)
    except etree.XMLSchemaParseError as e:
        raise InputFileError(f"Lược đồ XSD {p.name} không hợp lệ: {e}") from None


def record_schema(path: str | Path | None = None, version: str = "") -> etree.XMLSchema:
    """The compiled record XSD of a layout version (cached); `path` lets tests try a modified copy."""
    return _load_schema(str(path or schemas_dir() / record_xsd_name(version)))


def package_schema(version: str) -> etree.XMLSchema:
    """The compiled upload-package XSD of a protocol version (schemas/goitin-<version>.xsd)."""
    return _load_schema(str(schemas_dir() / f"goitin-{version}.xsd"))


_ELEMENT_RE = re.compile(r"Element '(?:\{[^}]*\})?([\w.-]+)'(?:, attribute '([\w.-]+)')?:\s*")
_VALUE_RE = re.compile(r"The value '([^']*)'")


def _translate(message: str) -> tuple[str, str]:
    """(element local name, Vietnamese reason) from one libxml2 schema message."""
    m = _ELEMENT_RE.match(message)
    element = m.group(1) if m else ""
    attribute = m.group(2) if m else None
    rest = message[m.end():] if m else message
    value = _VALUE_RE.search(rest)
    shown = f"«{value.group(1)}»" if value else ""
    if "[facet 'enumeration']" in rest:
        allowed = re.search(r"set \{(.*)\}", rest)
        choices = ", ".join(v.strip(" '") for v in allowed.group(1).split(",")) if allowed else ""
        reason = f"giá trị {shown} không hợp lệ" + (f" (chỉ nhận: {choices})" if choices else "")
    elif "[facet 'pattern']" in rest:
        hint = PATTERN_HINTS.get(element)
        reason = f"giá trị {shown} không hợp lệ" + (f" ({hint})" if hint else "")
    elif "[facet 'maxLength']" in rest:
        reason = "nội dung quá dài"
    elif "[facet 'minLength']" in rest:
        reason = "nội dung bị trống"
    elif "[facet 'maxInclusive']" in rest or "[facet 'minExclusive']" in rest or "[facet 'minInclusive']" in rest:
        reason = f"giá trị {shown} ngoài khoảng cho phép"
    elif "[facet 'fractionDigits']" in rest:
        reason = f"giá trị {shown} có quá nhiều chữ số thập phân"
    elif "is not a valid value of the atomic type" in rest or "is not a valid value" in rest:
        reason = f"giá trị {shown} sai kiểu dữ liệu"
    elif "This element is not expected" in rest:
        expected = _expected(rest)
        reason = "phần tử không được phép ở vị trí này (sai thứ tự hoặc thừa)"
        if expected:
            reason += f"; ở đây cần: {expected}"
    elif "Missing child element" in rest:
        reason = f"thiếu trường {_expected(rest) or 'bắt buộc'}"
    elif "attribute" in rest and "is required" in rest:
        reason = "thiếu thuộc tính bắt buộc"
    elif "No matching global declaration" in rest:
        reason = "không phải tài liệu học bạ theo lược đồ này (sai phần tử gốc hoặc không gian tên)"
    else:
        reason = rest.strip()
    if attribute:
        element = f"{element}/@{attribute}"
    return element, reason


def _expected(message: str) -> str:
    """'Expected is ( {ns}a, {ns}b )' → 'a (label), b (label)'."""
    names = re.findall(r"\{[^}]*\}([\w.-]+)", message.split("Expected is", 1)[-1])
    return ", ".join(f"{n} ({FIELD_LABELS[n]})" if n in FIELD_LABELS else n for n in names)


def schema_problems(root: etree._Element, schema: etree.XMLSchema) -> list[SchemaProblem]:
    """Validate `root`; one SchemaProblem per libxml2 error, in document order."""
    if schema.validate(root):
        return []
    out: list[SchemaProblem] = []
    seen: set[tuple[int, str]] = set()
    for err in schema.error_log:
        element, reason = _translate(err.message)
        if (err.line, element) in seen:  # libxml2 reports minLength and pattern of one value twice
            continue
        seen.add((err.line, element))
        name = element.split("/@")[0]
        label = FIELD_LABELS.get(name, name)
        where = f"trường «{element}» ({label})" if element else "tài liệu"
        context = _subject_context(root, err.path)
        line = err.line or 0
        out.append(SchemaProblem(line, element, err.path or "", f"Dòng {line}: {where}{context}: {reason}"))
    return out


def _subject_context(root: etree._Element, path: str | None) -> str:
    """For an error inside dsbangdiem/monhoc[i], say which subject it is."""
    if not path:
        return ""
    try:
        found = root.getroottree().xpath(path)
    except etree.XPathError:
        return ""
    if not found or not isinstance(found[0], etree._Element):
        return ""
    node = found[0]
    while node is not None and etree.QName(node).localname != "monhoc":
        node = node.getparent()
    if node is None:
        return ""
    code = node.findtext("{*}mamonhoc") or ""
    name = node.findtext("{*}tenmonhoc") or ""
    return f" — môn {name} ({code})" if name or code else ""
