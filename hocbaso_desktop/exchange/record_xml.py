"""The Học bạ số record as XML: build it from a RecordData snapshot, validate it against the XSD.

This is the only module that builds the record's XML layout (version 2.0, aligned with the national
field dictionary; the codes come from exchange/national.py), so the ministry's official format
(Quyết định 3016/QĐ-BGDĐT) can replace schemas/hocba-tieuhoc-2.0.xsd and this builder without
touching storage, signing or the GUI. Everything else hands in a RecordData and gets bytes back.
A record is validated against the schema its own `phienbanxsd` names: records issued in layout 1.0
stay valid and readable (record_xml_read.py reads both).

Determinism: the same RecordData gives byte-identical UTF-8, so a record's hash and signature are
reproducible. Hence: fixed element order (the XSD's), no clock reads, text NFC-normalised, numbers
formatted one way, and the lxml serialiser with fixed options.
"""

from __future__ import annotations

import os
import unicodedata
from datetime import date
from pathlib import Path

from lxml import etree

from ..domain.errors import HocbasoError
from ..domain.record_data import RecordData
from ..fileio import write_atomic
from ..safe_xml import parse_xml
from . import national
from .xsd import FIELD_LABELS, SchemaProblem, record_schema, schema_problems

NS = "urn:hocbaso:tieuhoc:1.0"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XSD_VERSION = national.CURRENT_LAYOUT
CONTENT_TAG = "thongtinhocba"
SIGNATURES_TAG = "chukyso"

# National dictionary order of the 15 qualities/competencies; it is also the XSD sequence.
QUALITY_FIELDS: tuple[str, ...] = (
    "phamchatyeunuoc", "phamchatnhanai", "phamchatchamchi", "phamchattrungthuc", "phamchattrachnhiem",
    "nangluctuhoc", "nanglucgiaotiep", "nanglucgiaiquyet",
    "nanglucngonngu", "nangluctinhtoan", "nangluckhoahoc", "nangluccongnghe", "nangluctinhoc",
    "nanglucthammi", "nanglucthechat",
)
GROUP_COMMENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("PC", "nxetphamchat"), ("NLC", "nxetnanglucchung"), ("NLD", "nxetnanglucdacthu"),
)
SEX_CODES: dict[str, str] = {"Nam": "1", "Nữ": "2"}  # layout 1.0; 2.0 reads national.codes().sex


class RecordXmlError(HocbasoError):
    """A record that cannot become valid XML; names the student and the field(s)."""

    def __init__(self, student_name: str, personal_id: str, fields: list[str], problems: list[str]) -> None:
        detail = "; ".join(problems)
        who = student_name or "(chưa có họ tên)"
        super().__init__(
            f"Học bạ của {who} (mã định danh {personal_id or 'chưa có'}) không hợp lệ: {detail}",
            student_name=student_name, personal_id=personal_id, fields=fields, problems=problems,
        )
        self.student_name = student_name
        self.personal_id = personal_id
        self.fields = fields
        self.problems = problems

    @property
    def field(self) -> str:
        return self.fields[0] if self.fields else ""


def content_id(data: RecordData) -> str:
    """The Id signatures reference: unique per record book and version."""
    return f"HB-{data.lookup_hex}-v{data.version}"


def _text(value: str) -> str:
    # NFC so a name typed with combining marks hashes like the precomposed one; CRLF → LF because
    # XML parsers normalise it anyway and a signature must survive a round trip.
    return unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").strip()


