"""`hocbaso archive verify`: does this folder prove itself? No database, no network, no GUI.

Order matters: list the tree (no file opened), read the three fixed tag files, check every manifest
path BEFORE opening any listed file, compare the tree with the manifests (nothing added, removed or
renamed), hash every file, then the seal over the tag manifest, every record's signatures, the
audit chain and the index. Only modules that run without the application's database are imported
(a test imports this module with storage, sqlalchemy and PySide6 blocked).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ...domain.progress import Progress
from ...domain.vn_dates import vn_datetime
from ...signing.policy import is_school_seal, issued_policy
from ...signing.trust import TrustStore
from ...signing.xml_signature import verify_record
from . import layout
from .audit_chain import check_chain, check_signed_heads
from .bagit_format import (
    BAG_INFO,
    BAGIT_TXT,
    MANIFEST,
    SEAL_CHAIN,
    SEAL_DIR,
    SEAL_FILE,
    TAG_FILES,
    TAGMANIFEST,
    ManifestEntry,
    ManifestError,
    UnsafePath,
    bag_info_value,
    parse_bag_info,
    parse_manifest,
    payload_oxum,
)
from .seal import SealReport, verify_seal
from .transcribed import archive_year_of

CHUNK = 1024 * 1024
MAX_TAG_BYTES = 1024 * 1024
MAX_LISTED = 20  # a report names at most this many files per kind of problem


@dataclass
class ArchiveReport:
    path: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    info: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0
    octets: int = 0
    seal: SealReport | None = None
    records_total: int = 0
    records_ok: int = 0
    received_total: int = 0  # records another school issued (layout.RECEIVED_DIR)
    received_ok: int = 0
    received_untrusted: list[str] = field(default_factory=list)  # intact, but the old school's CA is not trusted here
    transcribed_total: int = 0  # trích lục (layout.TRANSCRIBED_DIR), judged like the school's own records
    transcribed_ok: int = 0
    audit_entries: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def info_value(self, label: str) -> str | None:
        return bag_info_value(self.info, label)

    def lines(self) -> list[str]:
        out = [f"Kho lưu trữ: {self.path}"]
        if self.info:
            out.append(f"Trường: {self.info_value('Source-Organization') or '?'} (mã {self.info_value(layout.SCHOOL_CODE) or '?'}), "
                       f"năm học {self.info_value(layout.SCHOOL_YEAR) or '?'}, loại: {self.info_value(layout.KIND) or '?'}")
            created = self.info_value('Hocbaso-Created') or self.info_value('Bagging-Date')
            out.append(f"Tạo lúc: {vn_datetime(created) if created else '?'}; "
                       f"đầu chuỗi nhật ký: {self.info_value(layout.AUDIT_CHAIN_HEAD) or '?'}")
        out.append(f"Tệp đã kiểm: {self.files} tệp, {self.octets / 1e6:.1f} MB")
        if self.seal is not None:
            out += self.seal.lines()
        if self.records_total:
            out.append(f"Học bạ: {self.records_ok}/{self.records_total} bản có chữ ký số hợp lệ")
        if self.transcribed_total:
            out.append(f"Trích lục từ học bạ giấy: {self.transcribed_ok}/{self.transcribed_total} bản có chữ ký số hợp lệ")
        if self.received_total:
            out.append(f"Học bạ nhận khi chuyển đến (trường khác ký): {self.received_ok}/{self.received_total} bản xác minh "
                       f"được nguồn gốc" + (f", {len(self.received_untrusted)} bản chữ ký nguyên vẹn nhưng chưa tin cậy "
                                            f"được chứng thư của trường cũ" if self.received_untrusted else ""))
        if self.audit_entries is not None:
            out.append(f"Nhật ký thao tác: {self.audit_entries} mục")
        out += [f"Ghi chú: {n}" for n in self.notes]
        out += [f"LỖI: {p}" for p in self.problems]
        out.append("KẾT LUẬN: KHO LƯU TRỮ NGUYÊN VẸN, ĐÃ XÁC MINH." if self.ok
                   else f"KẾT LUẬN: KHÔNG ĐẠT — {len(self.problems)} lỗi. Không dùng kho này làm bản gốc.")
        return out


def _scan(root: Path, report: ArchiveReport) -> dict[str, int]:
    """Every regular file under `root` (relative POSIX path → size) without opening any; symlinks and
    special files are refused, never followed."""
    files: dict[str, int] = {}
    stack = [""]
    while stack:
        rel = stack.pop()
        with os.scandir(root / rel if rel else root) as it:
            for entry in it:
                path = f"{rel}/{entry.name}" if rel else entry.name
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISLNK(st.st_mode):
                    report.problems.append(f"«{path}» là liên kết tượng trưng (symlink): không được phép trong kho")
                elif stat.S_ISDIR(st.st_mode):
                    stack.append(path)
                elif stat.S_ISREG(st.st_mode):
                    files[path] = st.st_size
                else:
                    report.problems.append(f"«{path}» không phải tệp thông thường")
    return files


def _read_small(root: Path, name: str, files: dict[str, int], report: ArchiveReport) -> bytes | None:
    if name not in files:
        report.problems.append(f"thiếu tệp {name}")
        return None
    if files[name] > (64 * 1024 * 1024 if name in (MANIFEST, TAGMANIFEST) else MAX_TAG_BYTES):
        report.problems.append(f"tệp {name} lớn bất thường")
        return None
    with open(root / name, "rb") as f:
        return f.read()


def _sha256_file(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" và {len(items) - MAX_LISTED} tệp khác" if len(items) > MAX_LISTED else "")


def verify_archive(
    path: str | os.PathLike[str], trust: TrustStore, *, allow_unsealed: bool = False,
    progress: Progress | None = None, now: datetime | None = None,
) -> ArchiveReport:
    root = Path(path)
    report = ArchiveReport(root)
    try:
        st = os.lstat(root)
    except OSError as e:
        report.problems.append(f"không mở được thư mục {root}: {e.strerror or e}")
        return report
    if not stat.S_ISDIR(st.st_mode):
        report.problems.append(f"{root} không phải một thư mục kho lưu trữ")
        return report
    try:
        return _verify(root, trust, report, allow_unsealed, progress, now)
    except OSError as e:  # a failing medium: say so, never a traceback
        report.problems.append(f"lỗi đọc ổ đĩa: {e.strerror or e} ({getattr(e, 'filename', '') or ''})")
        return report


def _verify(root: Path, trust: TrustStore, report: ArchiveReport, allow_unsealed: bool,
            progress: Progress | None, now: datetime | None) -> ArchiveReport:
    files = _scan(root, report)
    if report.problems:
        return report
    bagit = _read_small(root, BAGIT_TXT, files, report)
    manifest_raw = _read_small(root, MANIFEST, files, report)
    tag_raw = _read_small(root, TAGMANIFEST, files, report)
    if bagit is None or manifest_raw is None or tag_raw is None:
        report.problems.append("thư mục này không phải một kho lưu trữ BagIt hoàn chỉnh")
        return report
    decl = {k.lower(): v for k, v in _pairs(bagit)}
    if decl.get("bagit-version") != "1.0" or (decl.get("tag-file-character-encoding") or "").upper() != "UTF-8":
        report.problems.append("bagit.txt không khai báo BagIt-Version 1.0 / UTF-8")

    # Every path is checked before any listed file is opened.
    try:
        payload = parse_manifest(manifest_raw, payload=True)
        tags = parse_manifest(tag_raw, payload=False)
    except UnsafePath as e:
        report.problems.append(f"danh mục có đường dẫn nguy hiểm «{e.path!r}»: {e.reason} — từ chối, không mở tệp nào")
        return report
    except ManifestError as e:
        report.problems.append(f"danh mục sai định dạng ({e.line_no and f'dòng {e.line_no}: ' or ''}{e.reason})")
        return report

    _check_completeness(files, payload, tags, report)
    if report.problems:
        return report
    entries = [*tags, *payload]
    total = len(entries)
    for i, entry in enumerate(entries):
        if progress:
            progress(i, total, entry.path)
        if _sha256_file(root / entry.path) != entry.digest:
            report.problems.append(f"tệp «{entry.path}» đã bị thay đổi (mã SHA-256 không khớp danh mục)")
        report.files += 1
        report.octets += files[entry.path]
    if report.problems:
        return report

    info_raw = _read_small(root, BAG_INFO, files, report)
    try:
        report.info = parse_bag_info(info_raw or b"")
    except (UnicodeDecodeError, ValueError) as e:
        report.problems.append(f"bag-info.txt sai định dạng: {e}")
        return report
    oxum = report.info_value("Payload-Oxum")
    if oxum != payload_oxum(files[e.path] for e in payload):
        report.problems.append(f"Payload-Oxum trong bag-info ({oxum}) không khớp dữ liệu thực tế")

    _check_seal(root, files, tag_raw, trust, report, allow_unsealed, now)
    by_path = {e.path: e for e in payload}
    _check_records(root, payload, trust, report, progress)
    _check_records(root, payload, trust, report, progress, transcribed=True)
    _check_received(root, payload, trust, report)
    _check_audit(root, by_path, trust, report)
    _check_index(root, by_path, report)
    _check_database(root, by_path, report)
    if progress:
        progress(total, total, "xong")
    return report


def _pairs(data: bytes) -> list[tuple[str, str]]:
    try:
        return parse_bag_info(data)
    except (UnicodeDecodeError, ValueError):
        return []


def _check_completeness(files: dict[str, int], payload: list[ManifestEntry], tags: list[ManifestEntry],
                        report: ArchiveReport) -> None:
    listed = {e.path for e in payload} | {e.path for e in tags}
    missing_tags = [t for t in TAG_FILES if t not in {e.path for e in tags}]
    if missing_tags:
        report.problems.append(f"tagmanifest-sha256.txt không liệt kê {', '.join(missing_tags)}")
    allowed = listed | {TAGMANIFEST, SEAL_FILE, SEAL_CHAIN}
    missing = sorted(p for p in listed if p not in files)
    extra = sorted(p for p in files if p not in allowed)
    if missing:
        report.problems.append(f"thiếu {len(missing)} tệp có trong danh mục: {_listed(missing)}")
    if extra:
        report.problems.append(f"có {len(extra)} tệp không nằm trong danh mục (bị thêm vào?): {_listed(extra)}")


def _check_seal(root: Path, files: dict[str, int], tag_raw: bytes, trust: TrustStore, report: ArchiveReport,
                allow_unsealed: bool, now: datetime | None) -> None:
    declared = report.info_value(layout.SEAL)
    present = SEAL_FILE in files
    if declared == SEAL_FILE or present:
        if declared != SEAL_FILE:
            report.problems.append("có tệp niêm phong nhưng bag-info không ghi nhận niêm phong")
        if not present:
            report.problems.append(f"bag-info ghi có niêm phong nhưng thiếu tệp {SEAL_FILE}")
            return
        with open(root / SEAL_FILE, "rb") as f:
            seal_der = f.read(2 * 1024 * 1024)
        report.seal = verify_seal(tag_raw, seal_der, trust, now)
        if not report.seal.ok:
            report.problems.append("niêm phong không hợp lệ: " + "; ".join(report.seal.problems))
        elif report.seal.certificate is None or not is_school_seal(report.seal.certificate, _school(report)):
            # Any trusted certificate is not enough: a teacher's valid personal certificate could
            # then reseal an archive she cut. Only the school's own organisation certificate seals.
            report.problems.append(f"niêm phong không hợp lệ: con dấu không phải chứng thư tổ chức của trường "
                                   f"«{_school(report) or 'không ghi tên trường'}» (chứng thư của «{report.seal.signer}»)")
        _check_chain_file(root, files, report)
        return
    if SEAL_CHAIN in files:
        report.problems.append(f"có {SEAL_CHAIN} nhưng không có tệp niêm phong")
    if allow_unsealed:
        report.notes.append("kho KHÔNG được niêm phong: mã băm chỉ chứng minh các tệp khớp nhau, "
                            "không chứng minh ai đã tạo kho")
    else:
        report.problems.append("kho không được niêm phong (không có chữ ký số trên danh mục): không chứng minh được "
                               "nguồn gốc (lệnh «hocbaso archive verify --allow-unsealed» chỉ kiểm tra mã băm)")


def _check_chain_file(root: Path, files: dict[str, int], report: ArchiveReport) -> None:
    """seal/chain.pem is outside the signature (it serves openssl by hand): it must still be there and
    begin with the very certificate that made the seal, so a swapped file cannot mislead a manual check."""
    from cryptography import x509

    if SEAL_CHAIN not in files:
        report.problems.append(f"thiếu tệp {SEAL_CHAIN}")
        return
    with open(root / SEAL_CHAIN, "rb") as f:
        data = f.read(MAX_TAG_BYTES)
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        certs = []
    if not certs or report.seal is None or format(certs[0].serial_number, "x") != report.seal.serial_hex:
        report.problems.append(f"{SEAL_CHAIN} không chứa đúng chứng thư đã niêm phong")


def _school(report: ArchiveReport) -> str:
    return (report.info_value("Source-Organization") or "").strip()


def _check_records(root: Path, payload: list[ManifestEntry], trust: TrustStore, report: ArchiveReport,
                   progress: Progress | None, transcribed: bool = False) -> None:
    """Every record is judged as `hocbaso verify` judges an issued one: its signatures, then the
    signature policy (GVCN → board → the seal of the school the record names), each broken rule named;
    and the school it names must be the archive's. `transcribed`: the trích lục folder, signed by this
    school too (principal → seal), each file there must say it is one (trichluc 1)."""
    from ...signing.record_shape import NS

    folder = layout.TRANSCRIBED_DIR if transcribed else layout.RECORDS_DIR
    what = "trích lục" if transcribed else "học bạ"
    xmls = [e for e in payload if e.path.startswith(folder + "/") and e.path.endswith(".xml")]
    if transcribed:
        report.transcribed_total = len(xmls)
    else:
        report.records_total = len(xmls)
    policy = issued_policy()  # GVBM optional: the archive does not carry the school's GVBM setting
    school = _school(report)
    for i, e in enumerate(xmls):
        if progress:
            progress(i, len(xmls), f"chữ ký học bạ {e.path}")
        with open(root / e.path, "rb") as f:
            result = verify_record(f.read(), trust, policy=policy)
        why = [*result.problems, *(r for s in result.signatures for r in s.reasons), *result.policy_problems]
        if result.ok and result.signed_content is not None:
            from lxml import etree

            content = etree.fromstring(result.signed_content)
            named = (content.findtext(f"{{{NS}}}tentruong") or "").strip()
            if _norm(named) != _norm(school):
                why.append(f"học bạ ghi trường «{named}», kho lưu trữ là của trường «{school}»")
            flag = (content.findtext(f"{{{NS}}}trichluc") or "").strip()
            if transcribed and not e.path.endswith("_thuhoi.xml") and flag not in ("1", "true"):
                why.append("tệp trong thư mục trích lục nhưng học bạ không ghi là trích lục (trichluc)")
        if result.ok and not why:
            if transcribed:
                report.transcribed_ok += 1
            else:
                report.records_ok += 1
        else:
            report.problems.append(f"{what} «{e.path}»: {'; '.join(why) or 'chữ ký không hợp lệ'}")


def _check_received(root: Path, payload: list[ManifestEntry], trust: TrustStore, report: ArchiveReport) -> None:
    """Records another school issued and this one received by transfer. They are judged apart from the
    school's own: the seal proves this school put them in the archive byte for byte, their own signatures
    prove who issued them. A broken signature (content changed since it was signed), a malformed file or
    a broken signing rule is a problem of the archive; a signature that is intact but chains to a CA this
    trust store does not hold is only noted, per file, since the archive's verifier need not trust every
    school a pupil came from — the seal and the school's own records are judged unchanged."""
    xmls = [e for e in payload if e.path.startswith(layout.RECEIVED_DIR + "/") and e.path.endswith(".xml")]
    report.received_total = len(xmls)
    for e in xmls:
        with open(root / e.path, "rb") as f:
            result = verify_record(f.read(), trust, policy=issued_policy())
        if result.ok:
            report.received_ok += 1
            continue
        broken = bool(result.problems) or not result.signatures or any(not s.intact for s in result.signatures)
        reasons = [*result.problems, *(f"chữ ký thứ {s.index} ({s.role_label}, {s.signer or '?'}): {r}"
                                       for s in result.signatures for r in s.reasons)]
        if broken or all(s.valid for s in result.signatures):  # intact and trusted, yet a signing rule broken
            why = "; ".join([*reasons, *result.policy_problems]) or "chữ ký không hợp lệ"
            report.problems.append(f"học bạ nhận khi chuyển đến «{e.path}»: chữ ký số hỏng — nội dung không còn là "
                                   f"bản trường cũ đã ký ({why})")
        else:
            report.received_untrusted.append(e.path)
            report.notes.append(f"học bạ nhận khi chuyển đến «{e.path}»: chữ ký nguyên vẹn nhưng chưa xác minh được "
                                f"nguồn gốc ({'; '.join(reasons) or 'chứng thư không tin cậy'}) — thêm chứng thư gốc "
                                f"của trường cũ (--trust) để xác minh; niêm phong của kho không bị ảnh hưởng")


