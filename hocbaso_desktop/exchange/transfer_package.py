"""The transfer package (gói chuyển trường): one .zip file carrying a student's whole record book.

Why a zip and not one XML: the package holds byte-exact signed records and PDF paper copies. Nesting
signed XML inside another XML invites re-serialisation (a changed byte breaks the signature) and
signature-wrapping games, and PDFs would have to travel base64-encoded; a zip keeps every member as
the bytes that were hashed, is one file to e-mail or carry on a USB stick, and opens anywhere.

Inside, the same BagIt layout and CMS seal as the yearly archive (exchange/archive/), so the same
`openssl cms -verify` works by hand and the same code checks it:

    bagit.txt, bag-info.txt
    manifest-sha256.txt         SHA-256 of every data/ member
    tagmanifest-sha256.txt      SHA-256 of bagit.txt, bag-info.txt, manifest-sha256.txt
    seal/tagmanifest-sha256.txt.p7s, seal/chain.pem   detached CMS by the sending school (seal or principal)
    data/hocba.json             student, learning history (_quatrinhhoctap), one entry per record version
    data/records/<năm học>/v<N>.xml   every issued version (issued, replaced, withdrawn), as signed
    data/paper/<năm học>-v<N>.pdf     the paper copy of that version
    (hocba.json "evaluations": the current year's periods evaluated so far, for a mid-year transfer:
     exchange/carried_periods.py)

Reading treats the file as hostile: size and member-count limits, every name through the archive's
path check (zip slip), no duplicate, encrypted, linked or oversized members, decompression capped
while reading (a lying header cannot inflate past the limit). Qt-free and database-free.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from cryptography import x509

from ..domain.errors import InputFileError
from ..fileio import write_atomic
from ..signing.trust import TrustStore
from .archive.bagit_format import (
    BAG_INFO,
    BAGIT_DECLARATION,
    BAGIT_TXT,
    MANIFEST,
    SEAL_CHAIN,
    SEAL_FILE,
    TAG_FILES,
    TAGMANIFEST,
    ManifestError,
    UnsafePath,
    bag_info_value,
    check_relative_path,
    format_bag_info,
    format_manifest,
    parse_bag_info,
    parse_manifest,
)
from .archive.seal import SealReport, verify_seal
from .carried_periods import BadCarried, CarriedYear, parse_carried

FORMAT = "hocbaso-chuyen-truong"
FORMAT_VERSION = 1
META = "data/hocba.json"
MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # five years × a few versions × (XML + PDF) is a few MB
MAX_MEMBERS = 400
MAX_MEMBER_BYTES = 25 * 1024 * 1024
MAX_RATIO = 200  # deflate rarely beats 10:1 on XML/PDF; a bomb is in the thousands
MAX_META_BYTES = 2 * 1024 * 1024

Sealer = Callable[[bytes], tuple[bytes, bytes]]  # tagmanifest bytes → (CMS DER, chain PEM)


def record_member(year: str, version: int) -> str:
    return f"data/records/{year}/v{version}.xml"


def paper_member(year: str, version: int) -> str:
    return f"data/paper/{year}-v{version}.pdf"


def build_package(payload: dict[str, bytes], bag_info: Sequence[tuple[str, str]], seal: Sealer) -> bytes:
    """Zip bytes of a sealed package; `payload` maps data/… member names to their bytes."""
    for name in payload:
        if not name.startswith("data/"):
            raise ValueError(name)
        check_relative_path(name)
    members: dict[str, bytes] = {BAGIT_TXT: BAGIT_DECLARATION, BAG_INFO: format_bag_info(bag_info)}
    members[MANIFEST] = format_manifest((n, _sha(b)) for n, b in sorted(payload.items()))
    members[TAGMANIFEST] = format_manifest((t, _sha(members[t])) for t in TAG_FILES)
    der, pem = seal(members[TAGMANIFEST])
    members[SEAL_FILE], members[SEAL_CHAIN] = der, pem
    members.update(payload)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible bytes
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".pdf") else zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            z.writestr(info, data)
    return buf.getvalue()


def write_package_file(data: bytes, path: str | Path) -> Path:
    """The one safe writer (temp → fsync → rename → read back), creating the folder if needed."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(p, data)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- reading ----------------------------------------------------------------------------------------


