"""A grid row after accepted edits, rebuilt from the values the service has just committed.

Reading the row back from the database after every keystroke cost more than the edit itself; the
service's outcomes already say exactly what was stored (old → new of one field), so the row is
rebuilt from them with the same rules load_grid applies (exempt subjects read M, the TT27 proposal
is recomputed from the CN ratings). Whatever these rules do not cover (the year result, whose
confirmation also stores who, when, why) returns None and the caller reads the row back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..domain.catalogue import EXEMPT, FINAL_PERIOD, catalogue
from ..domain.results import propose_result
from .evaluation_edit import QUALITY_KINDS, SUBJECT_KINDS, SUMMARY_KINDS, EditOutcome
from .grid import ClassGrid, GridRow, QualityCell, SubjectCell, year_inputs


def row_after(grid: ClassGrid, row: GridRow, outcomes: Sequence[EditOutcome]) -> GridRow | None:
    """`row` with the accepted outcomes of its enrolment applied, or None when it must be read back."""
    subjects = dict(row.subjects)
    qualities = dict(row.qualities)
    summary = row.summary
    for o in outcomes:
        e = o.edit
        if e.enrolment_id != row.enrolment_id or not o.ok:
            continue
        if e.period != grid.period:
            return None
        if e.kind in SUBJECT_KINDS:
            if not row.takes(e.code):
                return None
            field = SUBJECT_KINDS[e.kind]
            cell = replace(subjects.get(e.code) or SubjectCell(), **{field: o.new})
            if cell.level == EXEMPT or e.code in row.exempt:
                # what the service stores (an exempt subject carries no score) and what load_grid shows
                cell = SubjectCell(EXEMPT, None, cell.comment)
            subjects[e.code] = cell
        elif e.kind in QUALITY_KINDS:
            qualities[e.code] = replace(qualities.get(e.code) or QualityCell(), **{QUALITY_KINDS[e.kind]: o.new})
        else:
            key = f"{e.kind}:{e.code}" if e.kind == "group_comment" else e.kind
            if key not in SUMMARY_KINDS:
                return None
            summary = replace(summary, **{SUMMARY_KINDS[key]: o.new})
    proposal = row.proposal
    if grid.period == FINAL_PERIOD:
        # the proposal is computed from the CN ratings, which are the ones on screen in the CN period
        proposal = propose_result(year_inputs(grid.info.grade, row.optional, row.not_assessed, subjects, qualities),
                                  catalogue())
    return replace(row, subjects=subjects, qualities=qualities, summary=summary, proposal=proposal)
