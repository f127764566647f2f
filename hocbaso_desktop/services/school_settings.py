"""School details and school-year dates for the settings dialog: read as snapshots, saved audited.

The principal is not a free-text field here on purpose: the records, the signing order and the
rights all take the principal from the staff member holding the "principal" role, so the settings
show that person (read-only) instead of keeping a second name that could disagree with the first.

Upload deadlines are saved as overrides of the outbox's deadline rules (sync/deadlines.py) for the
school's province and this school year — the most specific rule, so it beats the seeds' defaults.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import InvalidValue, NotFound
from ..domain.rights import EDIT_SETTINGS, require
from ..domain.roles import Actor
from ..storage.engine import Store, Tx
from ..storage.models import School, SchoolYear, Setting, Staff, StaffRole
from ..sync import deadlines as dl
from . import settings
from .outbox_service import DEADLINES

SCHOOL_FIELDS = {"name": ("Tên trường", 150), "moet_code": ("Mã trường (CSDL ngành)", 20),
                 "province": ("Tỉnh/Thành phố", 100), "district": ("Quận/Huyện", 100),
                 "commune": ("Xã/Phường", 100), "address": ("Địa chỉ", 250)}


@dataclass(frozen=True)
class SchoolDetails:
    name: str
    moet_code: str
    province: str
    district: str
    commune: str
    address: str
    principal: str  # full name of the active staff member with the principal role, "" if none


@dataclass(frozen=True)
class YearSettings:
    name: str
    start_date: date | None
    end_date: date | None
    lock_date: date | None
    correction_cutoff: date | None
    main_deadline: date | None  # the school's override, None = the default rule applies
    final_deadline: date | None
    default_main: date | None  # what applies without an override (shown as a hint)
    default_final: date | None


def _principal_name(s: Session) -> str:
    name = s.execute(select(Staff.full_name).join(StaffRole, StaffRole.staff_id == Staff.id)
                     .where(StaffRole.role == "principal", Staff.active.is_(True)).order_by(Staff.id)).scalars().first()
    return name or ""


def school_details(store: Store) -> SchoolDetails:
    with store.read() as s:
        sc = s.execute(select(School).order_by(School.id)).scalars().first()
        principal = _principal_name(s)
        if sc is None:
            return SchoolDetails("", "", "", "", "", "", principal)
        return SchoolDetails(sc.name, sc.moet_code, sc.province, sc.district, sc.commune, sc.address, principal)


def _clean_school(values: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, raw in values.items():
        if key not in SCHOOL_FIELDS:
            raise InvalidValue("thông tin trường", key, "không có trường thông tin này")
        title, limit = SCHOOL_FIELDS[key]
        value = " ".join((raw or "").split())
        if len(value) > limit:
            raise InvalidValue(title, value[:40] + "…", f"dài quá {limit} ký tự")
        out[key] = value
    if "name" in out and not out["name"]:
        raise InvalidValue("Tên trường", "", "không được để trống")
    if out.get("moet_code") and not out["moet_code"].replace("-", "").isalnum():
        raise InvalidValue("Mã trường (CSDL ngành)", out["moet_code"], "chỉ gồm chữ và số")
    if out.get("province"):
        from ..exchange.national import codes

        # every record names the province by its national code (masogd, thongtintruong_diachi_matinh):
        # a name the list does not know would stop the signing of every record later
        if codes().province(out["province"]) is None:
            raise InvalidValue("Tỉnh/Thành phố", out["province"],
                               "không có trong danh mục tỉnh, thành phố (QĐ 19/2025/QĐ-TTg; tên cũ trước sáp nhập "
                               "cũng được nhận), ví dụ «Hải Phòng», «Thành phố Hà Nội»")
    return out


def write_school(tx: Tx, values: dict[str, str]) -> int:
    """Inside the caller's transaction: changed fields, one audit entry with old and new values."""
    clean = _clean_school(values)
    sc = tx.session.execute(select(School).order_by(School.id)).scalars().first()
    if sc is None:
        if not clean.get("name"):
            raise InvalidValue("Tên trường", "", "không được để trống")
        sc = School(name=clean["name"])
        tx.session.add(sc)
        tx.session.flush()
    changes = {k: {"old": getattr(sc, k) or "", "new": v} for k, v in clean.items() if (getattr(sc, k) or "") != v}
    for k, ch in changes.items():
        setattr(sc, k, ch["new"])
    if changes:
        tx.audit("school.update", "school", sc.id, changes)
    return len(changes)


def save_school_details(store: Store, actor: Actor, values: dict[str, str]) -> int:
    require(actor, EDIT_SETTINGS)
    with store.transaction(actor.code) as tx:
        return write_school(tx, values)


