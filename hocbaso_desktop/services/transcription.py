"""Trích lục: entering a year the school kept on paper, from the paper học bạ, as a record of học bạ số.

The clerk copies the paper book's year-end page into the ordinary grid workbook (`transcription_
template` writes one for the pupil; `hocbaso grid export` cannot: the paper year has no class yet).
`transcribe` then checks the year and grade against everything the school knows of the pupil and
writes, in ONE transaction: the paper year (school_year.kind 'transcribed', kept out of every list
of live years), its class, the pupil's enrolment, the transcription row naming the paper book, and
the evaluations — every cell through the grid's own rules (evaluation_edit), so a value a teacher's
workbook would be refused for is refused here with the same reason, and nothing is written.

The record built from it says trichluc 1 and carries the paper book's reference; it is signed by the
principal and the seal only (signing_plan) and its paper copy is banded as a trích lục on every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import replace as copy_with
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.catalogue import FINAL_PERIOD
from ..domain.errors import HocbasoError, InvalidValue, NotFound
from ..domain.roles import Actor
from ..domain.school_years import year_dates, year_start
from ..domain.text import clean, hidden_char_problem, reveal
from ..exchange.grid_layout import grid_layout
from ..exchange.grid_workbook import GridMeta, ParsedWorkbook, WorkbookRow, read_grid_workbook, write_grid_workbook
from ..storage.engine import Store, Tx
from ..storage.models import YEAR_LIVE, YEAR_TRANSCRIBED, Enrolment, SchoolClass, SchoolYear, Student
from ..storage.transcription_models import MAX_BOOK_REF, Transcription
from ..storage.transfer_models import ReceivedRecord
from . import transcription_fix as fix
from .directory import ClassInfo, school
from .directory import actor as actor_of
from .evaluation_edit import CellEdit, _apply_one
from .grid import load_grid

AUDIT_ACTION = "record.transcribe"
MAX_CLASS_NAME = 10


class TranscriptionRefused(HocbasoError):
    """The transcription was refused as a whole; nothing was written. `problems`: one line each."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        text = message if not problems else message + "\n" + "\n".join(f"- {p}" for p in problems)
        super().__init__(text, problems=list(problems))
        self.problems = problems


@dataclass(frozen=True)
class TranscriptionResult:
    enrolment_id: int
    transcription_id: int
    personal_id: str
    full_name: str
    school_year: str
    grade: int
    class_name: str
    paper_book_ref: str
    cells: int  # evaluation cells written
    result: str | None  # the year's result as the paper book states it
    year_created: bool
    class_created: bool
    replaced: bool = False  # an unsigned trích lục of the year was replaced (transcribe(…, replace=True))
    changed: tuple[str, ...] = ()  # when replaced: "header: old → new" of each changed cell

    def summary(self) -> str:
        if self.replaced:
            what = "; ".join(self.changed) if self.changed else "không ô nào khác bản trước"
            return (f"Đã thay bản trích lục chưa ký của {self.full_name} (mã định danh {self.personal_id}), năm học "
                    f"{self.school_year}, lớp {self.class_name}, sổ {self.paper_book_ref or 'không ghi số'}; "
                    f"{len(self.changed)} ô thay đổi: {what}; kết quả {self.result or 'chưa ghi'}. "
                    "Học bạ này cần Hiệu trưởng ký và đóng dấu (không có chữ ký giáo viên).")
        made = [x for x, on in (("năm học giấy " + self.school_year, self.year_created),
                                ("lớp " + self.class_name, self.class_created)) if on]
        book = self.paper_book_ref or "không ghi số"
        return (f"Đã nhập trích lục học bạ giấy của {self.full_name} (mã định danh {self.personal_id}): "
                f"năm học {self.school_year}, khối {self.grade}, lớp {self.class_name}, sổ {book}; "
                f"{self.cells} ô đánh giá, kết quả {self.result or 'chưa ghi'}"
                + (f"; đã tạo {', '.join(made)}" if made else "") + ". "
                "Học bạ này cần Hiệu trưởng ký và đóng dấu (không có chữ ký giáo viên).")


# ---- checks -----------------------------------------------------------------------------------------


def _actor(store: Store, actor: Actor | str) -> Actor:
    return actor if isinstance(actor, Actor) else actor_of(store, actor)


