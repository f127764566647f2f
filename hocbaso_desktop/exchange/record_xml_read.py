"""The inverse of record_xml: a signed record XML back to the RecordData its paper copy prints.

Why: the paper copy of an issued record must say what the signed XML says, not what the database
rows say now (issue 15: an insider with sqlite3 can rename a pupil behind an issued record). So the
issued PDF is rendered from these bytes only. What the XML does not carry is looked up in fixed
data, never in the database: subject print names and tested flags, quality names and the result's
name in the catalogue, the ethnic group's name by its code. Signatures are read from <chukyso>:
role (XAdES ClaimedRole), signer (the certificate's CN), subject, signing time.

This module does not verify signatures (signing/xml_signature.py does); it parses hostile bytes
through the hardened parser and refuses anything that is not a record.
"""

from __future__ import annotations

import base64
import uuid
from datetime import date, datetime, timedelta, timezone

from cryptography import x509
from cryptography.x509.oid import NameOID
from lxml import etree

from ..domain.catalogue import catalogue
from ..domain.errors import InputFileError
from ..domain.ethnic import ETHNIC_GROUPS
from ..domain.record_data import (
    HistoryRow,
    Person,
    QualityRow,
    RecordData,
    SchoolInfo,
    SignatureInfo,
    StudentInfo,
    SubjectRow,
)
from ..safe_xml import parse_xml
from . import national
from .record_xml import CONTENT_TAG, GROUP_COMMENT_FIELDS, NS, SEX_CODES, SIGNATURES_TAG

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
XADES_NS = "http://uri.etsi.org/01903/v1.3.2#"
_VN_TZ = timezone(timedelta(hours=7))  # signing times are printed in Vietnam time, like the stored rows
_SEX_NAMES = {code: name for name, code in SEX_CODES.items()}
HOMEROOM_POSITION = "Giáo viên chủ nhiệm"  # what services/records.py writes for the GVCN


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


class _Reader:
    """Reads a field of either layout: in 2.0 our own fields moved into <morong>, and addresses are
    <diachichitiet> + codes instead of one text."""

    def __init__(self, el: etree._Element, source: str) -> None:
        self.el, self.source = el, source
        self.ext = el.find(_q(national.EXTENSION_TAG))

    def _find(self, name: str) -> etree._Element | None:
        found = self.el.find(_q(name))
        if found is None and self.ext is not None:
            found = self.ext.find(_q(name))
        return found

    def text(self, name: str, default: str = "") -> str:
        found = self._find(name)
        if found is None:
            return default
        detail = found.find(_q("diachichitiet"))
        return (detail.text or "") if detail is not None else (found.text or "")

    def has(self, name: str) -> bool:
        return self._find(name) is not None

    def int(self, name: str, default: int = 0) -> int:
        raw = self.text(name).strip()
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            raise InputFileError(f"{self.source}: trường «{name}» không phải số («{raw}»)") from None

    def float(self, name: str) -> float | None:
        raw = self.text(name).strip()
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            raise InputFileError(f"{self.source}: trường «{name}» không phải số («{raw}»)") from None

    def bool(self, name: str) -> bool | None:
        raw = self.text(name).strip()
        return None if not raw else raw in ("true", "1")

    def date(self, name: str) -> date | None:
        raw = self.text(name).strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise InputFileError(f"{self.source}: trường «{name}» không phải ngày («{raw}»)") from None


def _lines(text: str) -> tuple[str, ...]:
    return tuple(x for x in text.splitlines() if x.strip())