def _norm(text: str) -> str:
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _check_audit(root: Path, by_path: dict[str, ManifestEntry], trust: TrustStore, report: ArchiveReport) -> None:
    if layout.AUDIT_LOG not in by_path:
        report.problems.append(f"thiếu nhật ký thao tác {layout.AUDIT_LOG}")
        return
    with open(root / layout.AUDIT_LOG, encoding="utf-8") as f:
        chain = check_chain(f)
    report.audit_entries = chain.count
    if not chain.ok:
        report.problems.append(f"nhật ký thao tác: {chain.reason}")
        return
    report.problems.extend(f"nhật ký thao tác: {p}" for p in check_signed_heads(chain, trust, _school(report)))
    head = f"{chain.head[0]} {chain.head[1]}"
    if report.info_value(layout.AUDIT_CHAIN_HEAD) != head:
        report.problems.append("đầu chuỗi nhật ký trong bag-info không khớp nhật ký trong kho")
    if layout.AUDIT_HEAD in by_path:
        with open(root / layout.AUDIT_HEAD, encoding="utf-8") as f:
            if f.read(200).strip() != head:
                report.problems.append(f"{layout.AUDIT_HEAD} không khớp nhật ký trong kho")


def _index_section(index: dict[str, Any], key: str, folder: str, by_path: dict[str, ManifestEntry],
                   report: ArchiveReport, mismatch: str) -> list[tuple[str, str]]:
    """The (path, sha256) pairs a section of the index lists (a record and its withdrawal document), and
    a problem when the bag's folder holds another number of XML files than the index lists."""
    try:
        rows = index.get(key) or []
        listed = [(r["xml"], r["sha256"]) for r in rows]
        listed += [(r["withdrawal"]["xml"], r["withdrawal"]["sha256"]) for r in rows if r.get("withdrawal")]
    except (KeyError, TypeError) as e:
        report.problems.append(f"mục lục {layout.INDEX}: mục «{key}» sai định dạng ({e})")
        return []
    found = sum(1 for p in by_path if p.startswith(folder + "/") and p.endswith(".xml"))
    if found != len(listed):
        report.problems.append(mismatch.format(listed=len(listed), found=found))
    return listed


