"""Gathers the facts of one correction into the biên bản (exchange/correction_minute.py draws it).

Old → new comes from the content XML the signatures cover: the replaced version's against the new
version's once issued; before that, against the content the database would give the new version now
(marked as not final), so the principal can look at the change before signing it.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from ..domain.errors import NotFound
from ..exchange.correction_minute import MinuteData, minute_bytes, render_minute
from ..exchange.record_diff import diff_record_xml
from ..storage.correction_models import CorrectionRequest
from ..storage.engine import Store
from ..storage.models import Record, School
from . import settings as settings_service
from .corrections import get_correction
from .signing_plan import content_xml, local_now


def minute_data(store: Store, correction_id: int) -> MinuteData:
    info = get_correction(store, correction_id)
    with store.read() as s:
        c = s.get(CorrectionRequest, correction_id)
        if c is None:
            raise NotFound(f"Không có phiếu đề nghị sửa dữ liệu số {correction_id}")
        old = s.get_one(Record, c.record_id)
        school = s.execute(select(School).order_by(School.id)).scalars().first()
        conf = settings_service.signing_settings_in(s)
        place = conf.place_of_issue or (school.province if school else "") or "…"
        school_name = school.name if school else ""
        new = s.get(Record, c.new_record_id) if c.new_record_id else None
        new_version: int | None = new.version if new is not None else None
        changes: tuple = ()
        if new is not None and old.content_xml and new.content_xml:
            changes = tuple(diff_record_xml(bytes(old.content_xml), bytes(new.content_xml)))
            note = f"Đối chiếu nội dung đã ký của phiên bản {old.version} và phiên bản {new.version}."
        elif c.state == "approved" and old.content_xml:
            draft = s.execute(select(Record).where(Record.replaces_id == old.id)).scalars().first()
            probe = draft or old
            current = content_xml(s, c.enrolment_id, probe, conf.place_of_issue)
            changes = tuple(diff_record_xml(bytes(old.content_xml), current))
            note = (f"Đối chiếu phiên bản {old.version} với dữ liệu hiện tại: CHƯA ký lại, "
                    "nội dung có thể còn thay đổi trước khi phát hành.")
        else:
            note = f"Phiếu {info.state_text}: học bạ không thay đổi."
    return MinuteData(
        correction_id=info.id, school_name=school_name, place=place,
        student_name=info.student_name, personal_id=info.personal_id, class_name=info.class_name,
        school_year=info.year, lookup_code=info.lookup_code, old_version=info.record_version, new_version=new_version,
        state_text=info.state_text, requester=f"{info.requester_name} ({info.requester_code})",
        requested_at=info.created_at, fields=info.fields, reason=info.reason, evidence_name=info.evidence_name,
        approver=f"{info.decided_by_name} ({info.decided_by_code})" if info.decided_by_code else "",
        decided_at=info.decided_at, decision_reason=info.decision_reason,
        witnesses=tuple((w.name + (f" ({w.code})" if w.code else "") + (" — đã xác nhận bằng mật khẩu" if w.confirmed else ""),
                         w.role) for w in info.witnesses),
        changes=changes, changes_note=note, completed_at=info.closed_at if info.state == "applied" else None,
        printed_at=local_now(),
    )


def write_minute(store: Store, correction_id: int, out: str | os.PathLike[str]) -> Path:
    return render_minute(minute_data(store, correction_id), out)


def minute_pdf(store: Store, correction_id: int) -> bytes:
    return minute_bytes(minute_data(store, correction_id))