def _book_ref(raw: str) -> str:
    ref = clean(raw or "")
    why = hidden_char_problem(ref, digits=False)
    if why:
        raise InvalidValue("Số/ký hiệu sổ học bạ giấy", reveal(ref)[:60], why)
    if len(ref) > MAX_BOOK_REF:
        raise InvalidValue("Số/ký hiệu sổ học bạ giấy", ref[:30] + "…", f"tối đa {MAX_BOOK_REF} kí tự")
    return ref


def _class_name(raw: str) -> str:
    name = clean(raw or "").upper()
    if not name or len(name) > MAX_CLASS_NAME or hidden_char_problem(name) or not re.fullmatch(r"[0-9A-ZĐ.\-_ ]+", name):
        raise InvalidValue("Lớp", raw, f"tên lớp gồm chữ và số, tối đa {MAX_CLASS_NAME} kí tự (ví dụ 1A)")
    return name


def _grade(grade: int) -> int:
    if grade not in range(1, 6):
        raise InvalidValue("Khối", grade, "phải là 1, 2, 3, 4 hoặc 5")
    return grade


def _years_apart(a: str, b: str) -> int:
    return year_start(b) - year_start(a)


def _pupil_problems(s: Session, st: Student, year: str, grade: int, replacing: bool = False) -> list[str]:
    """Why the pupil cannot have been in `grade` in the paper year `year`, from what the school holds.
    `replacing`: the year's own trích lục is being replaced, so it is no obstacle."""
    out: list[str] = []
    known: list[tuple[str, int, str]] = []  # (year, grade, where) of every year the school knows
    live_years: list[str] = []
    for y, kind, g, cname in s.execute(
            select(SchoolYear.name, SchoolYear.kind, SchoolClass.grade, SchoolClass.name)
            .join(Enrolment, Enrolment.year_id == SchoolYear.id).join(SchoolClass, Enrolment.class_id == SchoolClass.id)
            .where(Enrolment.student_id == st.id)):
        if y == year and kind == YEAR_TRANSCRIBED and not replacing:
            out.append(f"năm học {year} học sinh đã có (trích lục, lớp {cname}): không nhập trích lục lần nữa — để sửa "
                       "bản chưa ký, chọn «Thay bản trích lục chưa ký» (lệnh: thêm --replace)")
        elif y == year and kind != YEAR_TRANSCRIBED:
            out.append(f"năm học {year} học sinh đã có (học bạ số, lớp {cname}): không nhập trích lục lần nữa")
        if kind == YEAR_LIVE:
            live_years.append(y)
        known.append((y, g, f"lớp {cname} năm học {y}"))
    for y, g, sch, cname in s.execute(select(ReceivedRecord.school_year, ReceivedRecord.grade, ReceivedRecord.school_name,
                                             ReceivedRecord.class_name).where(ReceivedRecord.student_id == st.id)):
        if y == year:
            out.append(f"năm học {year} đã có học bạ số nhận từ {sch} (lớp {cname}): không nhập trích lục cho năm đó")
        known.append((y, g, f"lớp {cname} năm học {y} ở {sch}"))
    if not live_years:
        out.append("học sinh chưa học năm học nào bằng học bạ số ở trường: trích lục chỉ cho những năm trước đó")
    elif year >= min(live_years):
        out.append(f"năm học {year} không trước năm học đầu tiên của học sinh ở trường bằng học bạ số "
                   f"({min(live_years)}): trích lục chỉ cho những năm học trên giấy, trước đó")
    for y, g, where in known:
        if y == year:
            continue
        apart = _years_apart(year, y)  # > 0: that year is later
        # a pupil goes up one grade a year or repeats one; never down, never two grades in one year
        ok = (0 <= g - grade <= apart) if apart > 0 else (0 <= grade - g <= -apart)
        if not ok:
            out.append(f"khối {grade} năm học {year} không khớp với {where} (khối {g}): mỗi năm học sinh "
                       "lên một lớp hoặc ở lại lớp")
    return out