def _check_index(root: Path, by_path: dict[str, ManifestEntry], report: ArchiveReport) -> None:
    if layout.INDEX not in by_path:
        report.problems.append(f"thiếu mục lục {layout.INDEX}")
        return
    try:
        index = load_index(root)
        versions = [r for c in index["classes"] for s in c["students"] for r in s["records"]]
        listed = [(r["xml"], r["sha256"]) for r in versions]
        listed += [(r["withdrawal"]["xml"], r["withdrawal"]["sha256"]) for r in versions if r.get("withdrawal")]
    except (ValueError, KeyError, TypeError) as e:
        report.problems.append(f"mục lục {layout.INDEX} sai định dạng ({e})")
        return
    received = _index_section(index, "received", layout.RECEIVED_DIR, by_path, report,
                              "mục lục ghi {listed} học bạ nhận khi chuyển đến nhưng kho có {found} tệp")
    paper = _index_section(index, "transcribed", layout.TRANSCRIBED_DIR, by_path, report,
                           "mục lục ghi {listed} tệp trích lục nhưng kho có {found} tệp XML trích lục")
    for xml_path, digest in [*listed, *received, *paper]:
        entry = by_path.get(xml_path)
        if entry is None or entry.digest != digest:
            report.problems.append(f"mục lục ghi học bạ «{xml_path}» nhưng kho không có đúng tệp đó")
    on_disk = sum(1 for p in by_path if p.startswith(layout.RECORDS_DIR + "/") and p.endswith(".xml"))
    if on_disk != len(listed):
        report.problems.append(f"mục lục ghi {len(listed)} bản học bạ nhưng kho có {on_disk} tệp XML học bạ")