class _Builder:
    def __init__(self, data: RecordData) -> None:
        self.data = data

    def add(self, parent: etree._Element, name: str, value: object, *, optional: bool = False) -> None:
        """Append <name>value</name>; optional fields with no value are left out, not emptied."""
        if value is None or value == "":
            if optional:
                return
            value = ""
        if isinstance(value, bool):
            text = "1" if value else "0"  # the national layout's booleans
        elif isinstance(value, date):
            text = value.isoformat()
        elif isinstance(value, float):
            text = f"{value:.1f}"
        else:
            text = _text(str(value))
            if text == "" and optional:
                return
        el = etree.SubElement(parent, f"{{{NS}}}{name}")
        try:
            el.text = text
        except ValueError:  # control characters: lxml refuses them, and so would every reader
            parent.remove(el)
            raise RecordXmlError(
                self.data.student.full_name, self.data.student.personal_id, [name],
                [f"trường «{name}» ({FIELD_LABELS.get(name, name)}): chứa ký tự điều khiển không được phép"],
            ) from None

    def build(self) -> etree._Element:
        d, s, sch = self.data, self.data.student, self.data.school
        root = etree.Element(f"{{{NS}}}hocbaso", nsmap={None: NS})
        root.set("phienbanxsd", XSD_VERSION)
        c = etree.SubElement(root, f"{{{NS}}}{CONTENT_TAG}")
        c.set("Id", content_id(d))
        add = self.add
        codes = national.codes()
        province = codes.province(sch.province)
        add(c, "trangthaithongtinhocba", d.status)
        add(c, "trichluc", d.transcribed)  # 1: entered from the paper học bạ (services/transcription.py)
        add(c, "phienbanthongtinhocba", d.version)
        add(c, "thongtu", d.regulation)
        add(c, "madinhdanhhocba", str(d.lookup_code))
        add(c, "namhoc", d.school_year)
        self.need(province is not None, "thongtintruong_diachi_matinh",
                  f"tỉnh/thành phố của trường «{sch.province or 'chưa nhập'}» không có trong danh mục tỉnh "
                  "(QĐ 19/2025/QĐ-TTg): sửa ở Thông tin nhà trường")
        assert province is not None
        add(c, "masogd", province.code)
        add(c, "tensogd", national.department_name(province))
        self.need(bool(_text(sch.moet_code or "")), "matruong",
                  "chưa nhập mã trường của CSDL ngành: nhập ở Thông tin nhà trường (hocbaso school set --moet-code)")
        add(c, "matruong", sch.moet_code)
        add(c, "tentruong", sch.name)
        add(c, "thongtintruong_diachi_tenxa", sch.commune, optional=True)
        # the name as the school writes it ("Thành phố Hà Nội") when it is the current unit's; a
        # pre-merger name is replaced by the unit it now belongs to, like its code
        add(c, "thongtintruong_diachi_tentinh", sch.province if codes.is_current_name(sch.province, province)
            else province.name)
        add(c, "thongtintruong_diachi_matinh", province.code)
        add(c, "macaphoc", codes.level_code)
        add(c, "makhoi", d.grade)
        add(c, "tenlop", d.class_name)
        add(c, "hovaten", s.full_name)
        add(c, "sodinhdanh", s.personal_id)
        add(c, "mahocsinh", s.moet_code, optional=True)
        add(c, "gioitinh", codes.sex_code(s.sex) or s.sex)
        add(c, "ngaythangnamsinh", s.birth_date)
        add(c, "dantoc", s.ethnicity_code)
        nationality = codes.nationality_code(s.nationality)
        self.need(nationality is not None, "quoctich",
                  f"quốc tịch «{s.nationality}» không có trong danh mục quốc tịch")
        add(c, "quoctich", nationality)
        self._address(c, "noisinh", s.birthplace)
        self._address(c, "quequan", s.hometown)
        self._address(c, "noiohiennay", s.address)
        add(c, "hotencha", s.father_name, optional=True)
        add(c, "hotenme", s.mother_name, optional=True)
        add(c, "hotennguoigiamho", s.guardian_name, optional=True)
        add(c, "cokhuyettatkhongdanhgia", s.not_assessed)
        self._subjects(c)
        self._qualities(c)
        add(c, "nghicophep", d.days_absent_excused * codes.sessions_per_day)
        add(c, "nghikhongphep", d.days_absent_unexcused * codes.sessions_per_day)
        add(c, "xeploai", d.result, optional=True)
        # one award per line: the national field is a single text, the paper prints one line each
        add(c, "ndungkhenthuong", "\n".join(_text(a) for a in d.awards if _text(a)), optional=True)
        add(c, "ndungkhenthuongdotxuat", "\n".join(_text(a) for a in d.adhoc_awards if _text(a)), optional=True)
        add(c, "dahthanhctrinhlophoc", d.completed_grade)
        add(c, "dahthanhctrinhtieuhoc", d.completed_primary)
        add(c, "duoclenlop", d.promoted, optional=True)
        add(c, "ndunghoanthanh", d.completion_text, optional=True)
        add(c, "nxetgvcn", d.teacher_comment, optional=True)
        if d.homeroom_teacher is not None:
            add(c, "tengvcn", d.homeroom_teacher.full_name, optional=True)
            add(c, "soddcngvcn", d.homeroom_teacher.personal_id, optional=True)
        if d.principal is not None:
            add(c, "tengiamhieu", d.principal.full_name, optional=True)
            add(c, "soddcngiamhieu", d.principal.personal_id, optional=True)
            add(c, "chucvugiamhieu", d.principal.position, optional=True)
        if d.history:
            h = etree.SubElement(c, f"{{{NS}}}dsquatrinhhoctap")
            for row in d.history:
                r = etree.SubElement(h, f"{{{NS}}}quatrinhhoctap")
                add(r, "namhoc", row.school_year)
                add(r, "tenlop", row.class_name)
                add(r, "tentruong", row.school_name)
                add(r, "tentinh", row.province, optional=True)
                add(r, "ngaytrangthaichuyenden", row.transfer_in_date, optional=True)
        add(c, "ngaytao", d.created_on, optional=True)
        add(c, "diadanhphathanh", d.place_of_issue, optional=True)
        self._extension(c)
        etree.SubElement(root, f"{{{NS}}}{SIGNATURES_TAG}")
        return root

    def _subjects(self, c: etree._Element) -> None:
        ds = etree.SubElement(c, f"{{{NS}}}dsbangdiem")
        for row in self.data.subjects:  # RecordData keeps the học bạ order; the XML keeps it too
            m = etree.SubElement(ds, f"{{{NS}}}monhoc")
            self.add(m, "mamonhoc", national.codes().subject_code(row.code))
            self.add(m, "tenmonhoc", row.name)
            self.add(m, "mucdatduoc", row.level, optional=True)
            self.add(m, "diemkiemtradinhky", None if row.score is None else row.score, optional=True)
            if row.score is None and row.level == "M" and row.tested:
                self.add(m, "diemkiemtradinhky", "M")  # exempt from a tested subject: national "M"

    def need(self, ok: bool, field: str, problem: str) -> None:
        if not ok:
            raise RecordXmlError(self.data.student.full_name, self.data.student.personal_id, [field],
                                 [f"trường «{field}» ({FIELD_LABELS.get(field, field)}): {problem}"])

    def _address(self, c: etree._Element, name: str, text: str) -> None:
        """Detail text + province code when the address names a province (commune codes: none known
        for a free-text address, so left out rather than guessed)."""
        if not _text(text or ""):
            return
        a = etree.SubElement(c, f"{{{NS}}}{name}")
        self.add(a, "diachichitiet", text)
        province = national.codes().province_in(text)
        if province is not None:
            self.add(a, "matinh", province.code)

    def _extension(self, c: etree._Element) -> None:
        """Our fields the national layout does not have, apart, so a strict receiver can skip them."""
        d, sch, add = self.data, self.data.school, self.add
        x = etree.SubElement(c, f"{{{NS}}}{national.EXTENSION_TAG}")
        add(x, "matracuu", d.lookup_hex)
        add(x, "thongtintruong_diachi_tenhuyen", sch.district, optional=True)
        add(x, "thongtintruong_diachi_chitiet", sch.address, optional=True)
        for row in d.subjects:
            if _text(row.comment or ""):
                add(x, "nhanxetmon", row.comment)
                x[-1].set("mamonhoc", national.codes().subject_code(row.code))
        add(x, "chieucao", None if d.height_cm is None else float(d.height_cm), optional=True)
        add(x, "cannang", None if d.weight_kg is None else float(d.weight_kg), optional=True)
        add(x, "songaynghicophep", d.days_absent_excused)
        add(x, "songaynghikhongphep", d.days_absent_unexcused)
        add(x, "ngayhieuluc", d.valid_from, optional=True)
        if d.transcribed:  # the paper book a trích lục was copied from: signed, printed on every page
            add(x, "sotrichluc", d.paper_book_ref, optional=True)

    def _qualities(self, c: etree._Element) -> None:
        levels: dict[str, str | None] = {}
        for q in self.data.qualities:
            if q.national not in QUALITY_FIELDS:
                raise RecordXmlError(
                    self.data.student.full_name, self.data.student.personal_id, [q.national],
                    [f"phẩm chất/năng lực «{q.name}» ({q.national}) không có trong lược đồ"],
                )
            levels[q.national] = q.level
        for name in QUALITY_FIELDS:  # XSD order, whatever order the snapshot lists them in
            self.add(c, name, levels.get(name), optional=True)
        for group, name in GROUP_COMMENT_FIELDS:
            self.add(c, name, self.data.group_comments.get(group, ""), optional=True)


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _serialise(root: etree._Element) -> bytes:
    # Our own declaration (lxml writes single quotes); the body is lxml's, with fixed options.
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)


