"""Certificates registered to staff members and to the school's seal, by SHA-256 fingerprint.

Signing is refused with any other certificate (a teacher's own valid certificate must never sign as
the principal or the seal). A certificate gets registered in one of two ways:
- by the admin team (`hocbaso cert register GV001 FILE --as QT`, `--seal FILE`): the way for a
  certificate whose holder name is written differently from the staff list;
- at its first use, confirmed by the person logged in: the first signature with a personal
  certificate whose holder name (and CCCD, when both say one) is the logged-in person's registers it
  to them; for the seal, an organisation certificate issued to the school named in the database.
  Anything else is refused, not warned about. Each registration is audited.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.errors import HocbasoError, InputFileError, InvalidValue, NotFound
from ..domain.rights import MANAGE_TRUST, require
from ..domain.roles import Actor
from ..signing.certs import common_name, name_matches
from ..signing.policy import is_organisation_certificate, is_school_seal, personal_id_of
from ..storage.certificate_models import StaffCertificate
from ..storage.engine import Store
from ..storage.models import School, Staff
from .signing_plan import local_now

MAX_FILE = 200_000
_HEX64 = re.compile(r"[0-9a-f]{64}")
ADMIN, FIRST_USE = "admin", "first_use"


class CertificateNotRegistered(HocbasoError):
    """Signing refused: the certificate is not registered to this signer (or to the school's seal)."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"Không được {what}: {reason}.", reason=reason)


@dataclass(frozen=True)
class Registration:
    fingerprint: str
    seal: bool
    staff_code: str  # "" for the seal
    staff_name: str  # the school's name for the seal
    common_name: str
    serial_hex: str
    not_after: datetime | None
    method: str  # ADMIN or FIRST_USE
    registered_by: str
    registered_at: datetime


def fingerprint(cert: x509.Certificate) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def _school_name(s: Session) -> str:
    return s.execute(select(School.name).order_by(School.id)).scalar() or ""


def _registration(s: Session, row: StaffCertificate) -> Registration:
    st = s.get(Staff, row.staff_id) if row.staff_id is not None else None
    return Registration(row.fingerprint, row.seal, st.code if st else "", st.full_name if st else _school_name(s),
                        row.common_name, row.serial_hex, row.not_after, row.method, row.registered_by, row.registered_at)


def _load(source: str) -> tuple[str, x509.Certificate | None]:
    """A certificate file (PEM or DER) or a SHA-256 fingerprint (64 hex digits, colons allowed)."""
    text = source.strip()
    compact = text.replace(":", "").lower()
    path = Path(text)
    if _HEX64.fullmatch(compact) and not path.is_file():
        return compact, None
    try:
        if path.stat().st_size > MAX_FILE:
            raise InputFileError(f"Tệp {path.name} quá lớn để là một chứng thư số.")
        data = path.read_bytes()
    except OSError as e:
        raise InputFileError(f"Không đọc được chứng thư số «{source}»: {e.strerror or e} (cần một tệp .pem/.cer "
                             "hoặc dấu vân tay SHA-256 gồm 64 chữ số hệ 16)") from None
    try:
        cert = x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    except ValueError:
        raise InputFileError(f"Tệp {path.name} không phải chứng thư số X.509 (PEM hoặc DER).") from None
    return fingerprint(cert), cert


def _insert(s: Session, audit, fp: str, cert: x509.Certificate | None, staff: Staff | None, method: str,  # noqa: ANN001
            by: str) -> StaffCertificate:
    row = StaffCertificate(
        fingerprint=fp, staff_id=staff.id if staff else None, seal=staff is None,
        common_name=(common_name(cert) if cert else "")[:200], subject=(cert.subject.rfc4514_string() if cert else "")[:400],
        serial_hex=format(cert.serial_number, "x") if cert else "", not_after=cert.not_valid_after_utc.replace(tzinfo=None) if cert else None,
        method=method, registered_by=by, registered_at=local_now(),
    )
    s.add(row)
    s.flush()
    audit("certificate.register", "staff_certificate", row.id, {
        "fingerprint": fp, "staff": staff.code if staff else None, "seal": staff is None, "method": method,
        "common_name": row.common_name, "serial": row.serial_hex,
    })
    return row


def register(store: Store, actor: Actor, source: str, *, staff_code: str | None = None, seal: bool = False) -> Registration:
    """The admin team registers a certificate (file or fingerprint) to a staff member or the seal."""
    require(actor, MANAGE_TRUST)
    if seal == bool(staff_code):
        raise InvalidValue("người giữ chứng thư", staff_code or "", "ghi một mã cán bộ hoặc --seal (con dấu nhà trường)")
    fp, cert = _load(source)
    with store.transaction(actor.code) as tx:
        s = tx.session
        staff = None
        if staff_code:
            staff = s.execute(select(Staff).where(func.upper(Staff.code) == staff_code.strip().upper())).scalar()
            if staff is None:
                raise NotFound(f"Không có cán bộ mã «{staff_code}».")
            if not staff.active:
                raise HocbasoError(f"Cán bộ {staff.code} ({staff.full_name}) đã nghỉ: không đăng ký chứng thư số mới.")
        school = _school_name(s)
        if cert is not None:
            if seal and not is_school_seal(cert, school):
                raise HocbasoError(f"Chứng thư «{common_name(cert)}» không phải chứng thư tổ chức của trường «{school}»: "
                                   "không đăng ký làm con dấu.")
            if staff is not None and is_organisation_certificate(cert, school):
                raise HocbasoError(f"Chứng thư «{common_name(cert)}» là chứng thư của tổ chức: không đăng ký cho cá nhân "
                                   f"{staff.full_name}.")
        existing = s.execute(select(StaffCertificate).where(StaffCertificate.fingerprint == fp)).scalar()
        if existing is not None:
            owner = _registration(s, existing)
            if existing.seal == seal and (seal or (staff is not None and existing.staff_id == staff.id)):
                return owner  # already so: nothing to write
            whom = "con dấu nhà trường" if existing.seal else f"{owner.staff_name} ({owner.staff_code})"
            raise HocbasoError(f"Chứng thư SHA-256 {fp} đã được đăng ký cho {whom}: không đăng ký cho người khác.")
        row = _insert(s, tx.audit, fp, cert, staff, ADMIN, actor.code)
        return _registration(s, row)


def list_registrations(store: Store) -> list[Registration]:
    with store.read() as s:
        rows = s.execute(select(StaffCertificate).order_by(StaffCertificate.seal.desc(), StaffCertificate.id)).scalars().all()
        return [_registration(s, r) for r in rows]


def require_registered(store: Store, actor_code: str, staff_id: int, role: str, cert: x509.Certificate) -> bool:
    """Refuse (PermissionDenied) a certificate not registered to the signer (or the school, for the
    seal), registering it first when this is its first use by its holder. True when registered now."""
    fp = fingerprint(cert)
    cn = common_name(cert)
    with store.transaction(actor_code) as tx:
        s = tx.session
        staff = s.get(Staff, staff_id)
        if staff is None or not staff.active:
            raise CertificateNotRegistered("ký học bạ", "người ký không còn làm việc tại trường")
        school = _school_name(s)
        row = s.execute(select(StaffCertificate).where(StaffCertificate.fingerprint == fp)).scalar()
        what = "đóng dấu (con dấu nhà trường)" if role == "seal" else f"ký học bạ với chứng thư «{cn}»"
        if row is not None:
            if role == "seal" and row.seal:
                return False
            if role != "seal" and not row.seal and row.staff_id == staff.id:
                return False
            owner = _registration(s, row)
            whom = "con dấu nhà trường" if row.seal else f"{owner.staff_name} ({owner.staff_code})"
            raise CertificateNotRegistered(what, f"chứng thư «{cn}» đã đăng ký cho {whom}, không phải "
                                   + ("con dấu nhà trường" if role == "seal" else f"{staff.full_name}"))
        if role == "seal":
            if not is_school_seal(cert, school):
                raise CertificateNotRegistered(what, f"chứng thư «{cn}» không phải chứng thư tổ chức của trường «{school}» "
                                       "đã đăng ký: Ban quản trị đăng ký con dấu bằng lệnh «hocbaso cert register --seal TỆP»")
            _insert(s, tx.audit, fp, cert, None, FIRST_USE, actor_code)
            return True
        if is_organisation_certificate(cert, school):
            raise CertificateNotRegistered(what, "chứng thư của tổ chức không dùng để ký với vai trò cá nhân")
        cert_pid = personal_id_of(cert)
        if not name_matches(cert, staff.full_name) or (cert_pid and staff.personal_id and cert_pid != staff.personal_id):
            raise CertificateNotRegistered(what, f"chứng thư mang tên «{cn}» chưa được đăng ký cho {staff.full_name} ({staff.code}) "
                                   "và không trùng tên, số định danh của người đăng nhập: Ban quản trị đăng ký bằng lệnh "
                                   f"«hocbaso cert register {staff.code} TỆP»")
        _insert(s, tx.audit, fp, cert, staff, FIRST_USE, actor_code)
        return True