def _check_database(root: Path, by_path: dict[str, ManifestEntry], report: ArchiveReport) -> None:
    """The embedded database must list exactly the records the archive holds: every issued, replaced
    or withdrawn version of the year has its XML, byte for byte (sha256), and no XML is unlisted.
    The same for the trích lục issued during the year. Read with the standard sqlite3 module,
    read-only and immutable: no storage layer needed."""
    import sqlite3

    if layout.DB_SNAPSHOT not in by_path:
        report.problems.append(f"thiếu cơ sở dữ liệu {layout.DB_SNAPSHOT}")
        return
    year = report.info_value(layout.SCHOOL_YEAR) or ""
    try:
        con = sqlite3.connect(f"{(root / layout.DB_SNAPSHOT).resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            rows = con.execute(
                "SELECT r.id, r.status, r.signed_xml FROM record r JOIN school_year y ON y.id = r.year_id "
                "WHERE y.name = ? AND r.status IN ('issued', 'replaced', 'withdrawn')", (year,)).fetchall()
            # the sealed withdrawal documents (migration 0014; an archive written before has none)
            if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'record_withdrawal'").fetchone():
                rows += con.execute(
                    "SELECT r.id, 'thu hồi', w.signed_xml FROM record_withdrawal w JOIN record r ON r.id = w.record_id "
                    "JOIN school_year y ON y.id = r.year_id WHERE y.name = ?", (year,)).fetchall()
            paper = _transcribed_rows(con, year)
        finally:
            con.close()
    except sqlite3.Error as e:
        report.problems.append(f"cơ sở dữ liệu trong kho không đọc được ({e})")
        return
    _compare_with_database(rows, by_path, layout.RECORDS_DIR, "học bạ", report)
    _compare_with_database(paper, by_path, layout.TRANSCRIBED_DIR, "trích lục", report)


