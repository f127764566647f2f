"""Exporting a school year as a sealed BagIt archive onto external media (issue 9; seed 004, Điều 10).

Iterate an `ArchiveExport` to run it: it yields ArchiveProgress between steps and checks the cancel
flag between files; afterwards `.result` tells where the archive is. The GUI iterates it on a worker
thread; the token is only touched through the token lane (inside the signing layer).

Steps: rights and year checks → integrity_check + foreign_key_check → online-backup snapshot →
payload built from the snapshot in a local staging folder → bag-info, manifests → seal (CMS over
the tag manifest, with the school seal's or the principal's token) → pre-flight on the medium →
write (temp folder, fsync, rename) → read back and re-hash → audit. A failure after the snapshot is
audited as `archive.export.failed`; success as `archive.export`.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

from .. import __version__
from ..domain import rights
from ..domain.errors import HocbasoError, PermissionDenied, StoreError
from ..exchange.archive import layout
from ..exchange.archive.bagit_format import (
    BAG_INFO,
    BAGIT_DECLARATION,
    BAGIT_TXT,
    MANIFEST,
    SEAL_CHAIN,
    SEAL_FILE,
    TAG_FILES,
    TAGMANIFEST,
    format_bag_info,
    format_manifest,
    payload_oxum,
)
from ..exchange.archive.medium import human_size, preflight
from ..exchange.archive.readme import ReadmeFacts, readme_text
from ..exchange.archive.writer import ExportCancelled, MediumWriteError, write_to_medium
from ..signing import PinPrompt, Pkcs11Provider
from ..storage.engine import Store
from . import directory, year_lock
from .archive_content import ContentFacts, Staging, build_content, snapshot_database

VN_TZ = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class ArchiveProgress:
    stage: str  # Vietnamese: "kiểm tra", "học bạ", "bản giấy", "niêm phong", "ghi", "đọc lại"…
    done: int
    total: int
    label: str = ""


@dataclass(frozen=True)
class SealWith:
    """How to seal: the provider, which token, and who types the PIN."""

    provider: Pkcs11Provider
    prompt: PinPrompt
    token_label: str | None = None


@dataclass(frozen=True)
class ExportResult:
    path: Path
    interim: bool
    sealed_by: str | None
    files: int
    octets: int
    facts: ContentFacts


class ArchiveExport:
    def __init__(self, store: Store, year: str, target_dir: str | Path, actor_code: str, *,
                 partial: bool = False, seal: SealWith | None = None, cancel: Callable[[], bool] = lambda: False,
                 now: datetime | None = None) -> None:
        self.store, self.year, self.target_dir = store, year.strip(), Path(target_dir)
        self.actor_code, self.partial, self.seal, self.cancel = actor_code, partial, seal, cancel
        self.now = (now or datetime.now(VN_TZ)).astimezone(VN_TZ).replace(microsecond=0)
        self.result: ExportResult | None = None

    # ---- checks before anything is written ------------------------------------------------------
    def _check(self) -> year_lock.YearStatus:
        actor = directory.actor(self.store, self.actor_code, self.year)
        if actor.is_system:  # an archive names the person who made it
            raise PermissionDenied(f"xuất kho lưu trữ năm học {self.year}", "một cán bộ cụ thể (chọn người thao tác)")
        rights.require(actor, rights.EXPORT_ARCHIVE, self.year)
        status = year_lock.year_status(self.store, self.year)
        if not status.locked and not self.partial:
            raise HocbasoError(f"Năm học {status.name} chưa khóa: kho lưu trữ chính thức chỉ tạo sau khi Hiệu trưởng khóa "
                               "năm học. Để sao lưu giữa năm, tạo bản TẠM (ô «Bản TẠM» trong hộp thoại xuất, "
                               "hoặc lệnh «hocbaso archive export --partial»).")
        if not self.target_dir.is_dir():
            raise HocbasoError(f"Không có thư mục đích {self.target_dir}")
        problems = self.store.integrity_check()
        if problems:
            raise StoreError("Cơ sở dữ liệu không qua kiểm tra toàn vẹn (integrity_check / foreign_key_check): "
                             + "; ".join(problems[:5]))
        return status

    def bag_name(self, school_code: str) -> str:
        code = "".join(ch for ch in school_code if ch.isascii() and ch.isalnum()) or "truong"
        return f"HocBaSo_{code}_{self.year}_{self.now:%Y%m%d-%H%M%S}" + ("_TAM" if self.partial else "")

    # ---- the run ----------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[ArchiveProgress]:
        yield ArchiveProgress("kiểm tra", 0, 1, "kiểm tra quyền, năm học và tính toàn vẹn của cơ sở dữ liệu")
        status = self._check()
        staging_root = Path(tempfile.mkdtemp(prefix="hocbaso-archive-"))
        try:
            yield from self._run(status, staging_root)
        except (HocbasoError, OSError) as e:
            self._audit_failure(e)
            raise
        except GeneratorExit:  # the caller stopped iterating: same as Cancel
            self._audit_failure(ExportCancelled("Đã hủy."))
            raise
        finally:
            shutil.rmtree(staging_root, ignore_errors=True)

    def _run(self, status: year_lock.YearStatus, staging_root: Path) -> Iterator[ArchiveProgress]:
        bag = staging_root / "bag"
        bag.mkdir()
        st = Staging(bag)
        # Records issued before copies were stored get theirs now, once, in the live database (one
        # transaction): the snapshot then holds them, and no later export renders them again.
        from .paper_copies import backfill_steps

        for done, total, label in backfill_steps(self.store, self.actor_code, cancel=self.cancel):
            yield ArchiveProgress("bản giấy (bổ sung)", done, total, label)
        yield ArchiveProgress("sao lưu CSDL", 0, 1, "chụp bản sao cơ sở dữ liệu (SQLite online backup)")
        snap = bag / layout.DB_SNAPSHOT
        snap.parent.mkdir(parents=True)
        snapshot_database(self.store, snap)
        st.adopt(layout.DB_SNAPSHOT)
        work_path = staging_root / "work.sqlite3"
        shutil.copyfile(snap, work_path)
        facts = ContentFacts()
        work = Store.open(work_path, migrate=False)
        try:
            for stage, done, total, label in build_content(work, self.year, st, facts, self.store.read_anchor(), self.cancel):
                yield ArchiveProgress(stage, done, total, label)
        finally:
            work.close()
        school = directory.school(self.store)
        school_name, school_code = (school.name, school.moet_code) if school else ("", "")
        st.put(layout.README, readme_text(ReadmeFacts(
            school_name, school_code, self.year, self.partial and not status.locked, self.seal is not None,
            self.now.isoformat(), facts.classes, facts.students, facts.issued + facts.replaced + facts.withdrawn,
            facts.summary_pdf, facts.transcribed)).encode("utf-8"))

        payload = {rel: f for rel, f in st.files.items()}
        st.put(BAGIT_TXT, BAGIT_DECLARATION)
        st.put(BAG_INFO, format_bag_info(self._bag_info(status, school, facts, payload.values())))
        st.put(MANIFEST, format_manifest((f.rel, f.sha256) for f in payload.values()))
        st.put(TAGMANIFEST, format_manifest((t, st.files[t].sha256) for t in TAG_FILES))
        sealed_by = None
        if self.seal is not None:
            yield ArchiveProgress("niêm phong", 0, 1, "ký số niêm phong danh mục (cần mã PIN thiết bị ký số)")
            der, pem, sealed_by = self._seal((bag / TAGMANIFEST).read_bytes())
            st.put(SEAL_FILE, der)
            st.put(SEAL_CHAIN, pem)
            yield ArchiveProgress("niêm phong", 1, 1, f"đã niêm phong bởi {sealed_by}")

        files = list(st.files.values())
        total = sum(f.size for f in files)
        check = preflight(self.target_dir, total, max(f.size for f in files))
        if not check.ok:
            raise MediumWriteError("Không ghi được vào ổ đích: " + "; ".join(check.problems))
        name = self.bag_name(school_code)
        for p in write_to_medium(bag, files, self.target_dir, name, self.cancel):
            yield ArchiveProgress(p.stage, p.done, p.total, p.label)
        final = self.target_dir / name
        self.result = ExportResult(final, self.partial and not status.locked, sealed_by, len(files), total, facts)
        with self.store.transaction(self.actor_code) as tx:
            tx.audit("archive.export", "school_year", self.year, {
                "path": str(final), "kind": "interim" if self.result.interim else "final", "sealed_by": sealed_by,
                "files": len(files), "bytes": total, "audit_head": list(facts.audit_head),
                "tagmanifest_sha256": st.files[TAGMANIFEST].sha256, "file_system": check.fs_type,
            })
        yield ArchiveProgress("xong", 1, 1, str(final))

    def _bag_info(self, status: year_lock.YearStatus, school: directory.SchoolSnapshot | None, facts: ContentFacts,
                  payload) -> list[tuple[str, str]]:  # noqa: ANN001 - Iterable[StagedFile]
        sizes = [f.size for f in payload]
        interim = self.partial and not status.locked
        return [
            ("Source-Organization", school.name if school else ""),
            ("Organization-Address", school.address if school else ""),
            ("External-Identifier", self.bag_name(school.moet_code if school else "")),
            ("External-Description", f"Kho lưu trữ Học bạ số năm học {self.year}" + (" — BẢN TẠM" if interim else "")),
            ("Bagging-Date", self.now.date().isoformat()),
            ("Bag-Software-Agent", f"hocbaso-desktop {__version__}"),
            ("Payload-Oxum", payload_oxum(sizes)),
            ("Bag-Size", human_size(sum(sizes))),
            (layout.KIND, layout.KIND_INTERIM if interim else layout.KIND_FINAL),
            (layout.SCHOOL_CODE, school.moet_code if school else ""),
            (layout.SCHOOL_YEAR, self.year),
            (layout.YEAR_LOCKED, status.locked_at.isoformat() if status.locked and status.locked_at else "chưa khóa"),
            ("Hocbaso-Created", self.now.isoformat()),
            ("Hocbaso-Exported-By", self.actor_code),
            ("Hocbaso-Classes", str(facts.classes)),
            ("Hocbaso-Students", str(facts.students)),
            ("Hocbaso-Records-Issued", str(facts.issued)),
            ("Hocbaso-Records-Replaced", str(facts.replaced)),
            ("Hocbaso-Records-Withdrawn", str(facts.withdrawn)),
            ("Hocbaso-Records-Not-Issued", str(facts.not_issued)),
            ("Hocbaso-Records-Deferred-Supplementary", str(facts.deferred)),
            ("Hocbaso-Paper-Copies", str(facts.paper_copies)),
            ("Hocbaso-Records-Received", str(facts.received)),
            ("Hocbaso-Records-Transcribed", str(facts.transcribed)),
            ("Hocbaso-Records-Transcribed-Not-Issued", str(len(facts.transcribed_pending))),
            ("Hocbaso-Class-Summaries", f"{facts.summaries_xlsx} xlsx; PDF: " + ("có" if facts.summary_pdf else "chưa có")),
            ("Hocbaso-Audit-Entries", str(facts.audit_entries)),
            (layout.AUDIT_CHAIN_HEAD, f"{facts.audit_head[0]} {facts.audit_head[1]}"),
            (layout.SEAL, SEAL_FILE if self.seal is not None else layout.NO_SEAL),
            *(("Hocbaso-Warning", w) for w in facts.warnings),
        ]

    def _seal(self, tagmanifest: bytes) -> tuple[bytes, bytes, str]:
        assert self.seal is not None
        return seal_bytes(self.store, self.actor_code, self.seal, tagmanifest)

    def _audit_failure(self, error: BaseException) -> None:
        reason = getattr(error, "message", None) or str(error)
        try:
            with self.store.transaction(self.actor_code) as tx:
                tx.audit("archive.export.failed", "school_year", self.year, {
                    "target": str(self.target_dir), "reason": reason, "partial": self.partial})
        except Exception:  # noqa: BLE001 - the original error is what the user must see
            pass


def seal_bytes(store: Store, actor_code: str, seal: SealWith, content: bytes) -> tuple[bytes, bytes, str]:
    """CMS seal over `content` with the school's seal: an organisation certificate of the school,
    registered as its seal (services/certificates.require_registered, as for the seal signature of a
    record; first use by the person logged in registers it). Nothing else seals, not even the
    principal's own certificate: a verifier accepts only the school's seal (policy.is_school_seal).
    Shared by the archive and the transfer package."""
    from sqlalchemy import select

    from ..exchange.archive.seal import create_seal
    from ..storage.models import Staff
    from .certificates import CertificateNotRegistered, require_registered
    from .signing_service import choose_certificate, school_name

    with store.read() as s:
        staff_id = s.execute(select(Staff.id).where(Staff.code == actor_code)).scalar()
    if staff_id is None:
        raise CertificateNotRegistered("niêm phong", f"«{actor_code}» không phải cán bộ của trường")
    choice = choose_certificate(seal.provider, seal.token_label, "seal", "", school_name(store))
    require_registered(store, actor_code, staff_id, "seal", choice.certificate.certificate())
    with seal.provider.open_session(choice.token.label, choice.token.serial, prompt=seal.prompt, attempts=3) as session:
        cert = next(c for c in session.signing_certificates() if c.cert_id == choice.certificate.cert_id)
        der, pem = create_seal(content, session.signing_key(cert), session.chain_for(cert.certificate()))
    return der, pem, cert.common_name


def export_archive(store: Store, year: str, target_dir: str | Path, actor_code: str, **kw) -> ExportResult:  # noqa: ANN003
    """Run to the end (tests, scripts); raises on failure."""
    run = ArchiveExport(store, year, target_dir, actor_code, **kw)
    for _ in run:
        pass
    assert run.result is not None
    return run.result
