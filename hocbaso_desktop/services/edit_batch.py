"""What one batch of grid edits reads before it writes: one query per table, whatever its size.

A pasted 45×10 block used to read, per cell, the pupil's context, whether the record was issued,
whether the period was carried from an old school and the evaluation row, and to flush and append
the audit entry on its own: about ten statements per cell. Here the batch's pupils are read in one
query (context, issued, carried periods), their evaluation rows in one query per table, and the
audit entries are appended together, hash-chained in order, before the single commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import BindParameter, Select, Update, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import Session

from ..domain.errors import NotFound
from ..storage.models import (
    Enrolment,
    PeriodSummary,
    QualityEvaluation,
    Record,
    RecordUnlock,
    SchoolClass,
    SchoolYear,
    Student,
    SubjectEvaluation,
    YearResult,
)
from ..storage.transfer_models import ReceivedPeriod


@dataclass(frozen=True)
class EditContext:
    """The facts about one pupil that decide whether and how a cell may change."""

    enrolment_id: int
    optional_subjects: str  # the pupil's own, comma-separated
    exempt_subjects: str
    class_id: int
    class_name: str
    grade: int
    class_optional: str
    personal_id: str
    full_name: str
    not_assessed: bool
    year_name: str
    year_locked: bool
    issued: bool  # an issued record not opened for a correction
    carried: frozenset[str]  # periods evaluated at the old school (mid-year transfer)


AuditEvent = tuple[str, str, object, dict[str, Any] | None]
_Cells = TypeVar("_Cells", SubjectEvaluation, QualityEvaluation, PeriodSummary)


@dataclass
class EditBatch:
    session: Session
    contexts: dict[int, EditContext] = field(default_factory=dict)
    subjects: dict[tuple[int, str, str], SubjectEvaluation] = field(default_factory=dict)
    qualities: dict[tuple[int, str, str], QualityEvaluation] = field(default_factory=dict)
    summaries: dict[tuple[int, str], PeriodSummary] = field(default_factory=dict)
    years: dict[int, YearResult] = field(default_factory=dict)
    events: list[AuditEvent] = field(default_factory=list)  # appended by the caller, in order, before commit
    _read: set[tuple[str, int, str, str]] = field(default_factory=set)  # (table, enrolment, period, code) read
    _new: list[Any] = field(default_factory=list)  # rows to insert, not yet in the session
    _loaded_rows: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)  # (row, values as read/written)

    def load(self, cells: Iterable[tuple[int, str, str, str]]) -> None:
        """Read the pupils of these cells (enrolment, period, kind, code), then the rows the cells live in:
        one query per table, only the subjects/qualities the cells name (a keystroke reads one row)."""
        cells = list(cells)
        self._load_contexts(sorted({e for e, _p, _k, _c in cells} - set(self.contexts)))
        wanted: dict[str, set[tuple[int, str, str]]] = {}
        for e, p, kind, code in cells:
            table = _TABLE_OF.get(kind)
            if table is not None:
                key = (e, "" if table == "year" else p, code if table in ("subject", "quality") else "")
                if (table, *key) not in self._read:
                    wanted.setdefault(table, set()).add(key)
        for table, todo in sorted(wanted.items()):
            ids = sorted({e for e, _p, _c in todo})
            periods = sorted({p for _e, p, _c in todo})
            codes = sorted({c for _e, _p, c in todo})
            params: dict[str, Any] = {"ids": ids, "periods": periods, "codes": codes}
            # setdefault: a row this batch already holds (and may have changed) stays the one it holds
            one = len(ids) == 1 and len(periods) == 1 and len(codes) == 1
            if one:  # a keystroke: equalities, no expanding IN to render again on every statement
                params = {"id": ids[0], "period": periods[0], "code": codes[0]}
            if table == "subject":
                for se in self._rows(SubjectEvaluation, _SUBJECT_ONE if one else _SUBJECT_ROWS, params):
                    self.subjects.setdefault((se.enrolment_id, se.period, se.subject_code), se)
            elif table == "quality":
                for qe in self._rows(QualityEvaluation, _QUALITY_ONE if one else _QUALITY_ROWS, params):
                    self.qualities.setdefault((qe.enrolment_id, qe.period, qe.quality_code), qe)
            elif table == "summary":
                for ps in self._rows(PeriodSummary, _SUMMARY_ONE if one else _SUMMARY_ROWS, params):
                    self.summaries.setdefault((ps.enrolment_id, ps.period), ps)
            else:
                for yr in self.session.execute(_YEAR_ONE if one else _YEAR_ROWS, params if one else {"ids": ids}).scalars():
                    self.years.setdefault(yr.enrolment_id, yr)
            # every combination the query covered is read (it returned all rows that exist for them)
            self._read |= {(table, e, p, c) for e in ids for p in periods for c in codes}

    def new_row(self, row: SubjectEvaluation | QualityEvaluation | PeriodSummary) -> None:
        """A row the batch creates: inserted by write(), with the others of its table in one statement
        (the session would insert them one by one, to read each id back)."""
        self._new.append(row)

    def _rows(self, model: type[_Cells], statement: Select[Any], params: dict[str, Any]) -> list[_Cells]:
        """Evaluation rows as plain values (ORM instances kept out of the session): write() sends what
        changed as UPDATEs, without the session's unit of work."""
        out = []
        for values in self.session.connection().execute(statement, params).mappings():
            row = model(**values)
            self._loaded_rows.append((row, dict(values)))
            out.append(row)
        return out

    def write(self) -> None:
        """The batch's changes into the transaction: changed and new rows in one statement per table and
        set of columns, the year results by the session's flush. Before anything reads them back (the
        TT27 proposal of a confirmation) and before the audit entries."""
        self.session.flush()
        conn = self.session.connection()
        updates: dict[tuple[Any, tuple[str, ...]], list[dict[str, Any]]] = {}
        for row, seen in self._loaded_rows:
            changed = tuple(sorted(k for k, v in seen.items() if k != "id" and getattr(row, k) != v))
            if changed:
                updates.setdefault((type(row).__table__, changed), []).append(
                    {"row_id": seen["id"], **{f"new_{k}": getattr(row, k) for k in changed}})
                seen.update({k: getattr(row, k) for k in changed})
        for (table, changed), params in updates.items():
            conn.execute(_update_of(table, changed), params)
        if not self._new:
            return
        by_table: dict[Any, list[dict[str, Any]]] = {}
        for new in self._new:
            table = type(new).__table__
            columns = {c.key for c in table.columns} - {"id"}
            by_table.setdefault(table, []).append({k: v for k, v in vars(new).items() if k in columns})
        for table, rows in by_table.items():
            for keys in {tuple(sorted(r)) for r in rows}:  # one executemany per set of columns given
                conn.execute(insert(table), [r for r in rows if tuple(sorted(r)) == keys])
        # The inserted rows are forgotten, with the mark that their pupil-period was read: a later cell
        # of the same batch reads them back as rows of the session (a change to a forgotten copy is lost).
        for row in self._new:
            if isinstance(row, SubjectEvaluation):
                self.subjects.pop((row.enrolment_id, row.period, row.subject_code), None)
                self._read.discard(("subject", row.enrolment_id, row.period, row.subject_code))
            elif isinstance(row, QualityEvaluation):
                self.qualities.pop((row.enrolment_id, row.period, row.quality_code), None)
                self._read.discard(("quality", row.enrolment_id, row.period, row.quality_code))
            else:
                self.summaries.pop((row.enrolment_id, row.period), None)
                self._read.discard(("summary", row.enrolment_id, row.period, ""))
        self._new.clear()

    def _load_contexts(self, ids: list[int]) -> None:
        if not ids:
            return
        rows = (self.session.connection().execute(_CONTEXT_ONE, {"id": ids[0]}) if len(ids) == 1
                else self.session.connection().execute(_CONTEXTS, {"ids": ids}))
        for row in rows:  # columns only: no ORM layer
            (e_id, optional, exempt, class_id, class_name, grade, class_optional, personal_id, full_name, not_assessed,
             year_name, year_locked, is_issued, periods_carried) = row
            self.contexts[e_id] = EditContext(
                e_id, optional or "", exempt or "", class_id, class_name, grade, class_optional or "", personal_id, full_name,
                bool(not_assessed), year_name, bool(year_locked), bool(is_issued),
                frozenset(periods_carried.split(",")) if periods_carried else frozenset())

    def context(self, enrolment_id: int, period: str, kind: str, code: str) -> EditContext:
        self.load([(enrolment_id, period, kind, code)])
        ctx = self.contexts.get(enrolment_id)
        if ctx is None:
            raise NotFound(f"Không có học sinh (ghi danh #{enrolment_id})")
        return ctx