def _transcribed_rows(con, year: str) -> list[tuple]:  # noqa: ANN001 - sqlite3.Connection
    """The trích lục the snapshot says this year's archive holds: issued (then maybe replaced or
    withdrawn) during the year, by the export's own rule (an archive written before 0015 has none)."""
    from datetime import date

    cols = {r[1] for r in con.execute("PRAGMA table_info(school_year)")}
    if "kind" not in cols:
        return []
    live = [(n, date.fromisoformat(str(d)[:10]) if d else None)
            for n, d in con.execute("SELECT name, start_date FROM school_year WHERE kind = 'live'")]
    recs = con.execute(
        "SELECT r.id, r.status, r.signed_xml, r.issued_at FROM record r JOIN school_year y ON y.id = r.year_id "
        "WHERE y.kind = 'transcribed' AND r.status IN ('issued', 'replaced', 'withdrawn') AND r.issued_at IS NOT NULL"
    ).fetchall()
    mine = {i: (i, st, xml) for i, st, xml, at in recs if archive_year_of(date.fromisoformat(str(at)[:10]), live) == year}
    out = list(mine.values())
    if mine and con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'record_withdrawal'").fetchone():
        out += [(i, "thu hồi", xml) for i, xml in con.execute("SELECT record_id, signed_xml FROM record_withdrawal")
                if i in mine]
    return out


