"""Signatures on record XML: order, independence, tampering, wrapping, trust, time, xmlsec1."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from hocbaso_desktop.signing.errors import CertificateUnusable, ContentChangedSinceSigned, RecordStructureError
from hocbaso_desktop.signing.record_shape import DS_NS, NS
from hocbaso_desktop.signing.trust import TrustStore
from hocbaso_desktop.signing.xml_signature import sign_record, verify_record
from tests.tools import requires

from .conftest import CONTENT_ID, record_xml
from .softca import soft_identity

DS = f"{{{DS_NS}}}"
H = f"{{{NS}}}"


def _signatures(xml: bytes) -> list[etree._Element]:
    return etree.fromstring(xml).findall(f"{H}chukyso/{DS}Signature")


def _keep_only(xml: bytes, keep: list[int]) -> bytes:
    root = etree.fromstring(xml)
    parent = root.find(f"{H}chukyso")
    for i, sig in enumerate(list(parent)):
        if i not in keep:
            parent.remove(sig)
    return etree.tostring(root)


def test_three_signatures_in_order_all_valid(fully_signed, trust):
    report = verify_record(fully_signed, trust)
    assert report.ok, report.lines()
    assert [s.role for s in report.signatures] == ["gvcn", "principal", "seal"]
    assert [s.signer for s in report.signatures] == ["Nguyễn Thị Hồng Nhung", "Trần Văn Bình", "Trường Tiểu học Thử nghiệm"]
    for s in report.signatures:
        assert s.intact and s.cert_valid and s.trusted and s.demo
        assert s.signing_time is not None and abs(s.signing_time - datetime.now(timezone.utc)) < timedelta(minutes=5)
        assert s.checked_at == s.signing_time
    assert report.demo and "chứng thư thử nghiệm (demo)" in "\n".join(report.lines())
    assert report.signed_content and b"L\xc3\xaa Th\xe1\xbb\x8b Ng\xe1\xbb\x8dc \xc3\x81nh" in report.signed_content


def test_signature_shape(fully_signed):
    sig = _signatures(fully_signed)[0]
    ns = {"ds": DS_NS, "xades": "http://uri.etsi.org/01903/v1.3.2#"}
    assert sig.find("ds:SignedInfo/ds:CanonicalizationMethod", ns).get("Algorithm") == "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    assert sig.find("ds:SignedInfo/ds:SignatureMethod", ns).get("Algorithm").endswith("rsa-sha256")
    uris = [r.get("URI") for r in sig.findall("ds:SignedInfo/ds:Reference", ns)]
    assert uris[0] == f"#{CONTENT_ID}" and len(uris) == 3
    props = sig.find(".//xades:SignedSignatureProperties", ns)
    assert props.find("xades:SigningCertificateV2", ns) is not None
    assert props.findtext("xades:SignerRole/xades:ClaimedRoles/xades:ClaimedRole", namespaces=ns) == "gvcn"
    assert len(sig.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", ns)) == 2  # signer + intermediate
    assert sig.find("ds:KeyInfo/ds:KeyValue", ns) is None


def test_a_later_signature_covers_the_earlier_ones(fully_signed, trust):
    # the first signatures, in order, still verify on their own (a record being signed)...
    for keep in ([0], [0, 1]):
        report = verify_record(_keep_only(fully_signed, keep), trust)
        assert report.ok, (keep, report.lines())
    # ...but removing an earlier signature breaks every later one (issue 15: GVCN and principal
    # deleted, only the seal left, the principal's removed from between)
    for keep in ([1], [2], [1, 2], [0, 2]):
        report = verify_record(_keep_only(fully_signed, keep), trust)
        assert not report.ok, keep
        assert any("chữ ký bị gỡ: chữ ký sau không còn khớp" in r for s in report.signatures for r in s.reasons), keep
    sigs = _signatures(fully_signed)
    ns = {"ds": DS_NS}
    for k, sig in enumerate(sigs):
        uris = [r.get("URI") for r in sig.findall("ds:SignedInfo/ds:Reference", ns)]
        assert uris[1:1 + k] == [f"#{s.get('Id')}" for s in sigs[:k]]


def test_later_signatures_leave_earlier_ones_untouched(signer, trust):
    one = signer.sign(record_xml(), "GV001", "gvcn")
    assert verify_record(one, trust).ok
    two = signer.sign(one, "HT001", "principal")
    first_before = etree.tostring(_signatures(one)[0], method="c14n")
    first_after = etree.tostring(_signatures(two)[0], method="c14n")
    assert first_before == first_after
    assert verify_record(two, trust).ok


@pytest.mark.parametrize("old, new", [("Ánh", "Anh"), ("2016-09-02", "2016-09-03"), ("chính tả.", "chính tả!")])
def test_one_character_tamper_invalidates_every_signature(fully_signed, trust, old, new):
    tampered = fully_signed.replace(old.encode(), new.encode(), 1)
    assert tampered != fully_signed
    report = verify_record(tampered, trust)
    assert not report.ok
    assert all(not s.intact for s in report.signatures)
    assert all("nội dung học bạ đã bị thay đổi sau khi ký" in s.reasons for s in report.signatures)


def test_tampered_signed_properties_are_refused(fully_signed, trust):
    tampered = fully_signed.replace(b">gvcn<", b">seal<", 1)
    report = verify_record(tampered, trust)
    assert not report.ok and not report.signatures[0].intact
    # the later signatures cover the first one: they no longer match either
    assert not report.signatures[1].intact and not report.signatures[2].intact


def test_signing_over_changed_content_is_refused(signer):
    one = signer.sign(record_xml(), "GV001", "gvcn")
    with pytest.raises(ContentChangedSinceSigned):
        signer.sign(one.replace("Ánh".encode(), "Anh".encode()), "HT001", "principal")


# ---- signature wrapping ------------------------------------------------------------------------------


def _wrap_second_copy(xml: bytes) -> bytes:
    """Original content hidden in a ds:Object of the first signature; a forged copy at the root."""
    root = etree.fromstring(xml)
    content = root.find(f"{H}thongtinhocba")
    original = etree.fromstring(etree.tostring(content))
    sig = root.find(f"{H}chukyso/{DS}Signature")
    obj = etree.SubElement(sig, f"{DS}Object")
    obj.append(original)
    content.set("Id", "HB-ffffffffffffffffffffffffffffffff-v1")
    content.find(f"{H}hoten").text = "Kẻ Mạo Danh"
    return etree.tostring(root)


def _wrap_moved_id(xml: bytes) -> bytes:
    """The Id moved to a decoy element that carries the original content under another name."""
    root = etree.fromstring(xml)
    content = root.find(f"{H}thongtinhocba")
    decoy = etree.fromstring(etree.tostring(content))
    decoy.tag = f"{H}banluu"
    content.attrib.pop("Id")
    content.set("Id", "HB-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-v1")
    content.find(f"{H}hoten").text = "Kẻ Mạo Danh"
    sig = root.find(f"{H}chukyso/{DS}Signature")
    etree.SubElement(sig, f"{DS}Object").append(decoy)
    return etree.tostring(root)


def _duplicate_id(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    etree.SubElement(root.find(f"{H}thongtinhocba"), f"{H}ghichu", Id=CONTENT_ID).text = "x"
    return etree.tostring(root)


def _signature_outside(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    sig = root.find(f"{H}chukyso/{DS}Signature")
    root.find(f"{H}thongtinhocba").append(sig)
    return etree.tostring(root)


def _extra_element(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    etree.SubElement(root, f"{H}phuluc").text = "thêm"
    return etree.tostring(root)


def _reference_elsewhere(xml: bytes) -> bytes:
    """The signature's content reference re-pointed at the whole document."""
    root = etree.fromstring(xml)
    ref = root.find(f"{H}chukyso/{DS}Signature/{DS}SignedInfo/{DS}Reference")
    ref.set("URI", "")
    return etree.tostring(root)


