"""The record XML against the national field dictionary (issue 16): layout 2.0 writes every
mandatory national field, within its length, with the national codes, for every pupil of the demo
school and of a school set up from nothing; our own fields sit apart in <morong>; records issued in
layout 1.0 still validate and read back; bad school or pupil data is refused naming the field."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import Workbook

from hocbaso_desktop.cli import main
from hocbaso_desktop.domain.roles import ADMIN
from hocbaso_desktop.exchange import national
from hocbaso_desktop.exchange.record_xml import NS, RecordXmlError, build_record_xml, validate_record_xml
from hocbaso_desktop.exchange.record_xml_read import parse_record_xml
from hocbaso_desktop.services import accounts
from hocbaso_desktop.services.records import load_record_data
from hocbaso_desktop.storage.engine import Store

from .records import make_record

DATA = Path(__file__).parent / "data"

# The dictionary's mandatory fields of thongtinsohocbasotieuhoc and their maximum lengths (records.md).
MANDATORY: dict[str, int] = {
    "trangthaithongtinhocba": 30, "trichluc": 1, "phienbanthongtinhocba": 10, "thongtu": 10,
    "madinhdanhhocba": 36, "namhoc": 9, "masogd": 2, "tensogd": 150, "matruong": 20, "tentruong": 150,
    "thongtintruong_diachi_tentinh": 150, "thongtintruong_diachi_matinh": 2, "macaphoc": 2, "makhoi": 2,
    "tenlop": 10, "hovaten": 150, "sodinhdanh": 12, "gioitinh": 1, "ngaythangnamsinh": 10, "dantoc": 3,
    "quoctich": 2, "cokhuyettatkhongdanhgia": 1, "nghicophep": 4, "nghikhongphep": 4,
    "dahthanhctrinhlophoc": 1, "dahthanhctrinhtieuhoc": 1,
}
OPTIONAL_LENGTHS: dict[str, int] = {
    "mahocsinh": 20, "thongtintruong_diachi_tenxa": 150, "thongtintruong_diachi_maxa": 5, "hotencha": 150,
    "hotenme": 150, "hotennguoigiamho": 150, "xeploai": 50, "ndungkhenthuong": 2000, "ndungkhenthuongdotxuat": 2000,
    "ndunghoanthanh": 2000, "nxetgvcn": 2000, "tengvcn": 150, "soddcngvcn": 12, "tengiamhieu": 150,
    "soddcngiamhieu": 12, "chucvugiamhieu": 150, "diadanhphathanh": 150, "nxetphamchat": 500,
    "nxetnanglucchung": 500, "nxetnanglucdacthu": 500,
}
BOOLEANS = ("trichluc", "cokhuyettatkhongdanhgia", "dahthanhctrinhlophoc", "dahthanhctrinhtieuhoc", "duoclenlop")


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def national_problems(xml: bytes) -> list[str]:
    """What a strict national receiver would refuse in one record's content (beside the XSD)."""
    c = etree.fromstring(xml).find(q("thongtinhocba"))
    out = []
    for name, limit in MANDATORY.items():
        value = c.findtext(q(name))
        if not value:
            out.append(f"thiếu {name}")
        elif len(value) > limit:
            out.append(f"{name} dài {len(value)} > {limit}")
    for name, limit in OPTIONAL_LENGTHS.items():
        value = c.findtext(q(name))
        if value is not None and len(value) > limit:
            out.append(f"{name} dài {len(value)} > {limit}")
    for name in BOOLEANS:
        value = c.findtext(q(name))
        if value is not None and value not in ("0", "1"):
            out.append(f"{name} = {value!r} (phải 0/1)")
    if c.findtext(q("gioitinh")) not in ("0", "1", "2"):
        out.append("gioitinh")
    for m in c.findall(f"{q('dsbangdiem')}/{q('monhoc')}"):
        code, name = m.findtext(q("mamonhoc")) or "", m.findtext(q("tenmonhoc")) or ""
        if not code or len(code) > 3 or len(name) > 50:
            out.append(f"môn {code!r}/{name!r}")
        for child in m:
            if etree.QName(child).localname not in ("mamonhoc", "tenmonhoc", "mucdatduoc", "diemkiemtradinhky"):
                out.append(f"môn {code}: trường lạ {etree.QName(child).localname}")
    # nothing of ours outside <morong>: only dictionary names at the top level
    ours = {"matracuu", "chieucao", "cannang", "songaynghicophep", "songaynghikhongphep", "ngayhieuluc", "nhanxet"}
    out += [f"trường riêng {etree.QName(el).localname} ngoài morong" for el in c if etree.QName(el).localname in ours]
    return out


def _all_records(store: Store) -> list[bytes]:
    with store.read() as s:
        ids = [r[0] for r in s.execute(__import__("sqlalchemy").text("SELECT id FROM enrolment ORDER BY id"))]
    return [build_record_xml(load_record_data(store, i)) for i in ids]


def test_every_demo_record_has_every_mandatory_national_field(demo_store: Store) -> None:
    records = _all_records(demo_store)
    assert len(records) > 300
    for xml in records:
        assert validate_record_xml(xml) == []
        assert national_problems(xml) == [], xml[:400]
        c = etree.fromstring(xml).find(q("thongtinhocba"))
        assert c.findtext(q("mahocsinh"))  # the demo's pupils carry the sector's student code
        assert (c.findtext(q("masogd")), c.findtext(q("thongtintruong_diachi_matinh"))) == ("31", "31")  # Hải Phòng
        assert c.findtext(q("quoctich")) == "VN"


