"""Archive verify against an insider (issue 15): the records inside must pass the signature policy,
the seal must be the school's organisation certificate, the embedded database must list exactly the
records held, and the audit log must match its seal-signed heads.

`_reseal` rebuilds the manifests, bag-info and seal after a change, with any identity of the shared
token: a teacher (her valid personal certificate) or the school seal itself (standing for an export
of a database the insider rewrote beforehand).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from lxml import etree

from hocbaso_desktop.exchange.archive import layout
from hocbaso_desktop.exchange.archive.audit_chain import (
    GENESIS,
    HEAD_ACTION,
    ISSUE_ACTION,
    SEALED_ACTIONS,
    audit_line,
    entry_hash,
    head_message,
)
from hocbaso_desktop.exchange.archive.bagit_format import (
    BAG_INFO,
    MANIFEST,
    SEAL_CHAIN,
    SEAL_FILE,
    TAG_FILES,
    TAGMANIFEST,
    format_bag_info,
    format_manifest,
    parse_bag_info,
    payload_oxum,
)
from hocbaso_desktop.exchange.archive.seal import create_seal
from hocbaso_desktop.exchange.archive.verify import verify_archive
from hocbaso_desktop.services import audit_heads
from hocbaso_desktop.signing import ScriptedPinPrompt
from tests.school_token import PIN, SchoolToken

from .school import _sign_xml

DS = "http://www.w3.org/2000/09/xmldsig#"
SEAL_WORDS = "con dấu không phải chứng thư tổ chức của trường"


def _teacher(token: SchoolToken) -> str:
    return next(i.staff_code for i in token.info.identities if i.kind == "person" and i.staff_code not in ("HT", "VP01"))


def _seal_code(token: SchoolToken) -> str:
    return next(i.staff_code for i in token.info.identities if i.kind == "seal")


def _reseal(bag: Path, token: SchoolToken, code: str) -> None:
    data = sorted(p for p in (bag / "data").rglob("*") if p.is_file())
    rel = [(p.relative_to(bag).as_posix(), p) for p in data]
    (bag / MANIFEST).write_bytes(format_manifest((r, hashlib.sha256(p.read_bytes()).hexdigest()) for r, p in rel))
    info = parse_bag_info((bag / BAG_INFO).read_bytes())
    head = (bag / layout.AUDIT_HEAD).read_text(encoding="utf-8").strip()
    fixed = {"Payload-Oxum": payload_oxum(p.stat().st_size for _r, p in rel), layout.AUDIT_CHAIN_HEAD: head}
    (bag / BAG_INFO).write_bytes(format_bag_info([(k, fixed.get(k, v)) for k, v in info]))
    (bag / TAGMANIFEST).write_bytes(format_manifest((t, hashlib.sha256((bag / t).read_bytes()).hexdigest()) for t in TAG_FILES))
    ident = next(i for i in token.info.identities if i.staff_code == code)
    token.activate()
    with token.provider.open_session(token.info.label, prompt=ScriptedPinPrompt(lambda: PIN)) as s:
        cert = next(c for c in s.signing_certificates() if c.cert_id == ident.cert_id)
        der, pem = create_seal((bag / TAGMANIFEST).read_bytes(), s.signing_key(cert), s.chain_for(cert.certificate()))
    (bag / SEAL_FILE).write_bytes(der)
    (bag / SEAL_CHAIN).write_bytes(pem)


def _refused(bag: Path, trust, needle: str) -> list[str]:
    report = verify_archive(bag, trust)
    assert not report.ok, report.lines()
    assert report.lines()[-1].startswith("KẾT LUẬN: KHÔNG ĐẠT")
    assert any(needle in p for p in report.problems), report.problems
    return report.problems


def _record_xml(bag: Path) -> Path:
    return sorted((bag / layout.RECORDS_DIR).rglob("*_v1.xml"))[-1]


def _audit(bag: Path) -> list[dict]:
    return [json.loads(x) for x in (bag / layout.AUDIT_LOG).read_text(encoding="utf-8").splitlines() if x.strip()]


def _write_audit(bag: Path, entries: list[dict], renumber: bool = False) -> None:
    """Recompute the chain end to end, as an insider with the file can (no seal key needed)."""
    prev, lines = GENESIS, []
    for n, e in enumerate(entries, start=1):
        e = dict(e, seq=n if renumber else e["seq"], prev_hash=prev)
        e["hash"] = prev = entry_hash(prev, e["seq"], *(str(e[k]) for k in ("at", "actor", "action", "entity", "entity_id", "changes")))
        lines.append(audit_line(e))
    (bag / layout.AUDIT_LOG).write_text("".join(lines), encoding="utf-8")
    (bag / layout.AUDIT_HEAD).write_text(f"{entries and e['seq']} {prev}\n", encoding="ascii")


# ---- honest -----------------------------------------------------------------------------------------


def test_honest_archive_passes_policy_heads_and_database(bag: Path, trust, token: SchoolToken) -> None:
    report = verify_archive(bag, trust)
    assert report.ok, report.lines()
    assert report.records_ok == report.records_total == 9
    kinds = [e["action"] for e in _audit(bag)]
    assert HEAD_ACTION in kinds and ISSUE_ACTION in kinds  # the signed heads travel inside the archive
    # resealing an untouched archive with the school's own seal still verifies: the rule is about who
    _reseal(bag, token, _seal_code(token))
    assert verify_archive(bag, trust).ok


def test_signed_head_format_is_the_services_one() -> None:
    assert (HEAD_ACTION, ISSUE_ACTION) == (audit_heads.HEAD_ACTION, audit_heads.ISSUE_ACTION)
    assert head_message(7, "ab" * 32) == audit_heads.head_message(7, "ab" * 32)
    assert set(getattr(audit_heads, "SEALED_ACTIONS", (ISSUE_ACTION,))) <= set(SEALED_ACTIONS)


# ---- the records inside: the signature policy ---------------------------------------------------------


def test_record_with_gvcn_and_principal_signatures_stripped_is_refused(bag: Path, trust, token: SchoolToken) -> None:
    target = _record_xml(bag)
    root = etree.fromstring(target.read_bytes())
    sigs = [s for s in root.iter(f"{{{DS}}}Signature") if s.getparent().tag != f"{{{DS}}}Signature"]
    assert len(sigs) == 3
    for s in sigs[:2]:
        s.getparent().remove(s)
    target.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    _reseal(bag, token, _seal_code(token))
    problems = _refused(bag, trust, "chữ ký bị gỡ")
    assert any(target.name in p and "thiếu chữ ký của GVCN" in p for p in problems), problems


def test_record_resigned_by_a_teacher_is_refused(bag: Path, trust, token: SchoolToken) -> None:
    target = _record_xml(bag)
    root = etree.fromstring(target.read_bytes())
    for s in [s for s in root.iter(f"{{{DS}}}Signature") if s.getparent().tag != f"{{{DS}}}Signature"]:
        s.getparent().remove(s)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    teacher = _teacher(token)
    for role in ("gvcn", "principal", "seal"):
        xml = _sign_xml(token, xml, teacher, role)
    target.write_bytes(xml)
    _reseal(bag, token, _seal_code(token))
    problems = _refused(bag, trust, "không phải của người ghi trong học bạ")
    assert any(target.name in p and SEAL_WORDS in p for p in problems), problems


# ---- the archive's seal: the school's organisation certificate only --------------------------------


def test_audit_cut_and_resealed_by_a_teacher_is_refused(bag: Path, trust, token: SchoolToken) -> None:
    _write_audit(bag, _audit(bag)[:-3])
    _reseal(bag, token, _teacher(token))
    problems = _refused(bag, trust, "niêm phong không hợp lệ: " + SEAL_WORDS)
    assert verify_archive(bag, trust).seal.ok  # the teacher's certificate itself is valid and trusted
    assert len(problems) == 1, problems


def test_record_removed_and_resealed_by_a_teacher_is_refused(bag: Path, trust, token: SchoolToken) -> None:
    target = _record_xml(bag)
    rel = target.relative_to(bag).as_posix()
    target.unlink()
    index = json.loads((bag / layout.INDEX).read_text(encoding="utf-8"))
    for c in index["classes"]:
        for st in c["students"]:
            st["records"] = [r for r in st["records"] if r["xml"] != rel]
    (bag / layout.INDEX).write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    _reseal(bag, token, _teacher(token))
    _refused(bag, trust, SEAL_WORDS)
    # even resealed with the school's seal, the embedded database still lists the record
    _reseal(bag, token, _seal_code(token))
    _refused(bag, trust, "học bạ đã ký không có trong kho")


def test_database_edited_and_resealed_by_a_teacher_is_refused(bag: Path, trust, token: SchoolToken) -> None:
    db = bag / layout.DB_SNAPSHOT
    with sqlite3.connect(db) as con:
        con.execute("DROP TRIGGER IF EXISTS student_frozen_update")  # an insider's copy: triggers are no obstacle
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            con.execute(f'DROP TRIGGER "{name}"')
        con.execute("UPDATE student SET full_name = 'Tên Giả Mạo'")
    con.close()
    _reseal(bag, token, _teacher(token))
    _refused(bag, trust, SEAL_WORDS)


def test_record_missing_from_database_is_refused(bag: Path, trust, token: SchoolToken) -> None:
    """A record the database does not list (planted, or its row deleted) is refused too."""
    db = bag / layout.DB_SNAPSHOT
    with sqlite3.connect(db) as con:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            con.execute(f'DROP TRIGGER "{name}"')
        con.execute("UPDATE record SET status = 'draft' WHERE id = (SELECT max(id) FROM record WHERE status = 'issued')")
    con.close()
    _reseal(bag, token, _seal_code(token))
    _refused(bag, trust, "không có trong cơ sở dữ liệu kèm theo")


# ---- the audit chain against its seal-signed heads --------------------------------------------------


def test_audit_chain_recomputed_end_to_end_is_refused(bag: Path, trust, token: SchoolToken) -> None:
    entries = _audit(bag)
    first_issue = next(i for i, e in enumerate(entries) if e["action"] == ISSUE_ACTION)
    entries[first_issue - 1]["changes"] = entries[first_issue - 1]["changes"].replace('"', "'", 2) + " "
    _write_audit(bag, entries)
    _reseal(bag, token, _seal_code(token))  # even an honest seal over the rewritten log
    _refused(bag, trust, "nhật ký đã bị viết lại")


def test_signed_heads_deleted_and_chain_recomputed_is_refused(bag: Path, trust, token: SchoolToken) -> None:
    _write_audit(bag, [e for e in _audit(bag) if e["action"] != HEAD_ACTION], renumber=True)
    _reseal(bag, token, _seal_code(token))
    _refused(bag, trust, "không có đầu chuỗi nào ký bằng con dấu nhà trường")


# ---- sealing: only the certificate registered as the school's seal ----------------------------------


def test_export_refuses_a_seal_certificate_not_registered_to_the_school(school_store, token: SchoolToken, tmp_path: Path) -> None:
    """The seal certificate on the token is registered (fingerprint) to a teacher, not as the seal:
    refused, not warned about — nothing reaches the medium, the failure is audited."""
    import pytest
    from sqlalchemy import text

    from hocbaso_desktop.services.archive_service import export_archive
    from hocbaso_desktop.services.certificates import CertificateNotRegistered
    from hocbaso_desktop.storage.models import AuditEntry

    from .conftest import seal_with
    from .school import YEAR

    teacher = _teacher(token)
    with school_store.engine.begin() as c:  # rewrite the registration behind the program's back (test setup)
        for (name,) in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='staff_certificate'").all():
            c.exec_driver_sql(f'DROP TRIGGER "{name}"')
        c.execute(text("UPDATE staff_certificate SET seal = 0, staff_id = (SELECT id FROM staff WHERE code = :t) WHERE seal = 1"),
                  {"t": teacher})
    usb = tmp_path / "usb"
    usb.mkdir()
    with pytest.raises(CertificateNotRegistered, match="không phải con dấu nhà trường"):
        export_archive(school_store, YEAR, usb, "VP01", partial=True, seal=seal_with(token))
    assert list(usb.iterdir()) == []
    with school_store.read() as s:
        last = s.query(AuditEntry.action).order_by(AuditEntry.id.desc()).first()
    assert last[0] == "archive.export.failed"
