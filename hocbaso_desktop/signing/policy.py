"""The signature policy of an issued record, as data, and the one function that applies it.

A record is valid only when its signatures are those its status requires, in order, each by the
person (or, for the seal, the school) the record itself names, and each later signature covers the
earlier ones (xml_signature.sign_record adds a Reference to every earlier ds:Signature), so removing
or replacing one breaks the ones after it. Cryptographic validity of each signature is judged in
xml_signature; this module judges who signed what, in which order.

    [GVBM …] → GVCN → Hiệu trưởng (or an authorised Phó hiệu trưởng) → con dấu (the school's
    organisation certificate)

The rules are data (RoleRule tuples per record status) so a school setting (GVBM sign-off) or the
ministry's official rules change a table, not code. Every verdict names the rule that failed, in
Vietnamese, for the CLI and the GUI alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from cryptography import x509
from cryptography.x509.oid import NameOID
from lxml import etree

from .certs import _name_key, common_name, name_matches
from .record_shape import NS

PERSON = "person"
ORGANISATION = "organisation"


@dataclass(frozen=True)
class RoleRule:
    role: str  # the XAdES ClaimedRole: gvbm / gvcn / principal / seal
    title: str  # how verdicts name it: "GVCN", "Hiệu trưởng", "con dấu nhà trường"
    holder: str  # PERSON or ORGANISATION: what kind of certificate must sign
    name_field: str | None  # the record field (in <thongtinhocba>) naming who signs in this role
    id_field: str | None = None  # the record field with that person's 12-digit ID (CCCD)
    required: bool = True
    many: bool = False  # GVBM: one signature per subject teacher


@dataclass(frozen=True)
class SignaturePolicy:
    """Required signatures per record status (trangthaithongtinhocba), in signing order."""

    by_status: Mapping[str, tuple[RoleRule, ...]]
    chained: bool = True  # every signature must cover all earlier ones
    # a trích lục (trichluc 1) of a valid record: the paper year's teachers are not here to sign
    transcribed: tuple[RoleRule, ...] | None = None


GVBM = RoleRule("gvbm", "GVBM", PERSON, None, required=False, many=True)
GVBM_REQUIRED = RoleRule("gvbm", "GVBM", PERSON, None, required=True, many=True)
GVCN = RoleRule("gvcn", "GVCN", PERSON, "tengvcn", "soddcngvcn")
# The record names the board member who signs (tengiamhieu): the principal, or the vice-principal
# the school authorised and wrote in the record.
PRINCIPAL = RoleRule("principal", "Hiệu trưởng", PERSON, "tengiamhieu", "soddcngiamhieu")
SEAL = RoleRule("seal", "con dấu nhà trường", ORGANISATION, "tentruong")

STATUS_VALID, STATUS_WITHDRAWN = "1", "2"  # national dictionary: 1 Có hiệu lực, 2 Thu hồi


# A withdrawal document (exchange/withdrawal_xml.py): the withdrawn version's content with status 2
# and <thuhoi>, signed by the school's seal alone — the school's act, decided by the principal (whose
# name it carries); the issued version keeps its own signatures in its own file.
WITHDRAWAL_RULES = (SEAL,)
WITHDRAWAL_TAG = "thuhoi"

# A trích lục (a year entered from the paper học bạ, trichluc 1): the principal vouches for the copy
# and the seal issues it. No GVCN or GVBM signature: the teachers of that paper year did not make
# this record, and a teacher's signature on it would present the copy as their original.
TRANSCRIBED_RULES = (PRINCIPAL, SEAL)


def issued_policy(gvbm_signs: bool = False) -> SignaturePolicy:
    """An issued record (status 1): GVBM when the school asks for it, GVCN, board, seal. Without the
    school setting a GVBM signature is still allowed before the GVCN's. A withdrawal (status 2): the seal."""
    rules = ((GVBM_REQUIRED if gvbm_signs else GVBM), GVCN, PRINCIPAL, SEAL)
    return SignaturePolicy({STATUS_VALID: rules, STATUS_WITHDRAWN: WITHDRAWAL_RULES}, transcribed=TRANSCRIBED_RULES)


DEFAULT_POLICY = issued_policy()

# ---- who a certificate belongs to --------------------------------------------------------------------

_ORG_UID_PREFIXES = ("MST:", "MNS:")  # mã số thuế / mã quan hệ ngân sách: organisations
_PERSON_UID_PREFIXES = ("CCCD:", "CMND:", "HC:", "CMT:")  # căn cước / CMND / hộ chiếu: people


def certificate_uid(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    value = attrs[0].value if attrs else ""
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else value).strip().upper()


def personal_id_of(cert: x509.Certificate) -> str:
    """The CCCD/CMND number a personal certificate carries ("" when none)."""
    uid = certificate_uid(cert)
    for prefix in _PERSON_UID_PREFIXES:
        if uid.startswith(prefix):
            return uid[len(prefix):].strip()
    return ""


def is_organisation_certificate(cert: x509.Certificate, school_name: str = "") -> bool:
    """The seal must be the school's organisation certificate, not a person's.

    Vietnamese CAs write the subject's identifier in UID: "MST:…" (tax code) or "MNS:…" (budget
    relation code) for an organisation, "CCCD:…"/"CMND:…"/"HC:…" for a person. A certificate with a
    personal identifier is never a seal; one with an organisation identifier always is; one with
    neither counts as the school's only when its CN is the school's name. (Check against the school's
    real VGCA certificate on site: the rule lives here alone.)
    """
    uid = certificate_uid(cert)
    if uid.startswith(_PERSON_UID_PREFIXES):
        return False
    if uid.startswith(_ORG_UID_PREFIXES):
        return True
    return bool(school_name) and name_matches(cert, school_name)


