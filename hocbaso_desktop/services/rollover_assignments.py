"""Copying the old year's GVCN and GVBM to the classes a rollover makes (year open --copy-assignments),
inside the rollover's own transaction, through the same checks as any assignment (services/assignments)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..domain.catalogue import catalogue
from ..domain.pupil_subjects import parse_codes
from ..storage.engine import Tx
from ..storage.models import SchoolYear
from . import assignments
from .rollover_plan import Draft


def _mapped_table(s: Session, old: SchoolYear, d: Draft) -> dict[str, dict[str, list[str]]]:
    """The old year's GVCN and GVBM rows onto the classes this run makes: a merged class takes the first
    old class's GVCN and every GVBM; a split class's GVCN goes to its first new class, its GVBM to all.
    A class made only for repeaters gets none (its old teachers went up with their pupils)."""
    current = assignments.table_in(s, old)
    table: dict[str, dict[str, list[str]]] = {}
    for old_name in sorted(d.targets):
        cells = current.get(old_name, {})
        for i, t in enumerate(d.targets[old_name]):
            if t not in d.new_classes:
                continue
            grade = d.new_classes[t][0]
            row = table.setdefault(t, {})
            for key, codes in cells.items():
                if key == assignments.GVCN:
                    if i == 0 and codes and not row.get(key):
                        row[key] = list(codes)
                elif codes and catalogue().subject(key).offered_in(grade):
                    row[key] = sorted(set(row.get(key, [])) | set(codes))
    return table


def _fill_new_subjects(s: Session, old: SchoolYear, d: Draft,
                       table: dict[str, dict[str, list[str]]]) -> dict[tuple[str, str], str]:
    """A subject the new grade adds (Tin học in 3, Khoa học in 4) has nobody from the mapped class: the
    GVBM who taught it last year in the class of the same name (subject teachers stay with the grade),
    else the new class's GVCN (in primary school the GVCN teaches what no specialist does). Named."""
    current = assignments.table_in(s, old)
    notes: dict[tuple[str, str], str] = {}
    pupil_opts: dict[str, set[str]] = {}
    for p, cname in d.enrol:
        pupil_opts.setdefault(cname, set()).update(parse_codes(p.enrolment.optional_subjects))
    for cname, row in sorted(table.items()):
        grade, class_opts = d.new_classes[cname]
        same = current.get(cname, {})
        same_hr = set(same.get(assignments.GVCN, []))
        for subj in catalogue().subjects_for(grade, class_opts | pupil_opts.get(cname, set())):
            if row.get(subj.code):
                continue
            specialists = [x for x in same.get(subj.code, []) if x not in same_hr]
            if specialists:
                row[subj.code] = specialists
                notes[(cname, subj.code)] = f"như lớp {cname} năm trước"
            elif row.get(assignments.GVCN):
                row[subj.code] = list(row[assignments.GVCN])
                notes[(cname, subj.code)] = f"GVCN; môn mới của khối {grade}"
    return notes


def _clean_table(s: Session, y: SchoolYear, table: dict[str, dict[str, list[str]]]) -> list[str]:
    """Drop what the new year would refuse (staff who left, a GVCN without the role…), naming each, so
    the rest is copied."""
    skipped: list[str] = []
    for p in assignments.check_table(s, y, table).problems:
        table.get(p.class_name, {}).pop(p.column, None)
        skipped.append(f"lớp {p.class_name}, {assignments.column_title(p.column)}: {p.message}")
    return skipped


def copy_assignments(tx: Tx, old: SchoolYear, new: SchoolYear, d: Draft) -> tuple[list[str], list[str]]:
    s = tx.session
    table = _mapped_table(s, old, d)
    skipped = _clean_table(s, new, table)
    filled = _fill_new_subjects(s, old, d, table)
    skipped += _clean_table(s, new, table)
    assignments.apply_in_transaction(tx, new.name, table)
    copied = [f"{c}: {assignments.column_title(k)} {', '.join(v)}" + (f" ({filled[(c, k)]})" if (c, k) in filled else "")
              for c, cells in sorted(table.items()) for k, v in cells.items() if v]
    return copied, skipped


__all__ = ["copy_assignments"]
