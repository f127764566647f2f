"""Column vocabulary of class lists: which header means which field, after normalisation.

Real lists come from the sector database (CSDL ngành) exports and from hand-typed sheets, so the
same column is spelled many ways ("Họ và tên", "HỌ VÀ TÊN", "Họ tên học sinh (*)"). Headers are
compared on a key without diacritics, case, spaces, punctuation or parenthesised notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.text import fold

# Canonical field keys (English identifiers) → Vietnamese label used in messages and the preview.
FIELD_LABELS: dict[str, str] = {
    "class_name": "Lớp",
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "sex": "Giới tính",
    "personal_id": "Mã định danh",
    "moet_code": "Mã học sinh (CSDL ngành)",
    "ethnicity": "Dân tộc",
    "nationality": "Quốc tịch",
    "birthplace": "Nơi sinh",
    "hometown": "Quê quán",
    "address": "Nơi ở hiện nay",
    "father_name": "Họ tên cha",
    "mother_name": "Họ tên mẹ",
    "guardian_name": "Người giám hộ",
    "grade": "Khối",
    # optional per-pupil facts (issue 14): read when the column is there, never required
    "register_no": "Số đăng bộ",
    "enrolled_on": "Ngày vào trường",
    "policy_group": "Đối tượng chính sách",
    "disability": "Khuyết tật",
    "not_assessed": "Đánh giá theo KHGD cá nhân",
    "optional_subjects": "Môn tự chọn",
    "exempt_subjects": "Miễn môn",
    "c1_status": "Trạng thái HS",
    "c1_status_on": "Ngày nhập trạng thái",
}

# Name parts typed in two or three columns ("Họ đệm" + "Tên", or "Họ" + "Tên đệm" + "Tên").
NAME_PARTS = ("family_name", "middle_name", "given_name")

_EXACT: dict[str, str] = {}


def _add(field: str, *keys: str) -> None:
    for k in keys:
        _EXACT[k] = field


_add("full_name", "hovaten", "hoten", "hotenhocsinh", "hovatenhocsinh", "hotenhs", "hovatenhs", "tenhocsinh",
     "hovatencuahocsinh", "hotendaydu", "hovatendaydu")
_add("family_name", "ho", "hohocsinh")
_add("middle_name", "hodem", "hovatendem", "tendem", "hodemhocsinh", "holot")
_add("given_name", "ten", "tenhs", "tengoi")
_add("birth_date", "ngaysinh", "ngaythangnamsinh", "sinhngay", "ngaysinhhocsinh", "ngaysinhhs")
_add("sex", "gioitinh", "gt", "phai", "nunam", "namnu")
_add("female_mark", "nu", "hocsinhnu")  # old forms: an "x" in a "Nữ" column
_add("ethnicity", "dantoc", "dt")
_add("nationality", "quoctich")
_add("birthplace", "noisinh", "noisinhhocsinh")
_add("hometown", "quequan", "nguyenquan", "que")
_add("address", "noiohiennay", "diachi", "noio", "choohiennay", "diachithuongtru", "noithuongtru", "thuongtru",
     "noicutru", "diachinha", "diachihiennay", "diachilienhe", "choo")
_add("class_name", "lop", "tenlop", "lophoc", "lopdanghoc", "malop")
_add("grade", "khoi", "khoilop")
_add("father_name", "hotencha", "hovatencha", "tencha", "cha", "hotenbo", "hovatenbo", "bo", "chaduonghocsinh")
_add("mother_name", "hotenme", "hovatenme", "tenme", "me")
_add("guardian_name", "nguoigiamho", "hotennguoigiamho", "hovatennguoigiamho", "giamho")
_add("c1_status", "trangthaihs", "trangthaihocsinh")
_add("c1_status_on", "ngaynhaptrangthai")
_add("register_no", "sodangbo", "sodb", "sodangbohocsinh", "sohieudangbo")
_add("enrolled_on", "ngaynhaphoc", "ngayvaotruong", "ngaynhaptruong", "ngaynhaphocngayvaotruong", "ngayvaohoc")
_add("policy_group", "doituongchinhsach", "dienchinhsach", "doituonguutien", "chinhsach")
_add("disability", "khuyettat", "loaikhuyettat", "dangkhuyettat", "hocsinhkhuyettat", "khuyettatloai")
_add("not_assessed", "danhgiatheokhgdcanhan", "danhgiatheokehoachgiaoduccanhan", "khgdcanhan",
     "kehoachgiaoduccanhan", "danhgiatheokhgdcn", "theokhgdcanhan")
_add("optional_subjects", "montuchon", "cacmontuchon", "monhoctuchon")
_add("exempt_subjects", "mienmon", "cacmonmien", "monduocmien", "monmien", "mienhoc", "monmienhoc")

# Two identifiers exist (codes.md): the 12-digit số định danh cá nhân (our match key, Student.personal_id)
# and the education sector's student code (Student.moet_code). Headers that can only mean one of them:
_PERSONAL_ID = {"madinhdanhcanhan", "sodinhdanhcanhan", "sodinhdanh", "cccd", "socccd", "socancuoc", "cancuoc",
                "cancuoccongdan", "socancuoccongdan", "madinhdanhcongdan", "soddcn", "maddcn", "sodinhdanhcanhanhs",
                "madinhdanhcanhanhocsinh", "sodinhdanhcanhanhocsinh"}
_MOET_CODE = {"madinhdanhbogddt", "madinhdanhbogiaoducvadaotao", "madinhdanhbogiaoducdaotao", "madinhdanhnganh",
              "mahocsinhcsdlnganh", "mahsnganh", "mahscsdl", "madinhdanhgddt", "madinhdanhhocsinhbogddt",
              "mahocsinhbogddt", "mahsbogddt", "madinhdanhbo"}
# ...and headers that people use for either. In order of how likely they hold the personal number:
_AMBIGUOUS_IDS = ("madinhdanh", "madinhdanhhocsinh", "madinhdanhhs", "mahocsinh", "mahs")

_C1_MARKERS = {"malop", "trangthaihs", "trangthaihocsinh", "ngaynhaptrangthai"}
_C1_MOET = {"mahocsinh", "mahs"}

IGNORED_HINT = {"stt", "tt", "sothutu", "sott", "ghichu"}  # known to be safe to ignore, still reported


def header_key(text: object) -> str:
    """Normalised header: parenthesised notes and punctuation dropped, then folded to ASCII."""
    s = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(text or ""))
    return re.sub(r"[^a-z0-9]", "", fold(s))


@dataclass(frozen=True)
class HeaderMap:
    """Which column (0-based index) holds which field, for one sheet."""

    row: int  # Excel row number of the (last) header row
    columns: dict[str, int]  # field → column index
    name_parts: tuple[tuple[str, int], ...]  # ordered (part, column) when the name is split
    labels: dict[int, str]  # column index → header text as written in the file
    ignored: tuple[tuple[int, str], ...]  # (column, header) of columns not understood

    @property
    def has_name(self) -> bool:
        return "full_name" in self.columns or any(p == "given_name" for p, _ in self.name_parts)


def classify(cells: list[tuple[int, str]]) -> tuple[dict[str, int], list[tuple[str, int]], list[tuple[int, str]]]:
    """Map header texts to fields; returns (fields, name parts, not understood)."""
    fields: dict[str, int] = {}
    parts: list[tuple[str, int]] = []
    unknown: list[tuple[int, str]] = []
    ambiguous: list[tuple[int, int, str]] = []  # (preference, column, text)
    keys = {header_key(t) for _c, t in cells}
    # The portal's C1-HocSinh export (columns "Mã lớp", "Trạng thái HS") uses "Mã học sinh" for its own
    # student code even when it has no personal-id column: never read it as the 12-digit number there.
    c1_export = bool(keys & _C1_MARKERS)
    for col, text in cells:
        key = header_key(text)
        if not key:
            continue
        field = _EXACT.get(key)
        if field is None:
            field = _prefix_match(key)
        if key in _PERSONAL_ID:
            field = "personal_id"
        elif key in _MOET_CODE:
            field = "moet_code"
        elif c1_export and key in _C1_MOET:
            field = "moet_code"
        elif key in _AMBIGUOUS_IDS:
            ambiguous.append((_AMBIGUOUS_IDS.index(key), col, text))
            continue
        if field in NAME_PARTS:
            parts.append((field, col))
        elif field is not None and field not in fields:
            fields[field] = col
        else:
            unknown.append((col, text))
    # An ambiguous id header is the personal number unless a column names it unmistakably; then it
    # is the sector code (a "Mã học sinh" beside a "Số định danh cá nhân" is the CSDL ngành code).
    for _pref, col, text in sorted(ambiguous):
        if "personal_id" not in fields:
            fields["personal_id"] = col
        elif "moet_code" not in fields:
            fields["moet_code"] = col
        else:
            unknown.append((col, text))
    parts.sort(key=lambda p: p[1])
    if "full_name" in fields and parts:
        # Both a whole name and parts: the whole name wins, the parts are reported as ignored.
        unknown.extend((c, p) for p, c in parts)
        parts = []
    return fields, parts, sorted(unknown)


def _prefix_match(key: str) -> str | None:
    """Headers with a trailing note that was not in parentheses: "ngaysinhddmmyyyy", "gioitinhnamnu"."""
    for prefix, field in (("ngaysinh", "birth_date"), ("gioitinh", "sex"), ("dantoc", "ethnicity"),
                          ("noisinh", "birthplace"), ("quequan", "hometown"), ("noiohiennay", "address"),
                          ("diachi", "address"), ("hovaten", "full_name"), ("hotencha", "father_name"),
                          ("hotenme", "mother_name"), ("hovatencha", "father_name"), ("hovatenme", "mother_name"),
                          ("sodinhdanhcanhan", "personal_id"), ("madinhdanhcanhan", "personal_id"),
                          ("hoten", "full_name")):
        if key.startswith(prefix):
            return field
    return None


def header_score(fields: dict[str, int], parts: list[tuple[str, int]]) -> int:
    """How much a row looks like the header of a class list (name + at least two of the core fields)."""
    has_name = "full_name" in fields or any(p == "given_name" for p, _ in parts)
    if not has_name:
        return 0
    core = sum(1 for f in ("birth_date", "sex", "personal_id", "class_name", "ethnicity", "moet_code") if f in fields)
    return 0 if core < 2 else 1 + core + len(fields)