def is_school_seal(cert: x509.Certificate, school_name: str) -> bool:
    """An organisation certificate issued to the school named (CN, or O, is the school's name)."""
    if not school_name or not is_organisation_certificate(cert, school_name):
        return False
    orgs = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return name_matches(cert, school_name) or any(_name_key(o) == _name_key(school_name) for o in orgs)


# ---- applying the policy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedBy:
    """What the policy needs of one signature, in document order."""

    sig_id: str
    role: str | None
    certificate: x509.Certificate | None
    covers: tuple[str, ...] = ()  # Ids of the other ds:Signature elements its SignedInfo references
    broken_cover: bool = False  # it references a signature that is no longer in the record
    role_label: str = field(default="")


def _field(content: etree._Element | None, name: str | None) -> str:
    if content is None or not name:
        return ""
    return (content.findtext(f"{{{NS}}}{name}") or "").strip()


def _holder_problem(rule: RoleRule, sig: SignedBy, content: etree._Element | None) -> str | None:
    cert = sig.certificate
    if cert is None:
        return f"chữ ký {rule.title} không kèm chứng thư số"
    expected = _field(content, rule.name_field)
    if rule.holder == ORGANISATION:
        if not is_school_seal(cert, expected):
            return (f"con dấu không phải chứng thư tổ chức của trường «{expected or 'không ghi tên trường'}» "
                    f"(chứng thư của «{common_name(cert)}»)")
        return None
    if is_organisation_certificate(cert):
        return f"chữ ký {rule.title} dùng chứng thư của tổ chức «{common_name(cert)}», không phải của một người"
    if rule.name_field is None:
        return None  # GVBM: the record names no subject teacher; the person check is all there is
    if not expected:
        return f"học bạ không ghi tên người ký với vai trò {rule.title} ({rule.name_field}): không đối chiếu được chữ ký"
    if not name_matches(cert, expected):
        return (f"chữ ký {rule.title} không phải của người ghi trong học bạ (chứng thư mang tên "
                f"«{common_name(cert)}», học bạ ghi «{expected}»)")
    written_id = _field(content, rule.id_field)
    cert_id = personal_id_of(cert)
    if written_id and cert_id and written_id != cert_id:
        return (f"chữ ký {rule.title} không phải của người ghi trong học bạ (số định danh trên chứng thư "
                f"«{cert_id}», học bạ ghi «{written_id}»)")
    return None


def _order_text(rules: Sequence[RoleRule]) -> str:
    return " → ".join(("[GVBM]" if not r.required else r.title) for r in rules)


def check_policy(policy: SignaturePolicy, content: etree._Element | None, signatures: Sequence[SignedBy]) -> list[str]:
    """The rules the record breaks, each a Vietnamese sentence; empty when the policy holds."""
    status = _field(content, "trangthaithongtinhocba")
    rules = policy.by_status.get(status)
    if status == STATUS_VALID and policy.transcribed is not None and _field(content, "trichluc") in ("1", "true"):
        rules = policy.transcribed
    if rules is None:
        return [f"trạng thái học bạ «{status or 'không ghi'}» không có quy định chữ ký"]
    problems: list[str] = []
    withdrawal = content is not None and content.find(f".//{{{NS}}}{WITHDRAWAL_TAG}") is not None
    if status == STATUS_WITHDRAWN and not withdrawal:
        problems.append("học bạ ghi trạng thái thu hồi (2) nhưng không có thông tin thu hồi (thuhoi) đã ký")
    elif status != STATUS_WITHDRAWN and withdrawal:
        problems.append(f"học bạ có thông tin thu hồi nhưng ghi trạng thái «{status}», không phải thu hồi (2)")

    if policy.chained:
        ids = [s.sig_id for s in signatures]
        for k, sig in enumerate(signatures):
            if sig.broken_cover:
                problems.append(f"chữ ký bị gỡ: chữ ký sau không còn khớp (chữ ký {k + 1} bao trùm một chữ ký "
                                "không còn trong học bạ)")
            elif list(sig.covers) != ids[:k]:
                problems.append(f"chữ ký {k + 1} không bao trùm đúng các chữ ký trước nó: chữ ký bị gỡ, thay "
                                "hoặc đảo thứ tự (chữ ký sau không còn khớp)")

    i = 0
    for rule in rules:
        n = 0
        while i < len(signatures) and signatures[i].role == rule.role and (rule.many or n == 0):
            problem = _holder_problem(rule, signatures[i], content)
            if problem:
                problems.append(problem)
            i += 1
            n += 1
        if n == 0 and rule.required:
            problems.append("thiếu chữ ký số của nhà trường (con dấu)" if rule.role == "seal"
                            else f"thiếu chữ ký của {rule.title}")
    if i < len(signatures):
        extra = signatures[i]
        problems.append(f"chữ ký {i + 1} ({extra.role_label or extra.role or 'không ghi vai trò'}) sai thứ tự hoặc "
                        f"thừa: thứ tự phải là {_order_text(rules)}")
    return problems
