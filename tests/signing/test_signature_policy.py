"""The signature policy (issue 15): required roles in order, later signatures covering earlier ones,
the signer being the person (or school) the record names. Each hostile record is one the verifier
accepted before ("tất cả chữ ký số hợp lệ") and must now refuse, naming the rule it breaks."""

from __future__ import annotations

from lxml import etree

from hocbaso_desktop.signing.policy import DEFAULT_POLICY, issued_policy
from hocbaso_desktop.signing.record_shape import DS_NS, NS
from hocbaso_desktop.signing.xml_signature import verify_record

from .conftest import CONTENT_ID

H = f"{{{NS}}}"
SCHOOL = "Trường Tiểu học Thử nghiệm"
GVCN, GVCN_ID = "Nguyễn Thị Hồng Nhung", "001234567890"
HT, HT_ID = "Trần Văn Bình", "001234567891"


def named_record(*, status: str = "1", level: str = "H", gvcn: str = GVCN, gvcn_id: str = GVCN_ID,
                 principal: str = HT, principal_id: str = HT_ID, school: str = SCHOOL) -> bytes:
    """A record naming its school, GVCN and principal, as exchange/record_xml writes them."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<hocbaso xmlns="urn:hocbaso:tieuhoc:1.0" phienbanxsd="1.0">\n'
        f'  <thongtinhocba Id="{CONTENT_ID}">\n'
        f"    <trangthaithongtinhocba>{status}</trangthaithongtinhocba>\n"
        f"    <tentruong>{school}</tentruong>\n"
        "    <hovaten>Lê Thị Ngọc Ánh</hovaten>\n"
        f"    <dsbangdiem><monhoc><mamonhoc>TV</mamonhoc><mucdatduoc>{level}</mucdatduoc></monhoc>"
        f"<monhoc><mamonhoc>TO</mamonhoc><mucdatduoc>{level}</mucdatduoc></monhoc></dsbangdiem>\n"
        f"    <tengvcn>{gvcn}</tengvcn>\n"
        f"    <soddcngvcn>{gvcn_id}</soddcngvcn>\n"
        f"    <tengiamhieu>{principal}</tengiamhieu>\n"
        f"    <soddcngiamhieu>{principal_id}</soddcngiamhieu>\n"
        "  </thongtinhocba>\n"
        "  <chukyso/>\n"
        "</hocbaso>\n"
    ).encode("utf-8")


def _sign_all(signer, xml: bytes, who: list[tuple[str, str]]) -> bytes:
    for code, role in who:
        xml = signer.sign(xml, code, role)
    return xml


HONEST = [("GV001", "gvcn"), ("HT001", "principal"), ("DAU", "seal")]


def _keep_only(xml: bytes, keep: list[int]) -> bytes:
    root = etree.fromstring(xml)
    parent = root.find(f"{H}chukyso")
    for i, sig in enumerate(list(parent)):
        if i not in keep:
            parent.remove(sig)
    return etree.tostring(root)


def _verdict(report) -> str:
    return "\n".join(report.lines())


def test_honest_record_meets_the_policy(signer, trust):
    xml = _sign_all(signer, named_record(), HONEST)
    report = verify_record(xml, trust, policy=DEFAULT_POLICY)
    assert report.ok, report.lines()
    assert report.policy_checked and not report.policy_problems
    assert "Đủ chữ ký theo quy định" in _verdict(report)


def test_gvcn_and_principal_deleted_only_the_seal_left(signer, trust):
    xml = _keep_only(_sign_all(signer, named_record(), HONEST), [2])
    assert not verify_record(xml, trust).ok  # the seal covered the two removed signatures
    report = verify_record(xml, trust, policy=DEFAULT_POLICY)
    assert not report.ok
    assert "thiếu chữ ký của GVCN" in report.policy_problems
    assert "thiếu chữ ký của Hiệu trưởng" in report.policy_problems
    assert any(p.startswith("chữ ký bị gỡ: chữ ký sau không còn khớp") for p in report.policy_problems)
    assert "KẾT LUẬN: học bạ KHÔNG hợp lệ" in _verdict(report)


def test_principal_removed_from_between(signer, trust):
    report = verify_record(_keep_only(_sign_all(signer, named_record(), HONEST), [0, 2]), trust, policy=DEFAULT_POLICY)
    assert not report.ok and "thiếu chữ ký của Hiệu trưởng" in report.policy_problems
    assert any("chữ ký bị gỡ" in p for p in report.policy_problems)


def test_only_the_gvcn_signed(signer, trust):
    xml = signer.sign(named_record(), "GV001", "gvcn")
    assert verify_record(xml, trust).ok  # a record being signed: its one signature is sound
    report = verify_record(xml, trust, policy=DEFAULT_POLICY)
    assert not report.ok
    assert report.policy_problems == ("thiếu chữ ký của Hiệu trưởng", "thiếu chữ ký số của nhà trường (con dấu)")
    assert "KẾT LUẬN: học bạ KHÔNG hợp lệ: thiếu chữ ký của Hiệu trưởng." in _verdict(report)


def test_one_teacher_signs_every_role_after_changing_every_subject(signer, trust):
    forged = _sign_all(signer, named_record(level="T"), [("GV001", "gvcn"), ("GV001", "principal"), ("GV001", "seal")])
    assert verify_record(forged, trust).ok  # each signature on its own is a sound signature...
    report = verify_record(forged, trust, policy=DEFAULT_POLICY)  # ...but not the signatures of an issued record
    assert not report.ok
    assert any(p.startswith(f"chữ ký Hiệu trưởng không phải của người ghi trong học bạ (chứng thư mang tên «{GVCN}», "
                            f"học bạ ghi «{HT}»)") for p in report.policy_problems)
    assert any(p.startswith(f"con dấu không phải chứng thư tổ chức của trường «{SCHOOL}»") for p in report.policy_problems)


def test_teacher_names_herself_principal_the_seal_still_fails(signer, trust):
    forged = _sign_all(signer, named_record(level="T", principal=GVCN, principal_id=GVCN_ID),
                       [("GV001", "gvcn"), ("GV001", "principal"), ("GV001", "seal")])
    report = verify_record(forged, trust, policy=DEFAULT_POLICY)
    assert not report.ok
    assert [p for p in report.policy_problems if "Hiệu trưởng" in p] == []
    assert any(p.startswith("con dấu không phải chứng thư tổ chức") for p in report.policy_problems)


def test_seal_of_another_school_is_refused(signer, trust):
    xml = _sign_all(signer, named_record(school="Trường Tiểu học Khác"), HONEST)
    report = verify_record(xml, trust, policy=DEFAULT_POLICY)
    assert report.policy_problems == (
        f"con dấu không phải chứng thư tổ chức của trường «Trường Tiểu học Khác» (chứng thư của «{SCHOOL}»)",)


def test_personal_id_written_in_the_record_must_match_the_certificate(signer, trust):
    xml = _sign_all(signer, named_record(gvcn_id="009999999999"), HONEST)
    report = verify_record(xml, trust, policy=DEFAULT_POLICY)
    assert report.policy_problems == (
        f"chữ ký GVCN không phải của người ghi trong học bạ (số định danh trên chứng thư «{GVCN_ID}», "
        "học bạ ghi «009999999999»)",)


def test_record_naming_nobody_cannot_be_checked(signer, trust):
    xml = _sign_all(signer, named_record(gvcn=""), HONEST)
    report = verify_record(xml, trust, policy=DEFAULT_POLICY)
    assert any("học bạ không ghi tên người ký với vai trò GVCN (tengvcn)" in p for p in report.policy_problems)


def test_wrong_order_is_refused(signer, trust):
    xml = _sign_all(signer, named_record(), [("HT001", "principal"), ("GV001", "gvcn"), ("DAU", "seal")])
    report = verify_record(xml, trust, policy=DEFAULT_POLICY)
    assert not report.ok and "thiếu chữ ký của GVCN" in report.policy_problems
    assert any("sai thứ tự" in p for p in report.policy_problems)


def test_the_seal_cannot_sign_as_a_person(signer, trust):
    xml = _sign_all(signer, named_record(gvcn=SCHOOL), [("DAU", "gvcn"), ("HT001", "principal"), ("DAU", "seal")])
    report = verify_record(xml, trust, policy=DEFAULT_POLICY)
    assert any("dùng chứng thư của tổ chức" in p for p in report.policy_problems)


def test_gvbm_required_when_the_school_asks(signer, trust):
    xml = _sign_all(signer, named_record(), HONEST)
    assert verify_record(xml, trust, policy=issued_policy(gvbm_signs=False)).ok
    report = verify_record(xml, trust, policy=issued_policy(gvbm_signs=True))
    assert report.policy_problems == ("thiếu chữ ký của GVBM",)
    with_gvbm = _sign_all(signer, named_record(), [("HT001", "gvbm")] + HONEST)
    assert verify_record(with_gvbm, trust, policy=issued_policy(gvbm_signs=True)).ok


def test_unknown_status_has_no_rules(signer, trust):
    xml = _sign_all(signer, named_record(status="9"), HONEST)
    report = verify_record(xml, trust, policy=DEFAULT_POLICY)
    assert report.policy_problems == ("trạng thái học bạ «9» không có quy định chữ ký",)


def test_later_signature_references_every_earlier_one(signer):
    xml = _sign_all(signer, named_record(), HONEST)
    sigs = etree.fromstring(xml).findall(f"{H}chukyso/{{{DS_NS}}}Signature")
    refs = [[r.get("URI") for r in s.findall(f"{{{DS_NS}}}SignedInfo/{{{DS_NS}}}Reference")] for s in sigs]
    assert refs[2][1:3] == [f"#{sigs[0].get('Id')}", f"#{sigs[1].get('Id')}"]


def test_spliced_signatures_that_do_not_cover_the_earlier_ones(signer, trust):
    """A principal's and a seal's signature made over the bare record (as before issue 15, or taken
    from another signing of the same content) and spliced after the GVCN's: each is sound on its
    own, but none covers the signatures before it."""
    bare = named_record()
    gvcn = signer.sign(bare, "GV001", "gvcn")
    root = etree.fromstring(gvcn)
    parent = root.find(f"{H}chukyso")
    for code, role in (("HT001", "principal"), ("DAU", "seal")):
        alone = etree.fromstring(signer.sign(bare, code, role))
        parent.append(alone.find(f"{H}chukyso/{{{DS_NS}}}Signature"))
    spliced = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert verify_record(spliced, trust).ok  # every signature is sound on its own...
    report = verify_record(spliced, trust, policy=DEFAULT_POLICY)  # ...but the chain is not there
    assert not report.ok
    assert [p.split(":")[0] for p in report.policy_problems] == [
        "chữ ký 2 không bao trùm đúng các chữ ký trước nó", "chữ ký 3 không bao trùm đúng các chữ ký trước nó"]