class PackageRefused(InputFileError):
    """The file is not a package we will open at all (hostile or broken); `message` is Vietnamese."""

    exit_code = 1


def read_members(data: bytes, source: str = "gói chuyển trường") -> dict[str, bytes]:
    """Every member of the zip, after the hostile-archive checks. Raises PackageRefused."""
    def refuse(why: str) -> PackageRefused:
        return PackageRefused(f"{source}: bị từ chối — {why}")

    if len(data) > MAX_PACKAGE_BYTES:
        raise refuse(f"tệp quá lớn ({len(data)} byte)")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise refuse(f"không phải tệp nén .zip hợp lệ ({e})") from None
    if len(infos) > MAX_MEMBERS:
        raise refuse(f"có {len(infos)} tệp bên trong, quá nhiều")
    out: dict[str, bytes] = {}
    total = 0
    for info in infos:
        name = info.filename
        if info.is_dir():
            continue
        try:
            check_relative_path(name)
        except UnsafePath as e:
            raise refuse(f"đường dẫn nguy hiểm «{name}»: {e.reason}") from None
        if name in out:
            raise refuse(f"tệp «{name}» xuất hiện hai lần")
        if info.flag_bits & 0x1:
            raise refuse(f"tệp «{name}» được mã hoá")
        mode = info.external_attr >> 16
        if mode and stat.S_ISLNK(mode):
            raise refuse(f"«{name}» là liên kết (symlink)")
        if info.file_size > MAX_MEMBER_BYTES:
            raise refuse(f"tệp «{name}» quá lớn ({info.file_size} byte)")
        if info.compress_size and info.file_size > 1024 * 1024 and info.file_size / info.compress_size > MAX_RATIO:
            raise refuse(f"tệp «{name}» có tỉ lệ nén bất thường (nghi «bom nén»)")
        try:
            with z.open(info) as f:
                body = f.read(MAX_MEMBER_BYTES + 1)  # the header may lie: cap what we inflate
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as e:
            raise refuse(f"không đọc được «{name}» ({e})") from None
        if len(body) > MAX_MEMBER_BYTES:
            raise refuse(f"tệp «{name}» quá lớn khi giải nén")
        total += len(body)
        if total > MAX_PACKAGE_BYTES:
            raise refuse("tổng dung lượng giải nén quá lớn")
        out[name] = body
    return out


@dataclass
class PackageCheck:
    """What a package says and whether it can be trusted. `problems` empty and a good seal → ok."""

    package_sha256: str
    members: dict[str, bytes] = field(default_factory=dict, repr=False)
    meta: dict[str, Any] | None = None
    seal: SealReport | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    record_lines: list[str] = field(default_factory=list)
    # (meta entry, what its signed content says) of every record that verified, in package order
    signed_records: list[tuple[dict[str, Any], "SignedFacts"]] = field(default_factory=list)
    # the periods of the current year evaluated at the old school (mid-year transfer), validated
    carried: CarriedYear | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.seal is not None and self.seal.ok and self.meta is not None

    def lines(self) -> list[str]:
        out = [f"Gói chuyển trường: {'HỢP LỆ' if self.ok else 'BỊ TỪ CHỐI'}"]
        if self.meta:
            st, sc = self.meta.get("student", {}), self.meta.get("school", {})
            out.append(f"  Học sinh: {st.get('full_name', '?')} — mã định danh {st.get('personal_id', '?')}")
            out.append(f"  Trường chuyển đi: {sc.get('name', '?')} ({sc.get('province', '')})")
        if self.carried is not None and self.carried.periods:
            out.append(f"  Các kì đã đánh giá ở trường cũ (năm học {self.carried.school_year}, lớp "
                       f"{self.carried.class_name}): {', '.join(p.period for p in self.carried.periods)}")
        if self.seal is not None:
            out += ["  " + x for x in self.seal.lines()]
        out += ["  " + x for x in self.record_lines]
        out += [f"  LỖI: {p}" for p in self.problems]
        out += [f"  Lưu ý: {n}" for n in self.notes]
        return out