@pytest.mark.parametrize(
    "attack", [_wrap_second_copy, _wrap_moved_id, _duplicate_id, _signature_outside, _extra_element, _reference_elsewhere]
)
def test_signature_wrapping_is_refused(fully_signed, trust, attack):
    report = verify_record(attack(fully_signed), trust)
    assert not report.ok
    assert report.problems or all(not s.valid for s in report.signatures[:1])


def test_wrapped_record_cannot_be_signed_further(fully_signed, signer):
    with pytest.raises(RecordStructureError):
        signer.sign(_wrap_second_copy(fully_signed), "HT001", "principal")


def test_doctype_is_refused(fully_signed, trust):
    evil = fully_signed.replace(b"?>", b'?>\n<!DOCTYPE hocbaso [<!ENTITY x "y">]>', 1)
    report = verify_record(evil, trust)
    assert not report.ok and "DOCTYPE" in report.problems[0]


def test_unsigned_record_is_not_ok(trust):
    report = verify_record(record_xml(), trust)
    assert not report.ok and "chưa có chữ ký số" in report.problems[0]


# ---- trust and time -----------------------------------------------------------------------------------


def test_untrusted_root_is_refused(fully_signed):
    other = TrustStore()
    other.add_certificate(soft_identity(tag="OTHER").root)
    report = verify_record(fully_signed, other)
    assert not report.ok
    for s in report.signatures:
        assert s.intact and not s.trusted
        assert any("không thuộc tổ chức chứng thực nào trong kho tin cậy" in r for r in s.reasons)
    assert not verify_record(fully_signed, TrustStore()).ok