def _workbook_problems(parsed: ParsedWorkbook, name: str, st: Student, year: str, grade: int) -> list[str]:
    meta = parsed.meta
    out: list[str] = []
    if meta.period != FINAL_PERIOD:
        out.append(f"tệp {name} là bảng kì {meta.period_name}; trích lục nhập bảng Cuối năm học (CN)")
    if meta.year != year:
        out.append(f"tệp {name} là bảng của năm học {meta.year}, không phải năm học {year}")
    if meta.grade != grade:
        out.append(f"tệp {name} là bảng của khối {meta.grade} (lớp {meta.class_name}), không phải khối {grade}")
    mine = [r for r in parsed.rows if r.personal_id == st.personal_id]
    if not mine:
        out.append(f"tệp {name} không có dòng nào của học sinh {st.full_name} (mã định danh {st.personal_id})")
    for r in parsed.rows:
        if r.personal_id != st.personal_id and (r.personal_id or any(v not in (None, "") for v in r.values.values())):
            out.append(f"Trang «{r.sheet}», dòng {r.excel_row}: học sinh khác («{reveal(r.personal_id or r.full_name)}»): "
                       "mỗi lần trích lục chỉ nhập một học sinh — xóa dòng này")
    for r in mine:
        for letter, value in r.stray:
            out.append(f"Trang «{r.sheet}», dòng {r.excel_row}, cột {letter} (ngoài bảng): «{value}» — xóa ô này "
                       "hoặc nhập vào đúng cột")
    return out


# ---- template -----------------------------------------------------------------------------------------


def transcription_template(store: Store, actor: Actor | str, personal_id: str, school_year: str, grade: int,
                           out: str | Path, *, class_name: str | None = None) -> Path:
    """A blank year-end grid workbook for the pupil's paper year, to fill from the paper book."""
    who = _actor(store, actor)
    rights.require(who, rights.TRANSCRIBE_RECORD)
    year_start(school_year)
    grade = _grade(grade)
    cname = _class_name(class_name) if class_name else str(grade)
    with store.read() as s:
        st = s.execute(select(Student).where(Student.personal_id == clean(personal_id))).scalars().first()
        if st is None:
            raise NotFound(f"Không có học sinh mã định danh {personal_id}")
        pid, name = st.personal_id, st.full_name
    sc = school(store)
    meta = GridMeta(0, cname, school_year, grade, FINAL_PERIOD, frozenset(), sc.name if sc else "",
                    datetime.now().isoformat(timespec="seconds"))
    keys = [c.key for lay in grid_layout(grade, frozenset(), FINAL_PERIOD) for c in lay.columns
            if c.kind not in ("stt", "pid", "name")]
    return write_grid_workbook(out, meta, [WorkbookRow(pid, name, {k: None for k in keys})])


# ---- the transcription ---------------------------------------------------------------------------------


