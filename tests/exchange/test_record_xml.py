"""The record XML: deterministic, valid, strict, and read only through the hardened parser."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from pathlib import Path

import pytest
from lxml import etree

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.exchange.record_xml import (
    DSIG_NS,
    NS,
    RecordXmlError,
    build_record_xml,
    content_id,
    lookup_hex_of,
    validate_record_xml,
)
from hocbaso_desktop.exchange.xsd import RECORD_XSD_NAME
from hocbaso_desktop.paths import schemas_dir

from .records import FIXED_UUID_1, make_record


def _replace_subject(rec, code, **changes):
    rows = tuple(dataclasses.replace(s, **changes) if s.code == code else s for s in rec.subjects)
    return dataclasses.replace(rec, subjects=rows)


def test_build_is_byte_identical_for_the_same_data(grade1, grade5):
    for rec in (grade1, grade5):
        a, b = build_record_xml(rec), build_record_xml(make_record(rec.grade))
        assert a == b
        assert hashlib.sha256(a).digest() == hashlib.sha256(build_record_xml(rec)).digest()


def test_declaration_root_and_content_id(grade1):
    xml = build_record_xml(grade1)
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<hocbaso xmlns="urn:hocbaso:tieuhoc:1.0" phienbanxsd="2.0">')
    root = etree.fromstring(xml)
    content, sigs = list(root)
    assert etree.QName(content).localname == "thongtinhocba"
    assert content.get("Id") == f"HB-{FIXED_UUID_1.hex}-v1" == content_id(grade1)
    assert etree.QName(sigs).localname == "chukyso" and len(sigs) == 0
    assert content.findtext(f"{{{NS}}}morong/{{{NS}}}matracuu") == FIXED_UUID_1.hex  # ours, not national
    assert content.findtext(f"{{{NS}}}madinhdanhhocba") == str(FIXED_UUID_1)
    assert lookup_hex_of(xml) == FIXED_UUID_1.hex


def test_national_field_values(grade1):
    root = etree.fromstring(build_record_xml(grade1))
    c = root[0]

    def t(name):
        return c.findtext(f"{{{NS}}}{name}")

    assert t("hovaten") == "Nguyễn Thị Ánh Tuyết"
    assert unicodedata.is_normalized("NFC", t("hovaten"))
    assert (t("gioitinh"), t("dantoc"), t("sodinhdanh"), t("namhoc")) == ("2", "01", "001319012345", "2025-2026")
    assert (t("trangthaithongtinhocba"), t("phienbanthongtinhocba"), t("thongtu")) == ("1", "1", "TT27")
    assert (t("xeploai"), t("dahthanhctrinhlophoc"), t("dahthanhctrinhtieuhoc")) == ("HTXS", "1", "0")
    assert t("phamchatnhanai") == "Đ"
    # grade 1 has no Công nghệ/Tin học competencies: the optional elements are absent, not empty
    assert c.find(f"{{{NS}}}nangluccongnghe") is None
    subjects = c.findall(f"{{{NS}}}dsbangdiem/{{{NS}}}monhoc")
    codes = [m.findtext(f"{{{NS}}}mamonhoc") for m in subjects]
    assert codes[:3] == ["TV", "TOA", "NN1"]  # national mamonhoc: at most 3 characters
    dd = subjects[codes.index("DD")]
    assert dd.find(f"{{{NS}}}diemkiemtradinhky") is None  # untested subject: no score element


def test_decomposed_input_gives_the_same_bytes(grade1):
    nfd = dataclasses.replace(grade1, student=dataclasses.replace(
        grade1.student, full_name=unicodedata.normalize("NFD", grade1.student.full_name)))
    assert build_record_xml(nfd) == build_record_xml(grade1)


def test_good_records_validate(grade1, grade5):
    for rec in (grade1, grade5):
        assert validate_record_xml(build_record_xml(rec)) == []


def test_withdrawn_new_version_and_exempt_subject_validate(grade5):
    rec = _replace_subject(dataclasses.replace(grade5, status="2", version=3), "NN1", level="M", score=None)
    xml = build_record_xml(rec)
    assert b'Id="HB-' + grade5.lookup_hex.encode() + b'-v3"' in xml
    assert b"<mucdatduoc>M</mucdatduoc>\n        <diemkiemtradinhky>M</diemkiemtradinhky>" in xml


def test_score_11_is_rejected_naming_student_and_field(grade1):
    bad = _replace_subject(grade1, "TOAN", score=11)
    with pytest.raises(RecordXmlError) as ei:
        build_record_xml(bad)
    err = ei.value
    assert err.fields == ["diemkiemtradinhky"]
    assert "Nguyễn Thị Ánh Tuyết" in str(err) and "001319012345" in str(err)
    assert "môn Toán (TOA)" in str(err) and "«11»" in str(err)
    assert re.search(r"Dòng \d+", str(err))


def test_quality_level_in_a_subject_is_rejected(grade5):
    with pytest.raises(RecordXmlError) as ei:
        build_record_xml(_replace_subject(grade5, "KH", level="Đ"))
    assert ei.value.field == "mucdatduoc"
    assert "Lò Văn Dũng" in str(ei.value) and "chỉ nhận: T, H, C, M" in str(ei.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: dataclasses.replace(r, school_year="2025/2026"), "namhoc"),
        (lambda r: dataclasses.replace(r, student=dataclasses.replace(r.student, personal_id="00131901234")), "sodinhdanh"),
        (lambda r: dataclasses.replace(r, result="XS"), "xeploai"),
        (lambda r: dataclasses.replace(r, group_comments={"PC": "x" * 501}), "nxetphamchat"),
        (lambda r: dataclasses.replace(r, student=dataclasses.replace(r.student, full_name="")), "hovaten"),
        (lambda r: dataclasses.replace(r, teacher_comment="Em ngoan\x07"), "nxetgvcn"),
    ],
)
def test_bad_fields_are_named(grade1, change, field):
    with pytest.raises(RecordXmlError) as ei:
        build_record_xml(change(grade1))
    assert field in ei.value.fields
    assert "Nguyễn Thị Ánh Tuyết" in ei.value.message or "(chưa có họ tên) (mã định danh 001319012345)" in ei.value.message


def test_tightened_schema_copy_catches_a_change(grade5, tmp_path: Path):
    """A changed XSD constraint is caught: the same record fails a copy with a stricter score pattern."""
    xsd = (schemas_dir() / RECORD_XSD_NAME).read_text(encoding="utf-8")
    tightened = xsd.replace('<xs:pattern value="[1-9]|10|M"/>', '<xs:pattern value="[5-9]|10|M"/>')
    assert tightened != xsd
    path = tmp_path / "tight.xsd"
    path.write_text(tightened, encoding="utf-8")
    rec = _replace_subject(grade5, "KH", score=4)
    xml = build_record_xml(rec)  # fine under the real schema
    errors = validate_record_xml(xml, schema_path=path)
    assert len(errors) == 1 and "diemkiemtradinhky" in errors[0] and "Khoa học" in errors[0]
    with pytest.raises(RecordXmlError):
        build_record_xml(rec, schema_path=path)


def test_validate_reports_edited_file_with_line_numbers(grade1):
    xml = build_record_xml(grade1).replace(b"<gioitinh>2</gioitinh>", b"<gioitinh>3</gioitinh>")
    errors = validate_record_xml(xml)
    line = xml[: xml.index(b"<gioitinh>")].count(b"\n") + 1
    assert errors == [f"Dòng {line}: trường «gioitinh» (giới tính): giá trị «3» không hợp lệ (chỉ nhận: 0, 1, 2)"]


def test_missing_and_reordered_elements_are_reported(grade1):
    xml = build_record_xml(grade1)
    errors = validate_record_xml(re.sub(rb"\s*<namhoc>2025-2026</namhoc>", b"", xml, count=1))
    assert len(errors) == 1 and "cần: namhoc (năm học)" in errors[0]


def test_mismatched_lookup_code_is_reported(grade1):
    xml = build_record_xml(grade1).replace(f"<matracuu>{FIXED_UUID_1.hex}".encode(), b"<matracuu>" + b"0" * 32)
    errors = validate_record_xml(xml)
    assert errors and "mã tra cứu" in errors[0]


def test_record_with_signatures_still_validates(grade5):
    xml = build_record_xml(grade5)
    root = etree.fromstring(xml)
    sigs = root[1]
    for _ in range(2):  # GVCN, principal: the validator must not care what is inside a ds:Signature
        sig = etree.SubElement(sigs, f"{{{DSIG_NS}}}Signature", nsmap={"ds": DSIG_NS})
        si = etree.SubElement(sig, f"{{{DSIG_NS}}}SignedInfo")
        ref = etree.SubElement(si, f"{{{DSIG_NS}}}Reference")
        ref.set("URI", "#" + content_id(grade5))
        etree.SubElement(sig, f"{{{DSIG_NS}}}SignatureValue").text = "AAAA"
    signed = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert validate_record_xml(signed) == []
    # anything else in <chukyso> is refused
    foreign = signed.replace(b"</chukyso>", b"<ghichu xmlns='urn:x'>?</ghichu></chukyso>")
    assert validate_record_xml(foreign)


HOSTILE = {
    "external entity": b"""<?xml version="1.0"?>
