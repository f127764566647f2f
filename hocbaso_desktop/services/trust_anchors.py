"""The school's trust anchors: the root and intermediate CA certificates signatures are checked against.

Three kinds of folders make up the trust store (signing/trust.py): the anchors shipped with the
program (`resources/trust`, read-only here), the school's own folder next to its database
(`<db>-kyso/trust-anchors/`, written only by this module) and any other folder recorded in the
settings (the demo CA's folder, a folder an administrator chose in Cài đặt › Ký số). `add` copies
certificates into the school's folder and records that folder in the settings, so every command and
dialog that checks a signature trusts them; `remove` deletes only from the school's folder.

Only CA certificates are accepted (basicConstraints cA=TRUE): trusting a signer's own certificate as
an anchor would let anyone holding that one key pass as "trusted" without a CA behind it.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from ..domain.errors import HocbasoError, InputFileError, InvalidValue, NotFound
from ..domain.rights import MANAGE_TRUST, require
from ..domain.roles import Actor
from ..fileio import write_atomic
from ..signing.certs import VN_TZ, common_name
from ..signing.trust import _CERT_SUFFIXES, DEMO_PREFIX, bundled_trust_dir
from ..storage.engine import Store
from . import settings
from .signing_setup import signing_home

SCHOOL_DIR_NAME = "trust-anchors"
MAX_FILE = 1_000_000  # a certificate bundle is a few KB; refuse to slurp anything huge


@dataclass(frozen=True)
class Anchor:
    fingerprint: str  # SHA-256, 64 lowercase hex digits
    subject_cn: str
    issuer: str  # the issuer's common name (itself for a root)
    valid_from: date  # Vietnam time
    valid_to: date
    folder: str
    file: str
    demo: bool  # a demo CA: trusted so the demo works, never of legal value
    bundled: bool  # shipped with the program (cannot be removed)
    school: bool  # in the school's own folder (removable here)
    root: bool  # self-issued (else an intermediate)

    @property
    def origin_text(self) -> str:
        if self.bundled:
            return "kèm chương trình"
        return "của trường" if self.school else "thư mục trong cài đặt"


@dataclass(frozen=True)
class AddResult:
    added: tuple[Anchor, ...]
    already: tuple[Anchor, ...]  # the school already trusted these (idempotent add)
    folder: str
    folder_recorded: bool  # the school's folder was just added to the settings


def school_dir(store: Store) -> Path:
    return signing_home(store.path) / SCHOOL_DIR_NAME


def fingerprint_hex(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _issuer_cn(cert: x509.Certificate) -> str:
    attrs = cert.issuer.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.issuer.rfc4514_string()


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _parse(path: Path) -> builtins.list[x509.Certificate]:
    """Every certificate of one PEM or DER file, or InvalidValue naming the file."""
    try:
        if path.stat().st_size > MAX_FILE:
            raise InvalidValue("Tệp chứng thư", path.name, "quá lớn để là một chứng thư số")
        data = path.read_bytes()
    except OSError as e:
        raise InputFileError(f"Không đọc được tệp {path}: {e.strerror or e}") from None
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise InvalidValue("Tệp chứng thư", path.name, "không phải chứng thư số (PEM hoặc DER)") from None
    return certs


def _files_of(path: Path) -> builtins.list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _CERT_SUFFIXES)
        if not files:
            raise InvalidValue("Thư mục chứng thư", str(path), "không có tệp .pem, .crt, .cer hoặc .der nào")
        return files
    if path.is_file():
        return [path]
    raise InputFileError(f"Không có tệp hoặc thư mục {path}")


def _anchor(cert: x509.Certificate, file: Path, *, bundled: bool, school: bool) -> Anchor:
    return Anchor(
        fingerprint=fingerprint_hex(cert), subject_cn=common_name(cert), issuer=_issuer_cn(cert),
        valid_from=cert.not_valid_before_utc.astimezone(VN_TZ).date(),
        valid_to=cert.not_valid_after_utc.astimezone(VN_TZ).date(),
        folder=str(file.parent), file=file.name, demo=file.name.lower().startswith(DEMO_PREFIX),
        bundled=bundled, school=school, root=cert.subject == cert.issuer,
    )


def _folders(store: Store) -> builtins.list[tuple[Path, bool, bool]]:
    """(folder, bundled, school's own) in trust-store order; each folder once."""
    own = school_dir(store).resolve()
    out: builtins.list[tuple[Path, bool, bool]] = [(bundled_trust_dir().resolve(), True, False)]
    for d in (*settings.signing_settings(store).trust_dirs, str(own)):
        p = Path(d).resolve()
        if all(p != f for f, _b, _s in out):
            out.append((p, False, p == own))
    return out


def list_anchors(store: Store) -> builtins.list[Anchor]:
    """Every trusted certificate, bundled first; a certificate found in two folders is listed once."""
    rows: builtins.list[Anchor] = []
    seen: set[str] = set()
    for folder, bundled, school in _folders(store):
        if not folder.is_dir():
            continue
        for f in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _CERT_SUFFIXES):
            try:
                certs = _parse(f)
            except HocbasoError:
                continue  # the trust store skips it too (logged there)
            for cert in certs:
                a = _anchor(cert, f, bundled=bundled, school=school)
                if a.fingerprint not in seen:
                    seen.add(a.fingerprint)
                    rows.append(a)
    return rows


