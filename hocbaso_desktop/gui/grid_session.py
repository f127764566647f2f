"""One class + period open for editing: the snapshot shared by the three grid views, and the edits.

Every accepted edit has already been committed by the service when this object hears of it, so
nothing shown as accepted can be lost by closing the window or killing the program.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..services.evaluation_edit import CellEdit, EditOutcome, apply_edits
from ..services.grid import ClassGrid, GridRow, load_grid
from ..services.grid_refresh import row_after
from ..services.signing_plan import stale_confirmation
from ..storage.engine import Store
from .models.grid_columns import missing_count, required_columns_all_views

ReasonProvider = Callable[[GridRow, str, str | None], str | None]  # row, new result, proposal → reason or None (cancel)


class GridSession(QObject):
    rows_changed = Signal(list)  # row indices
    message = Signal(str)  # status bar text
    refused = Signal(list)  # list of (student name, column label, reason)

    def __init__(self, store: Store, grid: ClassGrid, actor: Actor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.grid = grid
        self.actor = actor
        self.rows: list[GridRow] = list(grid.rows)
        self._index = {r.enrolment_id: i for i, r in enumerate(self.rows)}
        self.undo_stack = QUndoStack(self)
        self._required = required_columns_all_views(grid)
        self._missing: dict[int, int] = {}
        self.reason_provider: ReasonProvider | None = None
        from ..services.locks import locked_enrolments

        # Issued records and a locked year are read-only here; the database refuses them anyway.
        self.year_locked, self.issued = locked_enrolments(store, grid.info.id)

    def missing_in_row(self, i: int) -> int:
        """Required cells still empty in row i over every view: counted once for the three views' models."""
        n = self._missing.get(i)
        if n is None:
            n = self._missing[i] = missing_count(self.grid, self.rows[i], self._required)
        return n

    def is_locked(self, enrolment_id: int) -> bool:
        return self.year_locked or enrolment_id in self.issued

    def row_index(self, enrolment_id: int) -> int:
        return self._index[enrolment_id]

    def row_label(self, enrolment_id: int) -> str:
        """How a notice names a row: its number in the grid and the pupil («Dòng 3, Nguyễn Văn An»)."""
        i = self._index.get(enrolment_id)
        return "?" if i is None else f"Dòng {i + 1}, {self.rows[i].full_name}"

    # --- editing -----------------------------------------------------------------------------
    def submit(self, edits: list[CellEdit], labels: dict[int, str] | None = None, undoable: bool = True) -> list[EditOutcome]:
        """Apply edits (a keystroke or a pasted block); refresh the touched rows; push undo."""
        if not edits:
            return []
        edits = self._ask_reasons(edits)
        stale = {e.enrolment_id for e in edits if e.kind == "confirmed" and e.enrolment_id in self._index
                 and stale_confirmation(self.rows[self._index[e.enrolment_id]]) is not None}
        try:
            outcomes = apply_edits(self.store, self.actor, edits)
        except HocbasoError as e:
            self.message.emit(e.message)
            return [EditOutcome(x, False, message=e.message) for x in edits]
        self._refresh(outcomes)
        accepted = [o for o in outcomes if o.ok and o.old != o.new]
        # the same result confirmed again on a stale row: stored (who, when, reason), nothing to undo
        reconfirmed = [o for o in outcomes if o.ok and o.old == o.new and o.edit.enrolment_id in stale]
        refused = [o for o in outcomes if not o.ok]
        if refused:
            details = [(self.row_label(o.edit.enrolment_id), (labels or {}).get(id(o.edit), o.edit.kind), o.message)
                       for o in refused]
            self.refused.emit(details)
            first = refused[0].message
            more = f" (và {len(refused) - 1} ô khác bị từ chối)" if len(refused) > 1 else ""
            self.message.emit(f"Từ chối: {first}{more}")
        elif accepted or reconfirmed:
            n = len(accepted) + len(reconfirmed)
            self.message.emit(f"Đã lưu {n} ô" if n > 1 else
                              ("Đã lưu" if accepted else f"Đã xác nhận lại kết quả {reconfirmed[0].new}"))
        if accepted and undoable:
            self.undo_stack.push(_EditCommand(self, accepted))
        return outcomes

    def _ask_reasons(self, edits: list[CellEdit]) -> list[CellEdit]:
        out = []
        for e in edits:
            if e.kind == "confirmed" and not e.reason and e.value not in (None, ""):
                row = self.rows[self._index[e.enrolment_id]]
                proposed = row.proposal.result if row.proposal else None
                if str(e.value).strip().upper() != proposed and self.reason_provider is not None:
                    reason = self.reason_provider(row, str(e.value).strip().upper(), proposed)
                    if reason is None:
                        continue  # the GVCN cancelled
                    e = CellEdit(e.enrolment_id, e.period, e.kind, e.code, e.value, reason)
            out.append(e)
        return out

    def _refresh(self, outcomes: list[EditOutcome]) -> None:
        """The touched rows from what the service committed; only what that cannot say is read back."""
        by_row: dict[int, list[EditOutcome]] = {}
        for o in outcomes:
            if o.ok and o.edit.enrolment_id in self._index:
                by_row.setdefault(o.edit.enrolment_id, []).append(o)
        changed, reread = [], set()
        for enrolment_id, own in by_row.items():
            i = self._index[enrolment_id]
            row = row_after(self.grid, self.rows[i], own)
            if row is None:
                reread.add(enrolment_id)
            else:
                self.rows[i] = row
                changed.append(i)
        if reread:
            fresh = load_grid(self.store, self.grid.info.id, self.grid.period, only=reread, info=self.grid.info)
            for r in fresh.rows:
                self.rows[self._index[r.enrolment_id]] = r
                changed.append(self._index[r.enrolment_id])
        for i in changed:
            self._missing.pop(i, None)
        if changed:
            self.rows_changed.emit(sorted(changed))

    def reapply(self, edits: list[CellEdit]) -> None:
        """Undo/redo: the reverse edits are new, audited edits (the audit never rewinds)."""
        outcomes = apply_edits(self.store, self.actor, edits)
        self._refresh(outcomes)
        bad = [o for o in outcomes if not o.ok]
        if bad:
            self.message.emit(f"Không hoàn tác được: {bad[0].message}")


class _EditCommand(QUndoCommand):
    def __init__(self, session: GridSession, accepted: list[EditOutcome]) -> None:
        super().__init__(f"sửa {len(accepted)} ô")
        self.session = session
        self.forward = [o.edit for o in accepted]
        self.backward = [
            CellEdit(o.edit.enrolment_id, o.edit.period, o.edit.kind, o.edit.code, o.old,
                     reason="Hoàn tác" if o.edit.kind == "confirmed" else "")
            for o in reversed(accepted)
        ]
        self._first = True

    def redo(self) -> None:
        if self._first:  # already applied when pushed
            self._first = False
            return
        self.session.reapply(self.forward)

    def undo(self) -> None:
        self.session.reapply(self.backward)