def check_bag(members: dict[str, bytes], trust: TrustStore, check: PackageCheck) -> None:
    """Manifests complete and matching, seal valid and trusted; problems appended to `check`."""
    for name in (BAGIT_TXT, BAG_INFO, MANIFEST, TAGMANIFEST):
        if name not in members:
            check.problems.append(f"thiếu tệp {name}")
    if check.problems:
        return
    try:
        payload = parse_manifest(members[MANIFEST], payload=True)
        tags = parse_manifest(members[TAGMANIFEST], payload=False)
    except (ManifestError, UnsafePath) as e:
        check.problems.append(f"danh mục hỏng: {e}")
        return
    if SEAL_FILE not in members:
        check.problems.append("gói không có niêm phong (chữ ký số của trường chuyển đi)")
    else:
        check.seal = verify_seal(members[TAGMANIFEST], members[SEAL_FILE], trust)
    listed_tags = {e.path: e.digest for e in tags}
    for t in TAG_FILES:
        if t not in listed_tags:
            check.problems.append(f"{TAGMANIFEST} không liệt kê {t}")
        elif _sha(members[t]) != listed_tags[t].lower():
            check.problems.append(f"{t} đã bị thay đổi (mã băm SHA-256 không khớp danh mục)")
    listed = {e.path: e.digest for e in payload}
    for path, digest in listed.items():
        if path not in members:
            check.problems.append(f"thiếu tệp {path} (có trong danh mục)")
        elif _sha(members[path]) != digest.lower():
            check.problems.append(f"{path} đã bị thay đổi (mã băm SHA-256 không khớp danh mục)")
    known = set(listed) | set(TAG_FILES) | {TAGMANIFEST, SEAL_FILE, SEAL_CHAIN}
    for extra in sorted(set(members) - known):
        check.problems.append(f"tệp lạ không có trong danh mục: {extra}")
    if SEAL_CHAIN in members:
        try:
            x509.load_pem_x509_certificates(members[SEAL_CHAIN])
        except ValueError:
            check.problems.append(f"{SEAL_CHAIN} hỏng")


def parse_meta(raw: bytes | None, check: PackageCheck) -> dict[str, Any] | None:
    if raw is None:
        check.problems.append(f"thiếu {META}")
        return None
    if len(raw) > MAX_META_BYTES:
        check.problems.append(f"{META} quá lớn")
        return None
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        check.problems.append(f"{META} không đọc được ({type(e).__name__})")
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        check.problems.append(f"{META} không phải gói chuyển trường Học bạ số")
        return None
    if meta.get("format_version") != FORMAT_VERSION:
        check.problems.append(f"phiên bản gói {meta.get('format_version')!r} chưa được hỗ trợ")
        return None
    for key, kind in (("student", dict), ("school", dict), ("history", list), ("records", list)):
        if not isinstance(meta.get(key), kind):
            check.problems.append(f"{META}: thiếu hoặc sai mục «{key}»")
            return None
    for r in meta["records"]:
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str) for k in ("path", "school_year", "status", "sha256")) \
                or not isinstance(r.get("version"), int):
            check.problems.append(f"{META}: một mục học bạ sai định dạng")
            return None
    try:
        check.carried = parse_carried(meta.get("evaluations"))
    except BadCarried as e:
        check.problems.append(f"{META}: các kì đã đánh giá ở trường cũ không hợp lệ — {e.message}")
        return None
    return meta


# ---- the records inside -------------------------------------------------------------------------------

_NS = "{urn:hocbaso:tieuhoc:1.0}"


@dataclass(frozen=True)
class SignedFacts:
    """What the signed content of a record says (read only from the element the verifier checked)."""

    personal_id: str
    school_year: str
    version: int
    class_name: str
    grade: int
    school_name: str
    lookup_hex: str
    # the pupil as the record's signers saw them: the receiving school stores these, never the
    # package's JSON (keys as in the package's "student" object)
    student: dict[str, str] = field(default_factory=dict, compare=False)


