"""The class grid as a spreadsheet: type a level and move on, Enter down, Tab right (Shift+Tab left,
never out of the grid), Delete clears, F2 edits a comment, Ctrl+V pastes a block from Excel, Ctrl+C
copies, Ctrl+Space suggests comments. The pupil's name stays in sight while 35 columns scroll: the
leading columns are drawn by a second table over the same model (Qt's frozen-column pattern)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from ..services import comment_bank
from .models.grid_model import GridModel

LEVEL_KEYS = {"T": "T", "H": "H", "C": "C", "M": "M", "Đ": "Đ", "D": "Đ"}
FROZEN_KINDS = ("name", "missing")  # the leading columns that say whose row it is: never scrolled away


class GridDelegate(QStyledItemDelegate):
    """Commits on Enter/Tab and tells the view where to go next, like a spreadsheet."""

    move = Signal(int, int)  # d_row, d_col

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QWidget:
        ed = QLineEdit(parent)
        ed.setFrame(False)
        return ed

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(obj, QLineEdit):
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                self.commitData.emit(obj)
                self.closeEditor.emit(obj, QStyledItemDelegate.EndEditHint.NoHint)
                if key == Qt.Key.Key_Tab:
                    self.move.emit(0, 1)
                elif key == Qt.Key.Key_Backtab:
                    self.move.emit(0, -1)
                else:
                    self.move.emit(1, 0)
                return True
        return super().eventFilter(obj, event)


class GridView(QTableView):
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.delegate = GridDelegate(self)
        self.delegate.move.connect(self.move_by)
        self.setItemDelegate(self.delegate)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.AnyKeyPressed  # scores, days, comments: typing starts editing
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setTabKeyNavigation(False)  # Tab is ours (focusNextPrevChild)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen_count = 0
        self.frozen = self._make_frozen_view()
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalHeader().sectionResized.connect(lambda i, _o, n: self.frozen.setRowHeight(i, n))
        self.horizontalHeader().geometriesChanged.connect(self._place_frozen)
        self.verticalHeader().geometriesChanged.connect(self._place_frozen)

    # --- frozen leading columns --------------------------------------------------------------
    def _make_frozen_view(self) -> QTableView:
        f = QTableView(self)
        f.setObjectName("frozenColumns")
        f.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keystrokes always reach this view (one current cell)
        f.verticalHeader().hide()
        f.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        f.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        f.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        f.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        f.setVerticalScrollMode(self.verticalScrollMode())
        f.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        f.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        f.setFrameShape(QFrame.Shape.NoFrame)
        f.setStyleSheet("QTableView { border-right: 2px solid #8a9bb0; }")  # where the scrolling part begins
        self.viewport().stackUnder(f)
        f.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(f.verticalScrollBar().setValue)
        # a click on a name is a click on the grid: focus here, and the signals the window listens to
        f.pressed.connect(lambda _i: self.setFocus(Qt.FocusReason.MouseFocusReason))
        f.doubleClicked.connect(self.doubleClicked.emit)
        f.clicked.connect(self.clicked.emit)
        f.hide()
        return f

    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802 (Qt name)
        super().setModel(model)
        f = self.frozen
        f.setModel(model)
        if model is None:
            self.frozen_count = 0
            f.hide()
            return
        f.setSelectionModel(self.selectionModel())
        columns = getattr(model, "columns", [])
        n = 0
        while n < len(columns) and columns[n].kind in FROZEN_KINDS:
            n += 1
        self.frozen_count = n
        for c in range(model.columnCount()):
            f.setColumnHidden(c, c >= n)
            f.setColumnWidth(c, self.columnWidth(c))
        f.setAlternatingRowColors(self.alternatingRowColors())
        f.verticalHeader().setDefaultSectionSize(self.verticalHeader().defaultSectionSize())
        f.setVisible(n > 0)
        self._place_frozen()

    def frozen_width(self) -> int:
        return sum(self.columnWidth(c) for c in range(self.frozen_count))

    def _section_resized(self, index: int, _old: int, new: int) -> None:
        if index < self.frozen_count:
            self.frozen.setColumnWidth(index, new)
            self._place_frozen()

    def _place_frozen(self) -> None:
        if not self.frozen_count:
            return
        fw = self.frameWidth()
        head = self.horizontalHeader().height()
        self.frozen.horizontalHeader().setFixedHeight(head)
        self.frozen.setGeometry(self.verticalHeader().width() + fw, fw, self.frozen_width(), self.viewport().height() + head)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._place_frozen()

    def scrollTo(  # noqa: N802
        self, index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        """Scroll so the cell shows beside the frozen columns, not under them; a frozen cell only scrolls rows."""
        bar = self.horizontalScrollBar()
        if index.isValid() and index.column() < self.frozen_count:
            keep = bar.value()
            super().scrollTo(index, hint)
            bar.setValue(keep)
            return
        super().scrollTo(index, hint)
        left = self.visualRect(index).left()
        if index.isValid() and self.frozen_count and left < self.frozen_width():
            bar.setValue(bar.value() + left - self.frozen_width())

    def grid_model(self) -> GridModel | None:
        m = self.model()
        return m if isinstance(m, GridModel) else None

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt names)
        """Tab / Shift+Tab outside a cell editor move one cell, never focus out of the grid (the next
        keystrokes would be lost on a widget the teacher is not looking at)."""
        cur = self.currentIndex()
        if self.grid_model() is None or not cur.isValid():
            return super().focusNextPrevChild(next)
        if self.state() != QAbstractItemView.State.EditingState:
            self.move_by(0, 1 if next else -1)
        return True

    # --- navigation --------------------------------------------------------------------------
    def move_by(self, d_row: int, d_col: int) -> None:
        cur = self.currentIndex()
        m = self.model()
        if not cur.isValid() or m is None:
            return
        r = min(max(cur.row() + d_row, 0), m.rowCount() - 1)
        c = min(max(cur.column() + d_col, 0), m.columnCount() - 1)
        self.setCurrentIndex(m.index(r, c))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        m = self.grid_model()
        cur = self.currentIndex()
        if m is None or not cur.isValid() or self.state() == QAbstractItemView.State.EditingState:
            return super().keyPressEvent(event)
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.matches(QKeySequence.StandardKey.Paste):
            return self.paste()
        if event.matches(QKeySequence.StandardKey.Copy):
            return self.copy()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self.move_by(1, 0)
        if key == Qt.Key.Key_Tab:
            return self.move_by(0, 1)
        if key == Qt.Key.Key_Backtab:
            return self.move_by(0, -1)
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            return self.clear_selection()
        if key == Qt.Key.Key_Space and mods == Qt.KeyboardModifier.ControlModifier:
            return self.suggest_comment()
        col = m.columns[cur.column()]
        text = event.text()
        if text and mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            if not (m.flags(cur) & Qt.ItemFlag.ItemIsEditable):
                if text.isprintable() and not text.isspace():
                    self.message.emit(self._why_readonly(cur))
                    return
                return super().keyPressEvent(event)
            if col.is_level:
                level = LEVEL_KEYS.get(text.upper())
                if level is None:
                    allowed = "T, Đ hoặc C" if col.kind == "quality_level" else "T, H hoặc C (M nếu miễn)"
                    self.message.emit(f"{col.header.splitlines()[0]}: gõ {allowed}")
                    return
                if m.setData(cur, level):
                    self.move_by(1, 0)
                return
        super().keyPressEvent(event)

    def _why_readonly(self, index: QModelIndex) -> str:
        m = self.grid_model()
        assert m is not None
        col = m.columns[index.column()]
        name = col.header.splitlines()[0]
        if m.session is not None and m.session.is_locked(m.rows[index.row()].enrolment_id):
            return ("Năm học đã khóa" if m.session.year_locked else "Học bạ của học sinh này đã phát hành") + \
                ": chỉ sửa qua phiếu đính chính đã được Hiệu trưởng duyệt"
        if col.kind.startswith("subject_"):
            return f"Chỉ GVBM dạy môn này ở lớp mới sửa được cột «{name}»"
        if col.kind in ("name", "missing", "proposal", "completion"):
            return f"Cột «{name}» không sửa trực tiếp"
        if col.kind in ("confirmed", "awards"):
            return "Kết quả cuối năm và khen thưởng chỉ nhập ở kì Cuối năm học (CN), do GVCN của lớp"
        return f"Chỉ GVCN của lớp mới sửa được cột «{name}»"

    # --- blocks ------------------------------------------------------------------------------
    def clear_selection(self) -> None:
        m = self.grid_model()
        if m is None or m.session is None:
            return
        edits, labels = [], {}
        for idx in self.selectedIndexes() or [self.currentIndex()]:
            if m.flags(idx) & Qt.ItemFlag.ItemIsEditable and m.display_value(m.rows[idx.row()], m.columns[idx.column()]):
                e = m.edit_for(idx.row(), idx.column(), None)
                if e is not None:
                    edits.append(e)
                    labels[id(e)] = m.columns[idx.column()].header.replace("\n", " ")
        m.session.submit(edits, labels)

    def paste(self) -> None:
        m = self.grid_model()
        cur = self.currentIndex()
        if m is None or m.session is None or not cur.isValid():
            return
        text = QGuiApplication.clipboard().text()
        self.paste_text(text)

    def paste_text(self, text: str) -> None:
        """A tab-separated block from Excel, starting at the current cell; each cell judged on its own."""
        m = self.grid_model()
        cur = self.currentIndex()
        if m is None or m.session is None or not cur.isValid():
            return
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # Excel ends a copied block with a newline
        edits, labels, refused, unchanged = [], {}, [], 0
        for dr, line in enumerate(lines):
            for dc, raw in enumerate(line.split("\t")):
                r, c = cur.row() + dr, cur.column() + dc
                if r >= m.rowCount() or c >= m.columnCount():
                    refused.append((f"Dòng {r + 1}", f"cột {c + 1}", "ngoài bảng"))
                    continue
                idx = m.index(r, c)
                label = m.columns[c].header.replace("\n", " ")
                if not (m.flags(idx) & Qt.ItemFlag.ItemIsEditable):
                    if raw.strip() != m.display_value(m.rows[r], m.columns[c]):
                        refused.append((f"Dòng {r + 1}, {m.rows[r].full_name}", label, self._why_readonly(idx)))
                    else:
                        unchanged += 1
                    continue
                value = raw.strip()
                if m.columns[c].is_level and value.upper() in LEVEL_KEYS:
                    value = LEVEL_KEYS[value.upper()]
                if value == m.display_value(m.rows[r], m.columns[c]):
                    unchanged += 1  # already so: nothing to write, but the teacher is told it was there
                    continue
                e = m.edit_for(r, c, value)
                if e is not None:
                    edits.append(e)
                    labels[id(e)] = label
        outcomes = m.session.submit(edits, labels) if edits else []
        if refused:
            m.session.refused.emit(refused)
        ok = sum(1 for o in outcomes if o.ok)
        bad = len(refused) + sum(1 for o in outcomes if not o.ok)
        if edits or refused or unchanged:
            self.message.emit(f"Dán: lưu {ok} ô" + (f", {unchanged} ô đã có đúng giá trị" if unchanged else "")
                              + (f", từ chối {bad} ô (xem bảng Thông báo)" if bad else ""))

    def copy(self) -> None:
        m = self.grid_model()
        idxs = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        if m is None or not idxs:
            return
        rows: dict[int, dict[int, str]] = {}
        for i in idxs:
            rows.setdefault(i.row(), {})[i.column()] = m.display_value(m.rows[i.row()], m.columns[i.column()])
        cols = sorted({i.column() for i in idxs})
        text = "\n".join("\t".join(rows[r].get(c, "") for c in cols) for r in sorted(rows))
        QGuiApplication.clipboard().setText(text + "\n")

    # --- comment bank ------------------------------------------------------------------------
    def suggest_comment(self) -> None:
        m = self.grid_model()
        cur = self.currentIndex()
        if m is None or m.session is None or not cur.isValid():
            return
        col = m.columns[cur.column()]
        if col.kind not in ("subject_comment", "group_comment"):
            self.message.emit("Gợi ý nhận xét: hãy chọn một ô nhận xét")
            return
        if not (m.flags(cur) & Qt.ItemFlag.ItemIsEditable):
            self.message.emit(self._why_readonly(cur))
            return
        row = m.rows[cur.row()]
        level = None
        if col.kind == "subject_comment":
            cell = row.subjects.get(col.code)
            level = cell.level if cell else None
        items = comment_bank.suggestions(m.session.store, col.code, level if level in ("T", "H", "C") else None)
        if not items:
            self.message.emit("Ngân hàng nhận xét chưa có gợi ý cho ô này")
            return
        menu = QMenu(self)
        for it in items[:20]:
            act = menu.addAction(f"[{it.level}] {it.text}")
            act.setData(it.text)
        rect = self.visualRect(cur)
        chosen = menu.exec(self.viewport().mapToGlobal(rect.bottomLeft()))
        if chosen is not None:
            m.setData(cur, chosen.data())