def test_software_key_signature_with_foreign_root(trust):
    ident = soft_identity()
    xml = sign_record(record_xml(), ident.key, [ident.cert, ident.intermediate], "gvbm")
    assert not verify_record(xml, trust).ok
    own = TrustStore()
    own.add_certificate(ident.root)
    report = verify_record(xml, own)
    assert report.ok and not report.demo and report.signatures[0].role == "gvbm"


def test_expired_certificate_valid_at_signing_time(signer, expired_identity, trust):
    with pytest.raises(CertificateUnusable) as e:
        signer.sign(record_xml(), "GV009", "gvcn", cert_id=expired_identity.cert_id)
    assert "đã hết hạn" in e.value.message

    two_years_ago = datetime.now(timezone.utc) - timedelta(days=2 * 365)
    xml = signer.sign(record_xml(), "GV009", "gvcn", signing_time=two_years_ago, cert_id=expired_identity.cert_id)
    report = verify_record(xml, trust)
    assert report.ok, report.lines()
    assert report.signatures[0].signing_time == two_years_ago.replace(microsecond=0)

    now_report = verify_record(xml, trust, at=datetime.now(timezone.utc))
    assert not now_report.ok
    sig = now_report.signatures[0]
    assert sig.intact and not sig.cert_valid
    assert any("đã hết hạn" in r for r in sig.reasons)


def test_signing_time_in_the_future_is_reported(signer, trust):
    xml = signer.sign(record_xml(), "GV001", "gvcn", signing_time=datetime.now(timezone.utc) + timedelta(days=30))
    report = verify_record(xml, trust)
    assert not report.ok and any("ở tương lai" in r for r in report.signatures[0].reasons)


def test_unknown_role_is_refused(signer):
    from hocbaso_desktop.domain.errors import InvalidValue

    with pytest.raises(InvalidValue):
        signer.sign(record_xml(), "GV001", "hieu-pho")


# ---- an independent verifier ---------------------------------------------------------------------------


@requires("xmlsec1")
def test_xmlsec1_verifies_every_signature(fully_signed, demo, tmp_path: Path):
    path = tmp_path / "hocba.xml"
    path.write_bytes(fully_signed)
    ids = [s.get("Id") for s in _signatures(fully_signed)]
    assert len(ids) == 3
    for sig_id in ids:
        cmd = [
            "xmlsec1", "--verify",
            "--id-attr:Id", f"{NS}:thongtinhocba",
            "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
            "--id-attr:Id", f"{DS_NS}:KeyInfo",
            "--id-attr:Id", f"{DS_NS}:Signature",
            "--node-id", sig_id,
            "--trusted-pem", demo.root_cert_path,
            "--untrusted-pem", demo.intermediate_cert_path,
            str(path),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 and "OK" in proc.stderr + proc.stdout, proc.stderr
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(fully_signed.replace("Ánh".encode(), "Anh".encode()))
    proc = subprocess.run(cmd[:-1] + [str(tampered)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0


def _fixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    import itertools

    import signxml.xades.xades as xades

    counter = itertools.count()
    monkeypatch.setattr(xades.secrets, "token_hex", lambda n=4: f"{next(counter):0{2 * n}X}")


def test_signing_in_place_writes_the_bytes_signxml_writes_on_its_own_copy(monkeypatch: pytest.MonkeyPatch):
    from hocbaso_desktop.signing import xml_signature

    people = [soft_identity("Nguyễn Thị A", "IP1"), soft_identity("Trần Văn B", "IP2"), soft_identity("Trường C", "IP3")]
    when = datetime.now(timezone.utc).replace(microsecond=0)

    def sign_all() -> list[bytes]:
        _fixed_ids(monkeypatch)
        xml, out = record_xml(extra_rows=40), []
        for ident, role in zip(people, ["gvcn", "principal", "seal"]):
            xml = sign_record(xml, ident.key, [ident.cert, ident.intermediate], role, when)
            out.append(xml)
        return out

    in_place = sign_all()
    monkeypatch.setattr(xml_signature._RecordSigner, "sign_in_place", lambda self, doc, **kw: self.sign(doc, **kw))
    assert sign_all() == in_place
    trust = TrustStore()
    for ident in people:
        trust.add_certificate(ident.root)
    assert verify_record(in_place[-1], trust).ok


def test_a_signature_id_already_in_the_document_is_refused(monkeypatch: pytest.MonkeyPatch):
    ident = soft_identity("Nguyễn Thị A", "IP1")
    xml = record_xml().replace(b"<hoten>", b'<hoten Id="SignXMLSignature00000000">', 1)  # the Id signxml will write
    _fixed_ids(monkeypatch)
    with pytest.raises(RecordStructureError, match="SignXMLSignature00000000"):
        sign_record(xml, ident.key, [ident.cert, ident.intermediate], "gvcn")