def add(store: Store, actor: Actor, path: str | Path) -> AddResult:
    """Copy the CA certificates of a file (or of every certificate file of a folder) into the school's
    trust folder. All or nothing: one leaf certificate or unreadable file refuses the whole lot."""
    require(actor, MANAGE_TRUST)
    source = Path(path)
    found: builtins.list[tuple[x509.Certificate, Path]] = []
    for f in _files_of(source):
        certs = _parse(f)
        for cert in certs:
            if not _is_ca(cert):
                raise InvalidValue(
                    "Tệp chứng thư", f.name,
                    f"«{common_name(cert)}» không phải chứng thư của tổ chức chứng thực (CA): chỉ thêm được "
                    "chứng thư gốc hoặc trung gian (basicConstraints CA=TRUE), không thêm chứng thư của người ký")
        found += [(c, f) for c in certs]
    known = {a.fingerprint: a for a in list_anchors(store)}
    folder = school_dir(store)
    fresh: dict[str, tuple[x509.Certificate, Path]] = {}
    already: builtins.list[Anchor] = []
    for cert, f in found:
        fp = fingerprint_hex(cert)
        if fp in known:
            already.append(known[fp])
        elif fp not in fresh:
            fresh[fp] = (cert, f)
    current_dirs = settings.signing_settings(store).trust_dirs
    own = str(folder.resolve())
    record = bool(fresh) and own not in current_dirs
    written: builtins.list[Path] = []
    added: builtins.list[Anchor] = []
    try:
        for fp, (cert, f) in fresh.items():
            # Keep the demo- prefix of a demo CA so the trust store still calls it "thử nghiệm".
            prefix = DEMO_PREFIX if f.name.lower().startswith(DEMO_PREFIX) else ""
            target = folder / f"{prefix}{fp[:20]}.pem"
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(target, cert.public_bytes(Encoding.PEM))
            written.append(target)
            added.append(_anchor(cert, target, bundled=False, school=True))
        if added:
            with store.transaction(actor.code) as tx:
                for a in added:
                    tx.audit("trust.add", "trust_anchor", a.fingerprint, {
                        "subject": a.subject_cn, "issuer": a.issuer, "sha256": a.fingerprint,
                        "valid_to": a.valid_to.isoformat(), "file": a.file, "from": str(source)})
                if record:
                    settings.write(tx.session, tx.audit, settings.TRUST_DIRS,
                                   settings.encode_dirs([*current_dirs, own]))
    except BaseException:
        for p in written:  # nothing half-written: no file without its audit entry
            p.unlink(missing_ok=True)
        raise
    return AddResult(tuple(added), tuple(already), own, record)


def _normalise(fingerprint: str) -> str:
    fp = fingerprint.strip().lower().replace(":", "").replace(" ", "")
    if len(fp) < 8 or any(c not in "0123456789abcdef" for c in fp):
        raise InvalidValue("Dấu vân tay SHA-256", fingerprint, "cần ít nhất 8 chữ số thập lục phân (xem «hocbaso trust list»)")
    return fp


def remove(store: Store, actor: Actor, fingerprint: str) -> Anchor:
    """Remove one certificate from the school's folder (a full fingerprint or an unambiguous prefix)."""
    require(actor, MANAGE_TRUST)
    fp = _normalise(fingerprint)
    matches = [a for a in list_anchors(store) if a.fingerprint.startswith(fp)]
    if not matches:
        raise NotFound(f"Không có chứng thư tin cậy nào có dấu vân tay {fingerprint.strip()}")
    if len(matches) > 1:
        raise InvalidValue("Dấu vân tay SHA-256", fingerprint, f"khớp {len(matches)} chứng thư: hãy ghi đầy đủ hơn")
    a = matches[0]
    if a.bundled:
        raise HocbasoError(f"«{a.subject_cn}» là chứng thư gốc kèm theo chương trình: không gỡ bỏ được.")
    if not a.school:
        raise HocbasoError(f"«{a.subject_cn}» nằm trong thư mục {a.folder} (thư mục trong Cài đặt › Ký số), "
                           "không phải thư mục chứng thư của trường: hãy bỏ thư mục đó trong Cài đặt.")
    path = Path(a.folder) / a.file
    with store.transaction(actor.code) as tx:
        tx.audit("trust.remove", "trust_anchor", a.fingerprint,
                 {"subject": a.subject_cn, "issuer": a.issuer, "sha256": a.fingerprint, "file": a.file})
        path.unlink()  # last step: a failure rolls the audit entry back
    return a


def dirs_for_db_path(db_path: str | Path | None) -> builtins.list[Path]:
    """The trust folders a database's school configured, found WITHOUT opening it as a Store: `hocbaso
    verify` and `archive verify` take no lock and run no migration (the program may be open, the file
    may be years old). The demo CA's and the school's folders by path, the settings read-only."""
    import sqlite3

    from ..storage.engine import default_db_path

    p = Path(db_path) if db_path else default_db_path()
    found: builtins.list[Path] = [signing_home(p) / "trust", signing_home(p) / SCHOOL_DIR_NAME]
    if p.is_file():
        try:
            con = sqlite3.connect(p.resolve().as_uri() + "?mode=ro", uri=True)
            try:
                row = con.execute("SELECT value FROM setting WHERE key = ?", (settings.TRUST_DIRS,)).fetchone()
            finally:
                con.close()
            found += [Path(d) for d in settings.decode_dirs(row[0] if row else None)]
        except sqlite3.Error:
            pass  # not a database of ours (or no setting table yet): the folders by path only
    out: builtins.list[Path] = []
    for d in found:
        if d.is_dir() and all(d.resolve() != o.resolve() for o in out):
            out.append(d)
    return out


list = list_anchors  # noqa: A001 - the contract's name (trust_anchors.list); builtins.list is used above