def transcribe(store: Store, actor: Actor | str, personal_id: str, school_year: str, grade: int, workbook: str | Path,
               *, paper_book_ref: str, class_name: str | None = None, note: str = "",
               replace: bool = False) -> TranscriptionResult:
    """Enter the pupil's paper year from `workbook` (a year-end grid workbook); all or nothing.

    `replace`: the year's trích lục already exists and nobody has signed it: its evaluations become
    the workbook's (cells left empty are cleared); the transcription row, class and book reference
    stay (an empty `paper_book_ref` keeps the one written, a different one is refused).
    Raises TranscriptionRefused (every problem named) or PermissionDenied; nothing is written then.
    """
    who = _actor(store, actor)
    rights.require(who, rights.TRANSCRIBE_RECORD)
    if who.is_system:
        raise TranscriptionRefused("Trích lục phải do một cán bộ cụ thể nhập (--as MÃ_CÁN_BỘ).")
    year_start(school_year)
    grade = _grade(grade)
    ref = _book_ref(paper_book_ref)
    note = clean(note or "")
    path = Path(workbook)
    parsed = read_grid_workbook(path)  # InputFileError (exit 2) for a file that is not a grid workbook
    asked_class = _class_name(class_name) if class_name else None
    cname = asked_class or _class_name(parsed.meta.class_name or str(grade))
    pid = clean(personal_id)

    with store.transaction(who.code) as tx:
        s = tx.session
        st = s.execute(select(Student).where(Student.personal_id == pid)).scalars().first()
        if st is None:
            raise NotFound(f"Không có học sinh mã định danh {personal_id}")
        problems = _workbook_problems(parsed, path.name, st, school_year, grade)
        year_row = s.execute(select(SchoolYear).where(SchoolYear.name == school_year)).scalars().first()
        old = (fix.existing_transcription(s, st.id, year_row.id)
               if replace and year_row is not None and year_row.kind == YEAR_TRANSCRIBED else None)
        problems += _pupil_problems(s, st, school_year, grade, replacing=old is not None)
        if old is not None and year_row is not None:  # a transcription to replace lives in its paper year
            problems += fix.replacement_problems(old, fix.signed_by(s, old.enrolment_id), grade, ref, asked_class,
                                                 school_year)
            if problems:
                raise TranscriptionRefused(f"Không thay bản trích lục của {st.full_name} ({st.personal_id}), không ghi gì:",
                                           tuple(dict.fromkeys(problems)))
            return _replace(tx, who, parsed, st, old, year_row, path.name, store)
        if year_row is not None and year_row.kind != YEAR_TRANSCRIBED:
            problems.append(f"năm học {school_year} là năm học trường dùng học bạ số: trích lục chỉ cho năm học "
                            "trên giấy")
        cls = None
        if year_row is not None and year_row.kind == YEAR_TRANSCRIBED:
            cls = s.execute(select(SchoolClass).where(SchoolClass.year_id == year_row.id,
                                                      func.upper(SchoolClass.name) == cname)).scalars().first()
            if cls is not None and cls.grade != grade:
                problems.append(f"lớp {cname} năm học {school_year} đã nhập là lớp khối {cls.grade}, không phải khối {grade}")
        if problems:
            raise TranscriptionRefused(f"Không nhập trích lục cho {st.full_name} ({st.personal_id}), không ghi gì:",
                                       tuple(dict.fromkeys(problems)))

        year_created = class_created = False
        if year_row is None:
            dates = year_dates(school_year)
            year_row = SchoolYear(name=school_year, start_date=dates.start, end_date=dates.end, lock_date=dates.lock,
                                  kind=YEAR_TRANSCRIBED)
            s.add(year_row)
            s.flush()
            tx.audit("year.create", "school_year", year_row.id, {"name": school_year, "by": "transcription",
                                                                  "kind": YEAR_TRANSCRIBED})
            year_created = True
        if cls is None:
            cls = SchoolClass(year_id=year_row.id, name=cname, grade=grade, optional_subjects="")
            s.add(cls)
            s.flush()
            tx.audit("class.create", "school_class", cls.id, {"year": school_year, "name": cname, "grade": grade,
                                                               "by": "transcription"})
            class_created = True
        enrol = Enrolment(student_id=st.id, year_id=year_row.id, class_id=cls.id, status="active",
                          joined_on=year_row.start_date, optional_subjects=_optional_from(parsed), exempt_subjects="")
        s.add(enrol)
        s.flush()
        row = Transcription(enrolment_id=enrol.id, paper_book_ref=ref, entered_by=who.code, entered_at=datetime.now(),
                            note=note)
        s.add(row)
        s.flush()
        cells, result = _write_cells(tx, who, parsed, st, enrol.id, _class_info(cls, year_row), store)
        tx.audit(AUDIT_ACTION, "transcription", row.id, {
            "hs": st.personal_id, "namhoc": school_year, "khoi": grade, "lop": cname, "so": ref,
            "enrolment_id": enrol.id, "tep": path.name, "o": cells, "ketqua": result,
        })
        return TranscriptionResult(enrol.id, row.id, st.personal_id, st.full_name, school_year, grade, cname, ref,
                                   cells, result, year_created, class_created)


def _replace(tx: Tx, who: Actor, parsed: ParsedWorkbook, st: Student, old: fix.Existing, year_row: SchoolYear,
             file_name: str, store: Store) -> TranscriptionResult:
    s = tx.session
    cls = s.get_one(SchoolClass, old.class_id)
    names = fix.headers(parsed)
    before = fix.cell_values(s, old.enrolment_id, list(names))
    cells, result = _write_cells(tx, who, parsed, st, old.enrolment_id, _class_info(cls, year_row), store,
                                 clear_from=before)
    s.flush()
    after = fix.cell_values(s, old.enrolment_id, list(names))
    changes = fix.changed_cells(before, after, names)
    tx.audit(AUDIT_ACTION, "transcription", old.transcription_id, {
        "hs": st.personal_id, "namhoc": year_row.name, "khoi": old.grade, "lop": old.class_name,
        "so": old.paper_book_ref, "enrolment_id": old.enrolment_id, "tep": file_name, "o": cells, "ketqua": result,
        "replaced": True, "changes": changes,
    })
    shown = tuple(f"{h}: {_shown(a)} → {_shown(b)}" for h, (a, b) in changes.items())
    return TranscriptionResult(old.enrolment_id, old.transcription_id, st.personal_id, st.full_name, year_row.name,
                               old.grade, old.class_name, old.paper_book_ref, cells, result, False, False, True, shown)