def _compare_with_database(rows: list[tuple], by_path: dict[str, ManifestEntry], folder: str, what: str,
                           report: ArchiveReport) -> None:
    import hashlib

    digests = [(i, st, hashlib.sha256(bytes(xml or b"")).hexdigest()) for i, st, xml in rows]
    in_db = {d for _id, _st, d in digests}
    on_disk: dict[str, str] = {}
    for p, entry in by_path.items():
        if p.startswith(folder + "/") and p.endswith(".xml"):
            on_disk[entry.digest] = p
    missing = sorted(f"#{i} ({st})" for i, st, d in digests if d not in on_disk)
    if missing:
        report.problems.append(f"cơ sở dữ liệu trong kho ghi {len(missing)} {what} đã ký không có trong kho "
                               f"(bị gỡ khỏi kho?): {_listed(missing)}")
    unlisted = sorted(p for d, p in on_disk.items() if d not in in_db)
    if unlisted:
        report.problems.append(f"có {len(unlisted)} {what} trong kho không có trong cơ sở dữ liệu kèm theo: {_listed(unlisted)}")


def load_index(root: str | os.PathLike[str]) -> dict:
    """The archive's index (data/muc-luc.json); for the verifier and the read-only browser."""
    p = Path(root) / layout.INDEX
    if p.is_symlink():
        raise ValueError("mục lục là liên kết tượng trưng")
    with open(p, "rb") as f:
        data = f.read(layout.MAX_INDEX_BYTES + 1)
    if len(data) > layout.MAX_INDEX_BYTES:
        raise ValueError("mục lục quá lớn")
    index = json.loads(data.decode("utf-8"))
    if not isinstance(index, dict) or index.get("format") != layout.INDEX_FORMAT:
        raise ValueError("không phải mục lục kho lưu trữ Học bạ số")
    return index


__all__ = ["ArchiveReport", "SEAL_DIR", "load_index", "verify_archive"]
