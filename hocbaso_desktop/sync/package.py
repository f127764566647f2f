"""The upload package: the signed record wrapped in the national envelope (records.md).

    <?xml version='1.0' encoding='UTF-8'?>
    <goitin xmlns="urn:hocbaso:goitin:1" phienbangoitin="2">
      <phongbi>
        <idbanghi>{lookup hex}-{school year}</idbanghi> the national envelope's record id (= mahocba)
        <mahocba>{lookup hex}-{school year}</mahocba>   the envelope's record id (X-Record-Id)
        <matracuu>{32 hex}</matracuu>                   mã tra cứu of the student's book
        <namhoc>2025-2026</namhoc>
        <sukien>NEW|UPDATE|CANCEL</sukien>              (X-Event)
        <phienban>N</phienban>                          envelope version, increases on every send (X-Record-Version)
        <phienbanhocba>M</phienbanhocba>                the record's own version (corrections)
        <trangthai>1|2</trangthai>                      1 = có hiệu lực, 2 = thu hồi (national code list)
        <thoidiem>ISO-8601</thoidiem>                   when the change happened (issue / withdrawal)
        <thoigiancapnhat>YYYY-MM-DDTHH:mm:ss</thoigiancapnhat>  the same moment, national form (VN time)
        <ngaycapnhat>YYYY-MM-DDTHH:mm:ss</ngaycapnhat>  when the package was written (VN time)
        <ngaykyphathanh>YYYY-MM-DD</ngaykyphathanh>     the issue date (NEW/UPDATE): the record's
                                                        content is signed before this day exists
        <khoaluydang>{uuid}</khoaluydang>               the idempotency key (Idempotency-Key)
        <matruong>{MOET code}</matruong>
        <lydo>…</lydo>                                  optional: why withdrawn / replaced
        <dauchuoinhatky stt="N" mabam="{hex}" thuattoan="rsa-pkcs1v15-sha256" thoidiem="ISO-8601">
          <chuky>{base64}</chuky>                       the school seal's signature of the audit head
          <chungthu>{base64 DER}</chungthu>…            the seal's certificate first, then its chain
        </dauchuoinhatky>
      </phongbi>
      <hocba mahoa="base64" sha256="{hex of the decoded bytes}">…</hocba>
    </goitin>

Why the record id is the lookup code *and* the school year: the lookup code names the student's whole
book (grades 1-5) while the national layout keeps one row per student per school year; with the
bare code the receiver, which keeps only the highest version per id, would throw away grade 2's
version 1 as "not higher" than grade 1's.

Why the envelope version is not simply the record's version: a withdrawal (CANCEL) changes no
content, so it has no new record version, yet the receiver ignores any send that is not higher than
what it holds. The queue therefore numbers sends per record id (max(record version, last + 1)).

Why base64: the signed XML must reach the receiver byte for byte; embedding it as elements would
put it under a foreign namespace context and invite re-serialisation of signed bytes.
Why the audit head: the school's seal signs the head of its audit chain at every issue
(signing/chain_head.py); each package carries the newest signed head at the time it was queued, so
the receiver holds checkpoints of the school's chain that no later rewrite of the database file can
match (a different hash for a seq it already holds is refused, receiver.py). Packages from outside
are parsed only through hocbaso_desktop.safe_xml and validated against schemas/goitin-<version>.xsd
(version 2 adds the national envelope fields; version 1 packages, queued before, still parse).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from lxml import etree

from ..domain.errors import InputFileError
from ..safe_xml import parse_xml
from ..signing.chain_head import HeadFormatError, SignedHead, b64, der

NS = "urn:hocbaso:goitin:1"
PROTOCOL_VERSION = "2"
PROTOCOL_VERSIONS = ("1", "2")
EVENTS = ("NEW", "UPDATE", "CANCEL")
STATUS_VALID, STATUS_WITHDRAWN = "1", "2"
_VN = timezone(timedelta(hours=7))
_ENVELOPE_ID = re.compile(r"^[0-9a-f]{32}-\d{4}-\d{4}$")
_KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Envelope:
    record_id: str
    lookup_code: str
    school_year: str
    event: str
    version: int
    record_version: int
    status: str
    changed_at: str
    idempotency_key: str
    school_code: str = ""
    reason: str = ""
    head: SignedHead | None = None  # the newest seal-signed head of the school's audit chain
    issued_on: str = ""  # ngaykyphathanh, YYYY-MM-DD (NEW/UPDATE)
    written_at: str = ""  # ngaycapnhat; "" → the moment the package is built


@dataclass(frozen=True)
class Package:
    envelope: Envelope
    payload: bytes  # the signed record XML, exactly as issued

    @property
    def payload_sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()


def envelope_record_id(lookup_code: str, school_year: str) -> str:
    return f"{lookup_code.lower()}-{school_year}"


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def national_time(moment: str | datetime) -> str:
    """YYYY-MM-DDTHH:mm:ss in Vietnam time, as the national envelope writes times."""
    dt = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if dt.tzinfo is not None:
        dt = dt.astimezone(_VN)
    return dt.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")


def build_package(envelope: Envelope, payload: bytes) -> bytes:
    """The package bytes, validated against schemas/goitin-2.xsd before they are returned."""
    _check_envelope(envelope)
    root = etree.Element(f"{{{NS}}}goitin", nsmap={None: NS})
    root.set("phienbangoitin", PROTOCOL_VERSION)
    pb = etree.SubElement(root, f"{{{NS}}}phongbi")
    e = envelope
    written = e.written_at or national_time(datetime.now(timezone.utc))
    fields = [("idbanghi", e.record_id), ("mahocba", e.record_id), ("matracuu", e.lookup_code),
              ("namhoc", e.school_year), ("sukien", e.event), ("phienban", str(e.version)),
              ("phienbanhocba", str(e.record_version)), ("trangthai", e.status), ("thoidiem", e.changed_at),
              ("thoigiancapnhat", national_time(e.changed_at)), ("ngaycapnhat", written)]
    if e.issued_on:
        fields.append(("ngaykyphathanh", e.issued_on))
    fields += [("khoaluydang", e.idempotency_key), ("matruong", e.school_code)]
    if e.reason:
        fields.append(("lydo", e.reason))
    for name, value in fields:
        etree.SubElement(pb, f"{{{NS}}}{name}").text = value
    if e.head is not None:
        h = etree.SubElement(pb, f"{{{NS}}}dauchuoinhatky")
        h.set("stt", str(e.head.seq))
        h.set("mabam", e.head.hash)
        h.set("thuattoan", e.head.alg)
        if e.head.signed_at:
            h.set("thoidiem", e.head.signed_at)
        etree.SubElement(h, f"{{{NS}}}chuky").text = b64(e.head.signature)
        for cert in (e.head.cert, *[c for c in e.head.chain if c != e.head.cert]):
            etree.SubElement(h, f"{{{NS}}}chungthu").text = b64(der(cert))
    hb = etree.SubElement(root, f"{{{NS}}}hocba")
    hb.set("mahoa", "base64")
    hb.set("sha256", hashlib.sha256(payload).hexdigest())
    hb.text = base64.b64encode(payload).decode("ascii")
    problems = package_problems(root)
    if problems:  # our own builder broke the contract: never queue such a package
        raise InputFileError("gói tin vừa tạo không hợp lệ theo lược đồ: " + "; ".join(problems[:3]))
    package: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return package


def package_problems(root: etree._Element) -> list[str]:
    """Vietnamese lines: the package against the schema of its own protocol version."""
    from ..exchange.xsd import package_schema, schema_problems

    version = root.get("phienbangoitin") or ""
    if version not in PROTOCOL_VERSIONS:
        return [f"phiên bản gói tin «{version}» không được hỗ trợ (chỉ nhận {', '.join(PROTOCOL_VERSIONS)})"]
    return [p.text for p in schema_problems(root, package_schema(version))]


def parse_package(data: bytes, source: str = "gói tin", *, check_payload: bool = True) -> Package:
    """Parse untrusted package bytes (safe_xml) or raise InputFileError saying what is wrong."""
    root = parse_xml(data, source)
    if root.tag != f"{{{NS}}}goitin":
        raise InputFileError(f"{source}: không phải gói tin học bạ ({NS})")
    problems = package_problems(root)
    if problems:
        raise InputFileError(f"{source}: không hợp lệ theo lược đồ gói tin: " + "; ".join(problems[:3]))
    pb = root.find(f"{{{NS}}}phongbi")
    hb = root.find(f"{{{NS}}}hocba")
    if pb is None or hb is None:
        raise InputFileError(f"{source}: thiếu phongbi hoặc hocba")

    def text(name: str, required: bool = True) -> str:
        value = (pb.findtext(f"{{{NS}}}{name}") or "").strip()
        if required and not value:
            raise InputFileError(f"{source}: thiếu {name} trong phongbi")
        return value

    try:
        version, record_version = int(text("phienban")), int(text("phienbanhocba"))
    except ValueError:
        raise InputFileError(f"{source}: phiên bản không phải số") from None
    env = Envelope(record_id=text("mahocba"), lookup_code=text("matracuu"), school_year=text("namhoc"),
                   event=text("sukien"), version=version, record_version=record_version, status=text("trangthai"),
                   changed_at=text("thoidiem"), idempotency_key=text("khoaluydang"),
                   school_code=text("matruong", False), reason=text("lydo", False), head=_head(pb, source),
                   issued_on=text("ngaykyphathanh", False), written_at=text("ngaycapnhat", False))
    _check_envelope(env, source)
    if hb.get("mahoa") != "base64":
        raise InputFileError(f"{source}: hocba phải được mã hoá base64")
    try:
        payload = base64.b64decode((hb.text or "").encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise InputFileError(f"{source}: nội dung hocba không phải base64 hợp lệ") from None
    if hashlib.sha256(payload).hexdigest() != (hb.get("sha256") or "").lower():
        raise InputFileError(f"{source}: mã băm sha256 của học bạ không khớp")
    if check_payload:
        parse_xml(payload, f"{source} (học bạ bên trong)")  # the inner record is untrusted too
    return Package(env, payload)


def _head(pb: etree._Element, source: str) -> SignedHead | None:
    h = pb.find(f"{{{NS}}}dauchuoinhatky")
    if h is None:
        return None
    certs = [(c.text or "").strip() for c in h.findall(f"{{{NS}}}chungthu")]
    detail = {"seq": h.get("stt", ""), "hash": h.get("mabam", ""), "alg": h.get("thuattoan", ""),
              "signature": (h.findtext(f"{{{NS}}}chuky") or "").strip(), "cert": certs[0] if certs else "",
              "chain": certs[1:]}
    try:
        head = SignedHead.from_detail(detail, h.get("thoidiem", ""))
        head.signing_time()
        return head
    except (HeadFormatError, ValueError):
        raise InputFileError(f"{source}: đầu chuỗi nhật ký (dauchuoinhatky) không đọc được") from None


def _check_envelope(e: Envelope, source: str = "gói tin") -> None:
    problems = []
    if not _ENVELOPE_ID.match(e.record_id):
        problems.append(f"mahocba «{e.record_id}» phải là <mã tra cứu>-<năm học>")
    elif not e.record_id.startswith(e.lookup_code.lower() + "-") or not e.record_id.endswith(e.school_year):
        problems.append("mahocba không khớp mã tra cứu và năm học")
    if e.event not in EVENTS:
        problems.append(f"sự kiện «{e.event}» không hợp lệ (NEW, UPDATE, CANCEL)")
    if e.version < 1 or e.record_version < 1:
        problems.append("phiên bản phải từ 1 trở lên")
    if e.status not in (STATUS_VALID, STATUS_WITHDRAWN) or (e.event == "CANCEL") != (e.status == STATUS_WITHDRAWN):
        problems.append("trạng thái không khớp sự kiện (CANCEL ⇔ 2 = thu hồi)")
    if not _KEY.match(e.idempotency_key):
        problems.append("khoá lũy đẳng phải là UUID")
    if problems:
        raise InputFileError(f"{source}: " + "; ".join(problems))
