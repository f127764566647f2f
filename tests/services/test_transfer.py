"""Transfer between two schools (issue 10): export sealed package → import verified at the other school.

Each school has its own database, CA and trust store (tests/transfer_schools.py); the receiver trusts
the sender's demo CA. The package is built once per module; each test imports into a fresh copy.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hocbaso_desktop.domain.errors import PermissionDenied
from hocbaso_desktop.exchange import transfer_package as pkg
from hocbaso_desktop.services.archive_service import SealWith
from hocbaso_desktop.services.records import find_student, load_record_data
from hocbaso_desktop.services.signing_setup import trust_store_for
from hocbaso_desktop.services.transfer import TransferRefused, export_transfer, import_transfer, verify_package
from hocbaso_desktop.signing import ScriptedPinPrompt, TrustStore, verify_record
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Enrolment, Record, Student
from hocbaso_desktop.storage.transfer_models import LearningHistory, ReceivedRecord, StudentTransfer
from tests.transfer_schools import PIN, RECEIVER_NAME, TwoSchools, copy_db, two_schools

DAY = date(2026, 3, 2)


@pytest.fixture(scope="session")
def schools(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> TwoSchools:
    return two_schools(demo_template)


def seal_for(schools: TwoSchools) -> SealWith:
    schools.token.activate()
    return SealWith(schools.token.provider, ScriptedPinPrompt(lambda: PIN), schools.token.info.label)


@pytest.fixture(scope="module")
def exported(schools: TwoSchools, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("transfer-out")
    db = copy_db(schools.sender, base / "sender.sqlite3")
    out = base / "chuyen-truong.zip"
    with Store.open(db) as store:
        res = export_transfer(store, schools.student_pid, out, "VP01", seal_for(schools),
                              destination=RECEIVER_NAME, on_date=DAY)
    return db, res


@pytest.fixture
def receiver(schools: TwoSchools, tmp_path: Path):
    store = Store.open(copy_db(schools.receiver, tmp_path / "receiver.sqlite3"))
    yield store
    store.close()


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _zip(members: dict[str, bytes], path: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def _counts(store: Store) -> tuple[int, ...]:
    with store.read() as s:
        return tuple(s.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in
                     ("student", "enrolment", "received_record", "learning_history", "student_transfer", "audit_log"))


# ---- export --------------------------------------------------------------------------------------------


def test_export_holds_every_version_paper_copies_and_a_valid_seal(exported, schools: TwoSchools) -> None:
    _db, res = exported
    assert res.records == 2 and res.paper_copies == 2  # v1 (replaced) + v2 (issued)
    m = _members(res.path)
    assert {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt", "seal/tagmanifest-sha256.txt.p7s",
            "seal/chain.pem", pkg.META} <= set(m)
    xmls = sorted(n for n in m if n.startswith("data/records/"))
    assert xmls == ["data/records/2025-2026/v1.xml", "data/records/2025-2026/v2.xml"]
    assert all(m[n.replace("records/2025-2026/", "paper/2025-2026-").replace(".xml", ".pdf")].startswith(b"%PDF") for n in xmls)
    check = verify_package(None, res.path, TrustStore.from_dirs(schools.token.trust_dir))
    assert check.ok, check.lines()
    import json
    meta = json.loads(m[pkg.META])
    assert [r["status"] for r in meta["records"]] == ["replaced", "issued"]
    assert meta["history"][0]["school_year"] == "2025-2026" and meta["history"][0]["class_name"] == "1A"


def test_sender_marks_student_transferred_out_and_keeps_records(exported, schools: TwoSchools) -> None:
    db, res = exported
    with Store.open(db) as store, store.read() as s:
        st = s.execute(select(Student).where(Student.personal_id == schools.student_pid)).scalar_one()
        e = s.execute(select(Enrolment).where(Enrolment.student_id == st.id)).scalar_one()
        assert (e.status, e.left_on) == ("transferred_out", DAY)
        t = s.execute(select(StudentTransfer)).scalar_one()
        assert (t.direction, t.other_school, t.package_sha256) == ("out", RECEIVER_NAME, res.package_sha256)
        recs = s.execute(select(Record).where(Record.student_id == st.id)).scalars().all()
        assert sorted(r.status for r in recs) == ["issued", "replaced"]
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "student.transfer_out")).scalar_one()


def test_export_needs_the_right(schools: TwoSchools, tmp_path: Path) -> None:
    with Store.open(copy_db(schools.sender, tmp_path / "s.sqlite3")) as store:
        with pytest.raises(PermissionDenied):
            export_transfer(store, schools.student_pid, tmp_path / "x.zip", "GV001", seal_for(schools))


# ---- import --------------------------------------------------------------------------------------------


def test_round_trip_creates_student_keeps_signatures_and_enrols(exported, receiver: Store, schools: TwoSchools) -> None:
    _db, res = exported
    before = _counts(receiver)
    got = import_transfer(receiver, res.path, "2A", "VP01", on_date=DAY)
    trust = trust_store_for(receiver)
    assert not got.already and got.created_student and got.records == 2 and got.class_name == "2A"
    with receiver.read() as s:
        st = s.execute(select(Student).where(Student.personal_id == schools.student_pid)).scalar_one()
        assert st.full_name == schools.student_name
        rr = s.execute(select(ReceivedRecord).where(ReceivedRecord.student_id == st.id).order_by(ReceivedRecord.version)).scalars().all()
        assert [(r.version, r.status) for r in rr] == [(1, "replaced"), (2, "issued")]
        for r in rr:  # kept byte-exact: the sender's signatures still verify here
            assert hashlib.sha256(r.signed_xml).hexdigest() == r.sha256
            assert verify_record(r.signed_xml, trust).ok
            assert r.paper_pdf and r.paper_pdf.startswith(b"%PDF")
        e = s.execute(select(Enrolment).where(Enrolment.student_id == st.id)).scalar_one()
        assert (e.status, e.joined_on) == ("active", DAY)
        assert len(s.execute(select(LearningHistory).where(LearningHistory.student_id == st.id)).all()) == 1
    after = _counts(receiver)
    assert after[:5] == (before[0] + 1, before[1] + 1, before[2] + 2, before[3] + 1, before[4] + 1)
    # The learning history of the new record: the old school's line, then this school's, with the transfer date.
    data = load_record_data(receiver, find_student(receiver, schools.student_pid).enrolment_id)
    assert [(h.school_name != RECEIVER_NAME, h.class_name) for h in data.history] == [(True, "1A"), (False, "2A")]
    assert data.history[1].transfer_in_date == DAY


def test_reimport_changes_nothing(exported, receiver: Store) -> None:
    _db, res = exported
    import_transfer(receiver, res.path, "2A", "VP01", on_date=DAY)
    before = _counts(receiver)
    again = import_transfer(receiver, res.path, "2B", "VP01")
    assert again.already
    assert _counts(receiver) == before


def test_received_records_are_immutable(exported, receiver: Store) -> None:
    _db, res = exported
    import_transfer(receiver, res.path, "2A", "VP01")
    for sql in ("UPDATE received_record SET status = 'issued'", "DELETE FROM received_record",
                "UPDATE learning_history SET class_name = 'X'", "DELETE FROM student_transfer"):
        with pytest.raises(Exception, match="immutable|never deleted"):
            receiver.execute_raw(sql)


def test_untrusted_sender_is_refused(exported, schools: TwoSchools, tmp_path: Path) -> None:
    _db, res = exported
    with Store.open(copy_db(schools.receiver_untrusting, tmp_path / "r.sqlite3")) as store:
        before = _counts(store)
        with pytest.raises(TransferRefused) as e:
            import_transfer(store, res.path, "2A", "VP01")
        assert _counts(store) == before
    text_ = e.value.message
    assert "Niêm phong: KHÔNG HỢP LỆ" in text_ and "chữ ký số không hợp lệ" in text_


def _refused(receiver: Store, path: Path) -> str:
    before = _counts(receiver)
    with pytest.raises((TransferRefused, pkg.PackageRefused)) as e:
        import_transfer(receiver, path, "2A", "VP01")
    assert _counts(receiver) == before
    return e.value.message


def test_flipped_byte_in_a_record_is_refused_and_named(exported, receiver: Store, tmp_path: Path) -> None:
    m = _members(exported[1].path)
    name = "data/records/2025-2026/v2.xml"
    i = m[name].index(b"<hovaten>") + len(b"<hovaten>")
    m[name] = m[name][:i] + bytes([m[name][i] ^ 0x01]) + m[name][i + 1:]
    msg = _refused(receiver, _zip(m, tmp_path / "t.zip"))
    assert f"{name} đã bị thay đổi" in msg and f"{name} — Năm học 2025-2026, phiên bản 2" in msg


def test_flipped_byte_in_the_manifest_is_refused(exported, receiver: Store, tmp_path: Path) -> None:
    m = _members(exported[1].path)
    b = bytearray(m["manifest-sha256.txt"])
    b[3] = ord("0") if b[3] != ord("0") else ord("1")
    m["manifest-sha256.txt"] = bytes(b)
    msg = _refused(receiver, _zip(m, tmp_path / "t.zip"))
    assert "manifest-sha256.txt đã bị thay đổi" in msg


def test_rehashed_manifests_do_not_fool_the_seal(exported, receiver: Store, tmp_path: Path) -> None:
    from hocbaso_desktop.exchange.archive.bagit_format import format_manifest

    m = _members(exported[1].path)
    m[pkg.META] = m[pkg.META].replace(b'"1A"', b'"9Z"')
    payload = {n: b for n, b in m.items() if n.startswith("data/")}
    m["manifest-sha256.txt"] = format_manifest((n, hashlib.sha256(b).hexdigest()) for n, b in payload.items())
    m["tagmanifest-sha256.txt"] = format_manifest((t, hashlib.sha256(m[t]).hexdigest())
                                                  for t in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt"))
    msg = _refused(receiver, _zip(m, tmp_path / "t.zip"))
    assert "tagmanifest-sha256.txt đã bị thay đổi sau khi niêm phong" in msg


def test_swapped_seal_is_refused(exported, schools: TwoSchools, receiver: Store, tmp_path: Path) -> None:
    # A genuine seal of the same school, but over another package (another student's).
    with Store.open(copy_db(schools.sender, tmp_path / "s2.sqlite3")) as store, store.read() as s:
        other = s.execute(text("SELECT personal_id FROM student WHERE personal_id <> :p LIMIT 1"),
                          {"p": schools.student_pid}).scalar()
    with Store.open(tmp_path / "s2.sqlite3") as store:
        res2 = export_transfer(store, other, tmp_path / "other.zip", "VP01", seal_for(schools))
    m, m2 = _members(exported[1].path), _members(res2.path)
    m["seal/tagmanifest-sha256.txt.p7s"] = m2["seal/tagmanifest-sha256.txt.p7s"]
    msg = _refused(receiver, _zip(m, tmp_path / "t.zip"))
    assert "Niêm phong: KHÔNG HỢP LỆ" in msg and "đã bị thay đổi sau khi niêm phong" in msg


def test_missing_seal_is_refused(exported, receiver: Store, tmp_path: Path) -> None:
    m = _members(exported[1].path)
    del m["seal/tagmanifest-sha256.txt.p7s"]
    assert "không có niêm phong" in _refused(receiver, _zip(m, tmp_path / "t.zip"))


@pytest.mark.parametrize("evil", ["../evil.txt", "/etc/passwd", "data/../../x", "C:/x.txt", "data/a\\..\\b"])
def test_zip_slip_names_are_refused(exported, receiver: Store, tmp_path: Path, evil: str) -> None:
    m = _members(exported[1].path)
    m[evil] = b"x"
    assert "đường dẫn nguy hiểm" in _refused(receiver, _zip(m, tmp_path / "t.zip"))


def test_zip_bomb_and_garbage_are_refused(receiver: Store, tmp_path: Path) -> None:
    bomb = _zip({"data/hocba.json": b"\0" * (pkg.MAX_MEMBER_BYTES + 10)}, tmp_path / "bomb.zip")
    assert "quá lớn" in _refused(receiver, bomb)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip" * 10)
    assert "không phải tệp nén .zip hợp lệ" in _refused(receiver, junk)


def test_doctype_in_a_record_is_refused(exported, receiver: Store, tmp_path: Path) -> None:
    m = _members(exported[1].path)
    name = "data/records/2025-2026/v1.xml"
    m[name] = m[name].replace(b"<hocbaso", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><hocbaso', 1)
    msg = _refused(receiver, _zip(m, tmp_path / "t.zip"))
    assert "DOCTYPE" in msg and name in msg


def test_import_needs_the_right(exported, receiver: Store) -> None:
    with pytest.raises(PermissionDenied):
        import_transfer(receiver, exported[1].path, "2A", "GV001")


def test_record_signed_in_every_role_by_one_teacher_is_refused(exported, schools: TwoSchools) -> None:
    """Issue 15: a record of the package re-signed as GVCN, principal and seal with one teacher's own
    (trusted) certificate. Each signature is sound; the signature policy refuses it, naming the rule."""
    from lxml import etree

    from hocbaso_desktop.signing import sign_record
    from hocbaso_desktop.signing.record_shape import NS

    m = _members(exported[1].path)
    check = pkg.PackageCheck("test", members=m)
    check.meta = pkg.parse_meta(m[pkg.META], check)
    r = check.meta["records"][0]
    root = etree.fromstring(m[r["path"]])
    for sig in list(root.find(f"{{{NS}}}chukyso")):
        root.find(f"{{{NS}}}chukyso").remove(sig)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    schools.token.activate()
    with schools.token.provider.open_session(schools.token.info.label, prompt=ScriptedPinPrompt(lambda: PIN)) as s:
        teacher = next(c for c in s.signing_certificates() if c.label.startswith("GV001 "))
        for role in ("gvcn", "principal", "seal"):
            xml = sign_record(xml, s.signing_key(teacher), s.chain_for(teacher.certificate()), role)
    m[r["path"]] = xml
    r["sha256"] = hashlib.sha256(xml).hexdigest()
    trust = TrustStore.from_dirs(schools.token.trust_dir)
    assert verify_record(xml, trust).ok  # sound signatures, each on its own
    pkg.check_records(check, trust)
    assert any("chữ ký Hiệu trưởng không phải của người ghi trong học bạ" in p for p in check.problems), check.problems
    assert any("con dấu không phải chứng thư tổ chức của trường" in p for p in check.problems)


# ---- issue 15: the seal is the school's, the pupil is the signed record's ---------------------------


def _resealed(m: dict[str, bytes], schools: TwoSchools, label_prefix: str, path: Path) -> Path:
    """Rehash the manifests and reseal with the token certificate whose label starts with `label_prefix`."""
    from hocbaso_desktop.exchange.archive.bagit_format import format_manifest
    from hocbaso_desktop.exchange.archive.seal import create_seal

    payload = {n: b for n, b in m.items() if n.startswith("data/")}
    m["manifest-sha256.txt"] = format_manifest((n, hashlib.sha256(b).hexdigest()) for n, b in sorted(payload.items()))
    m["tagmanifest-sha256.txt"] = format_manifest((t, hashlib.sha256(m[t]).hexdigest())
                                                  for t in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt"))
    schools.token.activate()
    with schools.token.provider.open_session(schools.token.info.label, prompt=ScriptedPinPrompt(lambda: PIN)) as s:
        cert = next(c for c in s.signing_certificates() if c.label.startswith(label_prefix))
        der, pem = create_seal(m["tagmanifest-sha256.txt"], s.signing_key(cert), s.chain_for(cert.certificate()))
    m["seal/tagmanifest-sha256.txt.p7s"], m["seal/chain.pem"] = der, pem
    return _zip(m, path)


def _seal_label(schools: TwoSchools) -> str:
    ident = next(i for i in schools.token.info.identities if i.kind == "seal")
    return f"{ident.staff_code} "


def _with_student(m: dict[str, bytes], **changes: str) -> dict[str, bytes]:
    import json

    meta = json.loads(m[pkg.META])
    meta["student"].update(changes)
    m[pkg.META] = json.dumps(meta, ensure_ascii=False).encode("utf-8")
    return m


def test_package_resealed_by_a_teacher_is_refused(exported, schools: TwoSchools, receiver: Store, tmp_path: Path) -> None:
    m = _with_student(_members(exported[1].path), full_name="Tên Giả Mạo")
    path = _resealed(m, schools, "GV001 ", tmp_path / "t.zip")
    check = verify_package(None, path, TrustStore.from_dirs(schools.token.trust_dir))
    assert check.seal is not None and check.seal.ok  # the teacher's certificate is valid and trusted...
    msg = _refused(receiver, path)  # ...but it is not the school's seal
    assert "BỊ TỪ CHỐI" in msg and "con dấu không phải chứng thư tổ chức của trường" in msg
    with receiver.read() as s:
        assert s.execute(select(Student).where(Student.full_name == "Tên Giả Mạo")).first() is None


def test_pupil_identity_in_json_must_match_the_signed_record(exported, schools: TwoSchools, receiver: Store, tmp_path: Path) -> None:
    m = _with_student(_members(exported[1].path), full_name="Tên Giả Mạo")
    path = _resealed(m, schools, _seal_label(schools), tmp_path / "t.zip")  # even under the school's own seal
    msg = _refused(receiver, path)
    assert "họ tên «Tên Giả Mạo» khác với học bạ đã ký" in msg


def test_new_pupil_details_come_from_the_signed_record(exported, schools: TwoSchools, receiver: Store, tmp_path: Path) -> None:
    m = _with_student(_members(exported[1].path), address="Địa chỉ giả", father_name="Cha Giả", sex="Nữ")
    path = _resealed(m, schools, _seal_label(schools), tmp_path / "t.zip")
    import_transfer(receiver, path, "2A", "VP01", on_date=DAY)
    with Store.open(exported[0]) as sender, sender.read() as s:
        real = s.execute(select(Student).where(Student.personal_id == schools.student_pid)).scalar_one()
        want = (real.full_name, real.birth_date, real.sex, real.address, real.father_name)
    with receiver.read() as s:
        st = s.execute(select(Student).where(Student.personal_id == schools.student_pid)).scalar_one()
        assert (st.full_name, st.birth_date, st.sex, st.address, st.father_name) == want
        assert "Địa chỉ giả" != st.address and st.father_name != "Cha Giả"


def test_export_refuses_a_seal_not_registered_to_the_school(schools: TwoSchools, tmp_path: Path) -> None:
    from hocbaso_desktop.services.certificates import CertificateNotRegistered

    db = copy_db(schools.sender, tmp_path / "sender.sqlite3")
    with Store.open(db) as store:
        with store.engine.begin() as c:  # the seal's fingerprint registered to a teacher instead (test setup)
            for (name,) in c.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='staff_certificate'").all():
                c.exec_driver_sql(f'DROP TRIGGER "{name}"')
            c.execute(text("UPDATE staff_certificate SET seal = 0, staff_id = (SELECT id FROM staff WHERE code = 'GV001') "
                           "WHERE seal = 1"))
        with pytest.raises(CertificateNotRegistered, match="không phải con dấu nhà trường"):
            export_transfer(store, schools.student_pid, tmp_path / "out.zip", "VP01", seal_for(schools),
                            destination=RECEIVER_NAME, on_date=DAY)
    assert not (tmp_path / "out.zip").exists()
