"""Exporting issued records: the stored signed bytes, exactly, as `<mã tra cứu>.xml`.

Never rebuilt: an issued record's file is the byte string whose SHA-256 was stored at issue, so the
export is checked against that hash before and after writing (temp file → fsync → rename → re-read).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..domain.errors import HocbasoError
from ..storage.engine import Store
from ..storage.models import Enrolment, Record, Student
from ..fileio import write_atomic
from .directory import find_class
from .records import class_students


@dataclass(frozen=True)
class ExportResult:
    written: tuple[Path, ...]
    not_issued: tuple[str, ...]  # students of the class without an issued record (names)


def export_issued(store: Store, class_name: str, out_dir: str | os.PathLike[str], year: str | None = None) -> ExportResult:
    info = find_class(store, class_name, year)
    refs = class_students(store, info.name, info.year)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    missing: list[str] = []
    with store.read() as s:
        issued = {
            e_id: (xml, sha, code)
            for e_id, xml, sha, code in s.execute(
                select(Record.enrolment_id, Record.signed_xml, Record.sha256, Student.lookup_code)
                .join(Enrolment, Record.enrolment_id == Enrolment.id)
                .join(Student, Record.student_id == Student.id)
                .where(Enrolment.class_id == info.id, Record.status == "issued")
            )
        }
    for r in refs:
        found = issued.get(r.enrolment_id)
        if found is None:
            missing.append(r.full_name)
            continue
        xml, sha, code = found
        if hashlib.sha256(xml).hexdigest() != sha:
            raise HocbasoError(f"Học bạ đã phát hành của {r.full_name} không khớp mã băm đã lưu: dữ liệu bị hỏng, không xuất.")
        target = out / f"{code}.xml"
        write_atomic(target, xml)
        written.append(target)
    return ExportResult(tuple(written), tuple(missing))