def _subjects(content: etree._Element, grade: int, source: str, layout: str) -> tuple[SubjectRow, ...]:
    cat = catalogue()
    codes = national.codes()
    comments = {el.get("mamonhoc", ""): el.text or ""
                for el in content.findall(f"{_q(national.EXTENSION_TAG)}/{_q('nhanxetmon')}")}
    rows = []
    for m in content.findall(f"{_q('dsbangdiem')}/{_q('monhoc')}"):
        r = _Reader(m, source)
        written, name = r.text("mamonhoc"), r.text("tenmonhoc")
        code = codes.our_subject(written) if layout != "1.0" else written
        comment = comments.get(written, "") if layout != "1.0" else r.text("nhanxet")
        try:
            subj = cat.subject(code)
            print_name, tested = subj.print_name, subj.is_tested(grade, "CN")
        except KeyError:  # a subject this catalogue does not know: print what the record says
            print_name, tested = name, r.has("diemkiemtradinhky")
        raw_score = r.text("diemkiemtradinhky").strip()
        score = int(raw_score) if raw_score.isdigit() else None  # "M": exempt from a tested subject
        rows.append(SubjectRow(code, name, print_name, r.text("mucdatduoc") or None, score, comment, tested))
    return tuple(rows)


def _qualities(content: etree._Element, grade: int, source: str) -> tuple[QualityRow, ...]:
    r = _Reader(content, source)
    return tuple(QualityRow(q.code, q.group, q.name, q.national, r.text(q.national) or None)
                 for q in catalogue().qualities_for(grade))


def _certificate(sig: etree._Element) -> x509.Certificate | None:
    certs = []
    for el in sig.findall(f"{{{DS_NS}}}KeyInfo/{{{DS_NS}}}X509Data/{{{DS_NS}}}X509Certificate"):
        try:
            certs.append(x509.load_der_x509_certificate(base64.b64decode("".join((el.text or "").split()))))
        except ValueError:
            continue
    issuers = {c.issuer for c in certs if c.issuer != c.subject}
    leaves = [c for c in certs if c.subject not in issuers]  # the one that issues none of the others
    if leaves:
        return leaves[0]
    return certs[0] if certs else None