def _school_from_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, province: str) -> Path:
    db = tmp_path / "moi.sqlite3"
    pw = "quản trị 2026 thử!"
    with Store.open(db) as store:
        accounts.create_first_admin(store, "QT01", "Nguyễn Quản Trị", pw, ADMIN)
    monkeypatch.setenv("HOCBASO_PASSWORD", pw)
    assert main(["--db", str(db), "school", "set", "--name", "Trường Tiểu học Kim Đồng", "--moet-code", "19000123",
                 "--province", province, "--commune", "Phường Phan Đình Phùng", "--as", "QT01"]) == 0
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp", "Quốc tịch"])
    ws.append([1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", "019219012345", "Kinh", "1A", "Việt Nam"])
    ws.append([2, "Hoàng Thị Bình", date(2019, 7, 1), "Nữ", "019319054321", "Tày", "1A", "Việt Nam"])
    wb.save(tmp_path / "ds.xlsx")
    assert main(["--db", str(db), "import-classes", str(tmp_path / "ds.xlsx"), "--as", "QT01"]) == 0
    return db


def test_a_school_from_nothing_writes_the_national_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _school_from_nothing(tmp_path, monkeypatch, "Tỉnh Bắc Kạn")  # a pre-merger name: now Thái Nguyên
    with Store.open(db) as store:
        records = _all_records(store)
    assert len(records) == 2
    for xml in records:
        assert validate_record_xml(xml) == [] and national_problems(xml) == []
        c = etree.fromstring(xml).find(q("thongtinhocba"))
        assert (c.findtext(q("masogd")), c.findtext(q("thongtintruong_diachi_tentinh"))) == ("19", "Thái Nguyên")
        assert c.findtext(q("tensogd")) == "Sở Giáo dục và Đào tạo Thái Nguyên"
        assert c.findtext(q("macaphoc")) == national.codes().level_code


def test_a_school_whose_province_is_unknown_is_told_which_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    db = _school_from_nothing(tmp_path, monkeypatch, "Hải Phòng")
    # the school form refuses a province the list does not know, naming the field
    assert main(["--db", str(db), "school", "set", "--province", "Tỉnh Không Có", "--as", "QT01"]) == 1
    assert "Tỉnh/Thành phố" in capsys.readouterr().err
    # and a record whose school row was edited in the file behind the program's back says which field
    import sqlite3

    con = sqlite3.connect(db)
    con.execute("UPDATE school SET province = 'Tỉnh Không Có'")
    con.commit()
    con.close()
    with Store.open(db) as store, pytest.raises(RecordXmlError) as ei:
        _all_records(store)
    assert ei.value.field == "thongtintruong_diachi_matinh" and "Tỉnh Không Có" in str(ei.value)


def test_codes_sessions_and_the_extension() -> None:
    rec = make_record(1)
    rec = dataclasses.replace(rec, days_absent_excused=3, days_absent_unexcused=1,
                              student=dataclasses.replace(rec.student, sex="", nationality="Lào"))
    xml = build_record_xml(rec)
    c = etree.fromstring(xml).find(q("thongtinhocba"))
    per_day = national.codes().sessions_per_day
    assert (c.findtext(q("nghicophep")), c.findtext(q("nghikhongphep"))) == (str(3 * per_day), str(per_day))
    assert c.findtext(q("gioitinh")) == "0" and c.findtext(q("quoctich")) == "LA"
    ext = c.find(q("morong"))
    assert etree.QName(c[-1]).localname == "morong"  # last: a strict receiver drops one element
    assert (ext.findtext(q("songaynghicophep")), ext.findtext(q("matracuu"))) == ("3", rec.lookup_hex)
    commented = [s for s in rec.subjects if s.comment]
    assert commented and len(ext.findall(q("nhanxetmon"))) == len(commented)
    back = parse_record_xml(xml)
    assert (back.days_absent_excused, back.days_absent_unexcused, back.student.sex, back.student.nationality) == \
        (3, 1, "", "Lào")
    assert [s.comment for s in back.subjects] == [s.comment for s in rec.subjects]


def test_an_unknown_nationality_is_refused_naming_the_field() -> None:
    rec = make_record(1)
    bad = dataclasses.replace(rec, student=dataclasses.replace(rec.student, nationality="Xứ Sở Thần Tiên"))
    with pytest.raises(RecordXmlError) as ei:
        build_record_xml(bad)
    assert ei.value.field == "quoctich" and "Xứ Sở Thần Tiên" in str(ei.value)


@pytest.mark.parametrize("grade", [1, 5])
def test_layout_1_0_records_stay_valid_and_readable(grade: int) -> None:
    xml = (DATA / f"record-layout-1.0-grade{grade}.xml").read_bytes()
    assert b'phienbanxsd="1.0"' in xml
    assert validate_record_xml(xml) == []
    assert parse_record_xml(xml) == make_record(grade)


def test_edited_layout_is_refused() -> None:
    xml = build_record_xml(make_record(1))
    assert any("phiên bản lược đồ «9.9»" in p for p in validate_record_xml(xml.replace(b'phienbanxsd="2.0"', b'phienbanxsd="9.9"')))
    long_code = xml.replace(b"<mamonhoc>TOA</mamonhoc>", b"<mamonhoc>TOAN</mamonhoc>")
    assert any("mamonhoc" in p for p in validate_record_xml(long_code))
    true_flag = xml.replace(b"<trichluc>0</trichluc>", b"<trichluc>true</trichluc>")
    assert any("trichluc" in p for p in validate_record_xml(true_flag))


def test_a_school_without_its_sector_code_is_told_where_to_enter_it() -> None:
    rec = make_record(1)
    with pytest.raises(RecordXmlError) as ei:
        build_record_xml(dataclasses.replace(rec, school=dataclasses.replace(rec.school, moet_code="")))
    assert ei.value.field == "matruong" and "mã trường" in str(ei.value)