# record field (in <thongtinhocba>) → the package's "student" key
STUDENT_FIELDS = {
    "hovaten": "full_name", "sodinhdanh": "personal_id", "ngaythangnamsinh": "birth_date", "gioitinh": "sex",
    "dantoc": "ethnicity_code", "quoctich": "nationality", "mahocsinh": "moet_code", "noisinh": "birthplace",
    "quequan": "hometown", "noiohiennay": "address", "hotencha": "father_name", "hotenme": "mother_name",
    "hotennguoigiamho": "guardian_name",
}
_SEX_NAMES = {"1": "Nam", "2": "Nữ", "0": ""}  # QCVN 109:2017 (0: not known)


def signed_facts(signed_content: bytes) -> SignedFacts:
    from ..safe_xml import parse_xml
    from . import national

    c = parse_xml(signed_content, "nội dung học bạ đã ký")
    ext = c.find(f"{_NS}{national.EXTENSION_TAG}")  # layout 2.0: our own fields are in <morong>

    def get(tag: str) -> str:
        el = c.find(f"{_NS}{tag}")
        if el is None and ext is not None:
            el = ext.find(f"{_NS}{tag}")
        if el is None:
            return ""
        detail = el.find(f"{_NS}diachichitiet")  # a 2.0 address: detail text + codes
        return ((detail if detail is not None else el).text or "").strip()

    try:
        version, grade = int(get("phienbanthongtinhocba") or 0), int(get("makhoi") or 0)
    except ValueError:
        version, grade = 0, 0
    student = {key: get(tag) for tag, key in STUDENT_FIELDS.items()}
    student["sex"] = _SEX_NAMES.get(student["sex"], student["sex"])
    if ext is not None:
        student["nationality"] = national.codes().nationality_name(student["nationality"])
    return SignedFacts(get("sodinhdanh"), get("namhoc"), version, get("tenlop"), grade, get("tentruong"), get("matracuu"),
                       student)


def check_records(check: PackageCheck, trust: TrustStore) -> list[tuple[dict[str, Any], SignedFacts]]:
    """Verify every record's signatures against the trust store and hold the package's claims
    (student, year, version, hash) against what was actually signed."""
    from ..signing import verify_record
    from ..signing.policy import DEFAULT_POLICY

    assert check.meta is not None
    pid = str(check.meta["student"].get("personal_id", ""))
    out: list[tuple[dict[str, Any], SignedFacts]] = []
    if not check.meta["records"]:
        check.notes.append("gói không có học bạ đã phát hành nào (chỉ có quá trình học tập)")
    for r in check.meta["records"]:
        path = r["path"]
        xml = check.members.get(path)
        if xml is None:
            check.problems.append(f"{path}: không có trong gói")
            continue
        if _sha(xml) != r["sha256"].lower():
            check.problems.append(f"{path}: mã băm khác với {META}")
        # an issued record: every signature the policy requires, in order, by whom the record names
        report = verify_record(xml, trust, policy=DEFAULT_POLICY)
        label = f"Năm học {r['school_year']}, phiên bản {r['version']} ({STATUS_NAMES.get(r['status'], r['status'])})"
        if not report.ok:
            reasons = list(report.problems) + list(report.policy_problems)
            for sig in report.signatures:
                if not sig.valid:
                    reasons.append(f"chữ ký thứ {sig.index} ({sig.role_label}, {sig.signer or '?'}): "
                                   + "; ".join(sig.reasons or ("không hợp lệ",)))
            check.problems.append(f"{path} — {label}: chữ ký số không hợp lệ: " + "; ".join(reasons or ["không rõ lý do"]))
            continue
        if not any(sig.role in ("principal", "seal") for sig in report.signatures):
            check.problems.append(f"{path} — {label}: chưa có chữ ký của Hiệu trưởng hoặc con dấu nhà trường")
            continue
        assert report.signed_content is not None
        facts = signed_facts(report.signed_content)
        wrong = []
        if facts.personal_id != pid:
            wrong.append(f"mã định danh {facts.personal_id} ≠ {pid}")
        if facts.school_year != r["school_year"]:
            wrong.append(f"năm học {facts.school_year} ≠ {r['school_year']}")
        if facts.version != r["version"]:
            wrong.append(f"phiên bản {facts.version} ≠ {r['version']}")
        if wrong:
            check.problems.append(f"{path}: nội dung đã ký không khớp mô tả của gói ({'; '.join(wrong)})")
            continue
        signers = ", ".join(f"{s.role_label}: {s.signer}" for s in report.signatures)
        demo = " [chứng thư thử nghiệm]" if any(s.demo for s in report.signatures) else ""
        check.record_lines.append(f"{label}: chữ ký hợp lệ — {signers}{demo}")
        out.append((r, facts))
    check.signed_records = out
    return out