_TABLE_OF = {
    "subject_level": "subject", "subject_score": "subject", "subject_comment": "subject",
    "quality_level": "quality", "quality_comment": "quality",
    "group_comment": "summary", "days_excused": "summary", "days_unexcused": "summary", "teacher_comment": "summary",
    "confirmed": "year", "awards": "year", "adhoc_awards": "year",
}

# Built once: constructing a statement costs more than running it on a keystroke's one row.
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_PERIODS: BindParameter[list[str]] = bindparam("periods", expanding=True)
_ISSUED = exists().where(Record.enrolment_id == Enrolment.id, Record.status == "issued",
                         ~exists().where(RecordUnlock.enrolment_id == Enrolment.id, RecordUnlock.active.is_(True)))
_CARRIED = (select(func.group_concat(ReceivedPeriod.period))
            .where(ReceivedPeriod.enrolment_id == Enrolment.id).scalar_subquery())
_CONTEXT_COLUMNS = (
    select(Enrolment.id, Enrolment.optional_subjects, Enrolment.exempt_subjects, SchoolClass.id, SchoolClass.name,
           SchoolClass.grade, SchoolClass.optional_subjects, Student.personal_id, Student.full_name,
           Student.not_assessed, SchoolYear.name, SchoolYear.locked, _ISSUED, _CARRIED)
    .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
    .join(Student, Enrolment.student_id == Student.id)
    .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
)
_CONTEXTS = _CONTEXT_COLUMNS.where(Enrolment.id.in_(_IDS))
# One pupil, one period, one code (a keystroke): the same statements with equalities. An expanding IN
# is rendered again at every execution, which cost about as much as running the statement.
_ID: BindParameter[int] = bindparam("id")
_PERIOD: BindParameter[str] = bindparam("period")
_CODE: BindParameter[str] = bindparam("code")
_CONTEXT_ONE = _CONTEXT_COLUMNS.where(Enrolment.id == _ID)
_CODES: BindParameter[list[str]] = bindparam("codes", expanding=True)
_SUBJECT_ROWS = select(*SubjectEvaluation.__table__.columns).where(
    SubjectEvaluation.enrolment_id.in_(_IDS), SubjectEvaluation.period.in_(_PERIODS), SubjectEvaluation.subject_code.in_(_CODES))