def record_xml_bytes(data: RecordData) -> bytes:
    """The same deterministic bytes as build_record_xml, NOT validated: only for comparing with
    content that was validated when it was frozen (equal bytes are that valid content)."""
    return _serialise(_Builder(data).build())


def build_record_xml(data: RecordData, schema_path: str | Path | None = None) -> bytes:
    """The record's XML, validated; raises RecordXmlError naming the student and field(s)."""
    root = _Builder(data).build()
    xml = _serialise(root)
    # Validate what we return, not the in-memory tree: the parsed bytes carry line numbers, and this
    # is exactly what a receiver will parse.
    problems = _problems(parse_xml(xml, f"học bạ {data.student.full_name}"), schema_path)
    if problems:
        fields = list(dict.fromkeys(p.element for p in problems if p.element))
        raise RecordXmlError(data.student.full_name, data.student.personal_id, fields, [p.text for p in problems])
    return xml


def _problems(root: etree._Element, schema_path: str | Path | None = None) -> list[SchemaProblem]:
    version = root.get("phienbanxsd") or ""
    if schema_path is None and version not in national.LAYOUT_VERSIONS:
        line = root.sourceline or 0
        return [SchemaProblem(line, "hocbaso/@phienbanxsd", "",
                              f"Dòng {line}: phiên bản lược đồ «{version}» không được hỗ trợ "
                              f"(chỉ nhận {', '.join(national.LAYOUT_VERSIONS)})")]
    problems = schema_problems(root, record_schema(schema_path, version))
    if problems:
        return problems
    return _consistency(root)