def _signatures(root: etree._Element) -> tuple[SignatureInfo, ...]:
    out = []
    holder = root.find(_q(SIGNATURES_TAG))
    for sig in ([] if holder is None else holder.findall(f"{{{DS_NS}}}Signature")):
        props = sig.find(f"{{{DS_NS}}}Object/{{{XADES_NS}}}QualifyingProperties/{{{XADES_NS}}}SignedProperties/"
                         f"{{{XADES_NS}}}SignedSignatureProperties")
        role = when_text = ""
        if props is not None:
            role = (props.findtext(f"{{{XADES_NS}}}SignerRole/{{{XADES_NS}}}ClaimedRoles/{{{XADES_NS}}}ClaimedRole") or "").strip()
            when_text = (props.findtext(f"{{{XADES_NS}}}SigningTime") or "").strip()
        cert = _certificate(sig)
        cn = ""
        if cert is not None:
            names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            cn = str(names[0].value) if names else cert.subject.rfc4514_string()
        try:
            moment = datetime.fromisoformat(when_text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            when = moment.astimezone(_VN_TZ).replace(tzinfo=None)
        except ValueError:
            when = datetime(1970, 1, 1)  # unreadable time: verify says so; the paper prints an obvious value
        out.append(SignatureInfo(role, cn, cert.subject.rfc4514_string()[:400] if cert is not None else "", when))
    return tuple(out)


def parse_record_xml(xml: bytes, source: str = "học bạ XML") -> RecordData:
    """The RecordData a (signed) record XML states; raises InputFileError when it is not a record."""
    root = parse_xml(xml, source)
    content = root.find(_q(CONTENT_TAG))
    if root.tag != _q("hocbaso") or content is None:
        raise InputFileError(f"{source}: không phải tệp học bạ (thiếu <hocbaso>/<thongtinhocba>)")
    r = _Reader(content, source)
    layout = root.get("phienbanxsd") or "1.0"
    codes = national.codes()
    if layout == "1.0":
        sex = _SEX_NAMES.get(r.text("gioitinh"), r.text("gioitinh"))
        nationality = r.text("quoctich")
        days = (r.int("songaynghicophep"), r.int("songaynghikhongphep"))
    else:
        sex = codes.sex_name(r.text("gioitinh"))
        nationality = codes.nationality_name(r.text("quoctich"))
        per_day = codes.sessions_per_day
        days = (r.int("songaynghicophep", r.int("nghicophep") // per_day),
                r.int("songaynghikhongphep", r.int("nghikhongphep") // per_day))
    try:
        lookup = uuid.UUID(r.text("madinhdanhhocba"))
    except ValueError:
        raise InputFileError(f"{source}: mã định danh học bạ «{r.text('madinhdanhhocba')}» không hợp lệ") from None
    grade = r.int("makhoi")
    birth = r.date("ngaythangnamsinh")
    if birth is None:
        raise InputFileError(f"{source}: thiếu ngày sinh")
    ethnicity = r.text("dantoc")
    result = r.text("xeploai") or None
    try:
        result_name = catalogue().result_name(result) if result else ""
    except KeyError:
        result_name = result or ""
    homeroom = (Person(r.text("tengvcn"), r.text("soddcngvcn"), HOMEROOM_POSITION) if r.has("tengvcn") else None)
    principal = (Person(r.text("tengiamhieu"), r.text("soddcngiamhieu"), r.text("chucvugiamhieu"))
                 if r.has("tengiamhieu") else None)
    history = []
    for h in content.findall(f"{_q('dsquatrinhhoctap')}/{_q('quatrinhhoctap')}"):
        hr = _Reader(h, source)
        history.append(HistoryRow(hr.text("namhoc"), hr.text("tenlop"), hr.text("tentruong"), hr.text("tentinh"),
                                  hr.date("ngaytrangthaichuyenden")))
    return RecordData(
        lookup_code=lookup,
        school=SchoolInfo(r.text("tentruong"), r.text("matruong"), r.text("thongtintruong_diachi_tentinh"),
                          r.text("thongtintruong_diachi_tenhuyen"), r.text("thongtintruong_diachi_tenxa"),
                          r.text("thongtintruong_diachi_chitiet")),
        school_year=r.text("namhoc"),
        grade=grade,
        class_name=r.text("tenlop"),
        student=StudentInfo(
            personal_id=r.text("sodinhdanh"), full_name=r.text("hovaten"), birth_date=birth,
            sex=sex, ethnicity_code=ethnicity,
            ethnicity_name=ETHNIC_GROUPS.get(ethnicity, ""), nationality=nationality,
            moet_code=r.text("mahocsinh"), birthplace=r.text("noisinh"), hometown=r.text("quequan"),
            address=r.text("noiohiennay"), father_name=r.text("hotencha"), mother_name=r.text("hotenme"),
            guardian_name=r.text("hotennguoigiamho"), not_assessed=bool(r.bool("cokhuyettatkhongdanhgia")),
        ),
        subjects=_subjects(content, grade, source, layout),
        qualities=_qualities(content, grade, source),
        group_comments={g: r.text(name) for g, name in GROUP_COMMENT_FIELDS if r.has(name)},
        days_absent_excused=days[0],
        days_absent_unexcused=days[1],
        result=result,
        result_name=result_name,
        awards=_lines(r.text("ndungkhenthuong")),
        adhoc_awards=_lines(r.text("ndungkhenthuongdotxuat")),
        completed_grade=bool(r.bool("dahthanhctrinhlophoc")),
        completed_primary=bool(r.bool("dahthanhctrinhtieuhoc")),
        completion_text=r.text("ndunghoanthanh"),
        promoted=r.bool("duoclenlop"),
        teacher_comment=r.text("nxetgvcn"),
        height_cm=r.float("chieucao"),
        weight_kg=r.float("cannang"),
        homeroom_teacher=homeroom,
        principal=principal,
        history=tuple(history),
        version=r.int("phienbanthongtinhocba", 1),
        status=r.text("trangthaithongtinhocba", "1"),
        valid_from=r.date("ngayhieuluc"),
        place_of_issue=r.text("diadanhphathanh"),
        regulation=r.text("thongtu", "TT27"),
        created_on=r.date("ngaytao"),
        signatures=_signatures(root),
        transcribed=bool(r.bool("trichluc")),
        paper_book_ref=r.text("sotrichluc"),
    )