def _shown(value: object) -> str:
    return "(trống)" if fix.empty(value) else str(value)


def _optional_from(parsed: ParsedWorkbook) -> str:
    return ",".join(sorted(parsed.meta.optional))


def _class_info(cls: SchoolClass, year: SchoolYear) -> ClassInfo:
    # built from the rows of this transaction: a fresh read would not see the class yet
    return ClassInfo(cls.id, cls.name, cls.grade, year.name, year.id, "", "", 1,
                     frozenset(x for x in (cls.optional_subjects or "").split(",") if x))


def _write_cells(tx: Tx, who: Actor, parsed: ParsedWorkbook, st: Student, enrolment_id: int, info: ClassInfo,
                 store: Store, clear_from: dict | None = None) -> tuple[int, str | None]:
    """Every filled cell of the pupil's rows through the grid's rules; any refusal refuses all.
    `clear_from` (replacing): the stored values; those the workbook leaves empty are cleared."""
    columns = {(lay.title, c.key): c for lay in parsed.layouts for c in lay.columns}
    # The transcriber copies what the paper year's GVCN and GVBM wrote: for this one paper class the
    # cells are theirs to enter (rights were checked above: TRANSCRIBE_RECORD), nothing beyond it.
    subjects = {c.code for lay in parsed.layouts for c in lay.columns if c.kind.startswith("subject_")}
    scribe = copy_with(who, homeroom_class_ids=frozenset({info.id}),
                     teaches=frozenset((info.id, code) for code in subjects))
    edits: list[tuple[str, CellEdit]] = []
    for r in parsed.rows:
        if r.personal_id != st.personal_id:
            continue
        for key, raw in r.values.items():
            col = columns[(r.sheet, key)]
            if col.kind in ("reason", "proposal") or raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            kind, _, code = key.partition(":")
            reason = str(r.values.get("reason:") or "") if kind == "confirmed" else ""
            where = f"Trang «{r.sheet}», dòng {r.excel_row}, cột «{col.header}»"
            edits.append((where, CellEdit(enrolment_id, FINAL_PERIOD, kind, code, raw, reason)))
    if clear_from is not None:
        filled = {f"{e.kind}:{e.code}" for _w, e in edits}
        for key in fix.to_clear(clear_from, filled):
            kind, _, code = key.partition(":")
            where = f"ô «{fix.headers(parsed).get(key, key)}» (để trống trong bảng mới)"
            edits.insert(0, (where, CellEdit(enrolment_id, FINAL_PERIOD, kind, code, None, "")))
    edits.sort(key=lambda x: x[1].kind == "confirmed")  # ratings first: the result is judged on them

    def proposal_of(eid: int) -> str | None:
        tx.session.flush()
        g = load_grid(store, info.id, FINAL_PERIOD, only={eid}, info=info, session=tx.session)
        return g.rows[0].proposal.result if g.rows and g.rows[0].proposal else None

    problems: list[str] = []
    written = 0
    result: str | None = None
    for where, e in edits:
        sp = tx.session.begin_nested()
        try:
            out = _apply_one(tx, scribe, e, proposal_of)
            sp.commit()
        except HocbasoError as err:
            sp.rollback()
            problems.append(f"{where}: {err.message}")
            continue
        written += 1
        if e.kind == "confirmed":
            result = out.new
    if problems:
        raise TranscriptionRefused(f"Không nhập trích lục cho {st.full_name} ({st.personal_id}), không ghi gì: "
                                   f"{len(problems)} ô không hợp lệ theo TT27", tuple(problems))
    return written, result


def transcription_of(s: Session, enrolment_id: int) -> Transcription | None:
    return s.execute(select(Transcription).where(Transcription.enrolment_id == enrolment_id)).scalars().first()


def is_transcribed_year(s: Session, year_id: int) -> bool:
    return s.execute(select(SchoolYear.kind).where(SchoolYear.id == year_id)).scalar() == YEAR_TRANSCRIBED


__all__ = ["AUDIT_ACTION", "TranscriptionRefused", "TranscriptionResult", "is_transcribed_year", "transcribe",
           "transcription_of", "transcription_template"]