def _consistency(root: etree._Element) -> list[SchemaProblem]:
    """Cross-field rules XSD 1.0 cannot say: Id, matracuu and madinhdanhhocba name the same UUID."""
    c = root.find(f"{{{NS}}}{CONTENT_TAG}")
    if c is None:
        return []
    hexcode = lookup_hex_in(c)
    uuid36 = c.findtext(f"{{{NS}}}madinhdanhhocba") or ""
    version = c.findtext(f"{{{NS}}}phienbanthongtinhocba") or ""
    out: list[SchemaProblem] = []
    line = c.sourceline or 0
    if uuid36.replace("-", "") != hexcode:
        out.append(SchemaProblem(line, "matracuu", "", f"Dòng {line}: mã tra cứu «{hexcode}» khác mã định danh học bạ «{uuid36}»"))
    expected = f"HB-{hexcode}-v{version}"
    if c.get("Id") != expected:
        out.append(SchemaProblem(line, "thongtinhocba/@Id", "", f"Dòng {line}: Id «{c.get('Id')}» phải là «{expected}»"))
    return out


def validate_record_xml(xml: bytes, schema_path: str | Path | None = None) -> list[str]:
    """Vietnamese error lines (with line numbers); empty when the record is valid.

    Parses through the hardened parser, so hostile input (DOCTYPE, entities) raises InputFileError
    rather than returning lines. Signatures already in <chukyso> are accepted as they are.
    """
    root = parse_xml(xml, "học bạ XML")
    return [p.text for p in _problems(root, schema_path)]


def lookup_hex_of(xml: bytes) -> str:
    """The mã tra cứu of a record file (for naming, matching a paper copy to its record)."""
    root = parse_xml(xml, "học bạ XML")
    c = root.find(f"{{{NS}}}{CONTENT_TAG}")
    return "" if c is None else lookup_hex_in(c)


def lookup_hex_in(content: etree._Element) -> str:
    """<matracuu> of a record's content: directly inside (layout 1.0) or in <morong> (2.0)."""
    return (content.findtext(f"{{{NS}}}matracuu")
            or content.findtext(f"{{{NS}}}{national.EXTENSION_TAG}/{{{NS}}}matracuu") or "")


def record_file_name(data: RecordData) -> str:
    """`<mã tra cứu>.xml`: the name the CLI and the archive use for a record file."""
    return f"{data.lookup_hex}.xml"


def write_record_xml(data: RecordData, out_dir: str | os.PathLike[str]) -> Path:
    """Build, validate and write `<mã tra cứu>.xml` safely: temp file → fsync → rename → read back."""
    xml = build_record_xml(data)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return write_atomic(folder / record_file_name(data), xml)