# --- school year ---------------------------------------------------------------------------------
def _cutoffs(s: Session) -> dict[str, str]:
    try:
        data = json.loads(settings.read(s, settings.CORRECTION_CUTOFFS) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _override(rules: list[dl.DeadlineRule], kind: str, year: str, province: str) -> dl.DeadlineRule | None:
    for r in reversed(rules):  # later rules win, like dl.resolve
        if r.kind == kind and r.school_year == year and r.province == province and r.grades == dl.ALL_GRADES:
            return r
    return None


def year_settings(store: Store, name: str) -> YearSettings:
    with store.read() as s:
        y = s.execute(select(SchoolYear).where(SchoolYear.name == name)).scalars().first()
        if y is None:
            raise NotFound(f"Không có năm học {name}")
        sc = s.execute(select(School).order_by(School.id)).scalars().first()
        province = sc.province if sc else ""
        try:
            rules = dl.rules_from_json(settings.read(s, DEADLINES))
        except (ValueError, KeyError, TypeError):
            rules = []
        cut = _cutoffs(s).get(name)
        start_d, end_d, lock_d = y.start_date, y.end_date, y.lock_date
    end = dl.end_year(name)
    main, final = _override(rules, dl.MAIN, name, province), _override(rules, dl.FINAL, name, province)
    main_default = dl.resolve(dl.DEFAULT_RULES, province, name, 5, dl.MAIN)
    final_default = dl.resolve(dl.DEFAULT_RULES, province, name, 5, dl.FINAL)
    return YearSettings(
        name, start_d, end_d, lock_d, date.fromisoformat(cut) if cut else None,
        date(end, main.month, main.day) if main else None,
        date(end, final.month, final.day) if final else None,
        main_default[0] if main_default else None, final_default[0] if final_default else None)


def _check_dates(name: str, start: date | None, end: date | None, lock: date | None, cutoff: date | None,
                 main: date | None, final: date | None) -> None:
    if start and end and start >= end:
        raise InvalidValue("Ngày kết thúc năm học", f"{end:%d/%m/%Y}", "phải sau ngày bắt đầu")
    if lock and start and lock < start:
        raise InvalidValue("Ngày khóa học bạ", f"{lock:%d/%m/%Y}", "không được trước ngày bắt đầu năm học")
    if cutoff and lock and cutoff > lock:
        # seed 004: corrections close (one week) BEFORE the records are locked
        raise InvalidValue("Hạn đề nghị sửa sai", f"{cutoff:%d/%m/%Y}", "không được sau ngày khóa học bạ")
    if main and final and final < main:
        raise InvalidValue("Hạn gửi cuối", f"{final:%d/%m/%Y}", "không được trước hạn gửi chính")
    summer = dl.end_year(name)
    for title, d in (("Hạn gửi chính", main), ("Hạn gửi cuối", final)):
        if d and d.year != summer:
            raise InvalidValue(title, f"{d:%d/%m/%Y}", f"phải trong năm {summer} (hè cuối năm học {name})")


def _put(tx: Tx, key: str, value: str | None) -> int:
    row = tx.session.get(Setting, key)
    old = row.value if row is not None else None
    if old == value:
        return 0
    if value is None:
        tx.session.delete(row)
    elif row is None:
        tx.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    tx.audit("setting.set", "setting", key, {"old": old, "new": value})
    return 1


def write_year(tx: Tx, name: str, start: date | None, end: date | None, lock: date | None, cutoff: date | None,
               main: date | None, final: date | None) -> int:
    _check_dates(name, start, end, lock, cutoff, main, final)
    s = tx.session
    y = s.execute(select(SchoolYear).where(SchoolYear.name == name)).scalars().first()
    if y is None:
        raise NotFound(f"Không có năm học {name}")
    changed = 0
    changes = {k: {"old": v0.isoformat() if v0 else None, "new": v1.isoformat() if v1 else None}
               for k, v0, v1 in (("start_date", y.start_date, start), ("end_date", y.end_date, end),
                                 ("lock_date", y.lock_date, lock)) if v0 != v1}
    if changes:
        y.start_date, y.end_date, y.lock_date = start, end, lock
        tx.audit("school_year.update", "school_year", y.id, {"year": name, **changes})
        changed += len(changes)
    cut = _cutoffs(s)
    if cutoff:
        cut[name] = cutoff.isoformat()
    else:
        cut.pop(name, None)
    changed += settings.write(s, tx.audit, settings.CORRECTION_CUTOFFS,
                              json.dumps(dict(sorted(cut.items())), ensure_ascii=False) if cut else None)
    sc = s.execute(select(School).order_by(School.id)).scalars().first()
    province = sc.province if sc else ""
    try:
        rules = dl.rules_from_json(settings.read(s, DEADLINES))
    except (ValueError, KeyError, TypeError):
        rules = []  # a damaged override is replaced by what the school enters now
    keep = [r for r in rules if not (r.school_year == name and r.province == province and r.grades == dl.ALL_GRADES)]
    for kind, d in ((dl.MAIN, main), (dl.FINAL, final)):
        if d:
            keep.append(dl.DeadlineRule(kind, d.month, d.day, province, name, dl.ALL_GRADES, "cài đặt của trường"))
    changed += _put(tx, DEADLINES, dl.rules_to_json(keep) if keep else None)
    return changed


def save_year_settings(store: Store, actor: Actor, name: str, start: date | None, end: date | None,
                       lock: date | None, cutoff: date | None, main: date | None, final: date | None) -> int:
    require(actor, EDIT_SETTINGS)
    with store.transaction(actor.code) as tx:
        return write_year(tx, name, start, end, lock, cutoff, main, final)