<!DOCTYPE hocbaso [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<hocbaso xmlns="urn:hocbaso:tieuhoc:1.0" phienbanxsd="1.0"><thongtinhocba>&xxe;</thongtinhocba></hocbaso>""",
    "billion laughs": b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<hocbaso>&lol3;</hocbaso>""",
    "doctype only": b"""<?xml version="1.0"?><!DOCTYPE hocbaso SYSTEM "http://example.invalid/x.dtd"><hocbaso/>""",
    "utf-16 doctype": """<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE hocbaso [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><hocbaso>&xxe;</hocbaso>""".encode("utf-16"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_xml_is_refused(name):
    with pytest.raises(InputFileError) as ei:
        validate_record_xml(HOSTILE[name])
    assert "từ chối" in str(ei.value) or "DOCTYPE" in str(ei.value) or "không phải XML" in str(ei.value)
    with pytest.raises(InputFileError):
        lookup_hex_of(HOSTILE[name])


def test_not_xml_is_refused():
    with pytest.raises(InputFileError):
        validate_record_xml(b"PK\x03\x04 not xml")


def test_record_signed_by_the_signing_module_still_validates(grade5):
    """End to end with the real XAdES signer: two enveloped signatures in <chukyso>, XSD still passes."""
    from hocbaso_desktop.signing.xml_signature import sign_record
    from tests.signing.softca import soft_identity

    xml = build_record_xml(grade5)
    for role, name in (("gvcn", "Đỗ Thị Ngọc Ánh"), ("principal", "Phạm Thị Hằng")):
        ident = soft_identity(name, tag="X")
        xml = sign_record(xml, ident.key, [ident.cert, ident.intermediate], role)
    assert xml.count(b"SignatureValue>") == 4  # two signatures, open + close tags
    assert validate_record_xml(xml) == []
    assert lookup_hex_of(xml) == grade5.lookup_hex


def test_write_record_xml_names_the_file_by_lookup_code(grade1, tmp_path: Path):
    from hocbaso_desktop.exchange.record_xml import write_record_xml

    path = write_record_xml(grade1, tmp_path / "out")
    assert path.name == f"{FIXED_UUID_1.hex}.xml"
    assert path.read_bytes() == build_record_xml(grade1)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind
    with pytest.raises(RecordXmlError):
        write_record_xml(_replace_subject(grade1, "TV", score=0), tmp_path / "bad")
    assert not list((tmp_path / "bad").glob("*.xml")) if (tmp_path / "bad").exists() else True