_QUALITY_ROWS = select(*QualityEvaluation.__table__.columns).where(
    QualityEvaluation.enrolment_id.in_(_IDS), QualityEvaluation.period.in_(_PERIODS), QualityEvaluation.quality_code.in_(_CODES))
_SUMMARY_ROWS = select(*PeriodSummary.__table__.columns).where(PeriodSummary.enrolment_id.in_(_IDS), PeriodSummary.period.in_(_PERIODS))
_YEAR_ROWS = select(YearResult).where(YearResult.enrolment_id.in_(_IDS))
_SUBJECT_ONE = select(*SubjectEvaluation.__table__.columns).where(
    SubjectEvaluation.enrolment_id == _ID, SubjectEvaluation.period == _PERIOD, SubjectEvaluation.subject_code == _CODE)
_QUALITY_ONE = select(*QualityEvaluation.__table__.columns).where(
    QualityEvaluation.enrolment_id == _ID, QualityEvaluation.period == _PERIOD, QualityEvaluation.quality_code == _CODE)
_SUMMARY_ONE = select(*PeriodSummary.__table__.columns).where(PeriodSummary.enrolment_id == _ID, PeriodSummary.period == _PERIOD)
_YEAR_ONE = select(YearResult).where(YearResult.enrolment_id == _ID)
_UPDATES: dict[tuple[str, tuple[str, ...]], Update] = {}


def _update_of(table: Any, changed: tuple[str, ...]) -> Update:
    """UPDATE … SET the changed columns WHERE id: built once per table and set of columns (building it
    and its cache key cost more than running it on a keystroke's one row)."""
    key = (table.name, changed)
    statement = _UPDATES.get(key)
    if statement is None:
        statement = _UPDATES[key] = (update(table).where(table.c.id == bindparam("row_id"))
                                     .values({k: bindparam(f"new_{k}") for k in changed}))
    return statement


__all__ = ["AuditEvent", "EditBatch", "EditContext"]