def check_seal_holder(check: PackageCheck) -> None:
    """Any trusted certificate is not a seal: only an organisation certificate of the school the
    package names (policy.is_school_seal) — else a teacher could reseal a package she rewrote."""
    from ..signing.policy import is_school_seal

    if check.seal is None or not check.seal.ok or check.meta is None:
        return
    school = str(check.meta["school"].get("name", "")).strip()
    try:
        bag_school = (bag_info_value(parse_bag_info(check.members.get(BAG_INFO, b"")), "Source-Organization") or "").strip()
    except (UnicodeDecodeError, ValueError):
        bag_school = ""
        check.problems.append(f"{BAG_INFO} sai định dạng")
    if bag_school and bag_school != school:
        check.problems.append(f"bag-info ghi trường «{bag_school}», {META} ghi trường «{school}»")
    if check.seal.certificate is None or not is_school_seal(check.seal.certificate, school):
        check.problems.append(f"niêm phong không hợp lệ: con dấu không phải chứng thư tổ chức của trường "
                              f"«{school or 'không ghi tên trường'}» (chứng thư của «{check.seal.signer}»)")


def signed_student(check: PackageCheck) -> dict[str, str] | None:
    """The pupil's details from the newest verified record (the package JSON is only a description);
    None when the package holds no record. A package whose JSON disagrees on who the pupil is has
    already been refused by `check_student`."""
    if not check.signed_records:
        return None
    _r, facts = max(check.signed_records, key=lambda rf: (rf[1].school_year, rf[1].version))
    return {**facts.student, "lookup_code": facts.lookup_hex}


def check_student(check: PackageCheck) -> None:
    """The package's description of the pupil must say what the signed records say (name, ID,
    birth date): otherwise it is refused, naming the field."""
    import unicodedata

    def same(a: object, b: str) -> bool:  # exact up to Unicode form, case and spacing
        norm = lambda t: " ".join(unicodedata.normalize("NFC", str(t)).casefold().split())  # noqa: E731
        return norm(a) == norm(b)

    signed = signed_student(check)
    if signed is None or check.meta is None:
        return
    claimed = check.meta["student"]
    for key, title in (("personal_id", "mã định danh"), ("full_name", "họ tên"), ("birth_date", "ngày sinh")):
        if not same(claimed.get(key, ""), signed.get(key, "")):
            check.problems.append(f"{META}: {title} «{claimed.get(key, '')}» khác với học bạ đã ký «{signed.get(key, '')}»")


STATUS_NAMES = {"issued": "có hiệu lực", "replaced": "đã được thay thế", "withdrawn": "đã thu hồi"}


def inspect_package(data: bytes, trust: TrustStore, source: str = "gói chuyển trường") -> PackageCheck:
    """Open and verify a package without any database. Raises PackageRefused only for a file that is
    not a safe zip at all; everything else lands in the report."""
    check = PackageCheck(_sha(data))
    check.members = read_members(data, source)
    check_bag(check.members, trust, check)
    check.meta = parse_meta(check.members.get(META), check)
    if check.meta is not None:
        check_records(check, trust)
        check_seal_holder(check)
        check_student(check)
    return check
