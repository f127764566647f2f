"""The tree of grades and classes of a school year."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from ...services.directory import ClassInfo

CLASS_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def build_class_tree(classes: list[ClassInfo]) -> QStandardItemModel:
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels(["Khối / lớp"])
    grades: dict[int, QStandardItem] = {}
    for c in classes:
        g = grades.get(c.grade)
        if g is None:
            g = QStandardItem(f"Khối {c.grade}")
            g.setEditable(False)
            g.setSelectable(False)
            grades[c.grade] = g
            model.appendRow(g)
        it = QStandardItem(f"Lớp {c.name}  ({c.student_count} HS)")
        it.setEditable(False)
        it.setData(c.id, CLASS_ID_ROLE)
        it.setToolTip(f"GVCN: {c.homeroom_name or 'chưa phân công'}")
        g.appendRow(it)
    return model


def find_class_index(model: QStandardItemModel, class_id: int):
    for r in range(model.rowCount()):
        g = model.item(r)
        for k in range(g.rowCount()):
            it = g.child(k)
            if it.data(CLASS_ID_ROLE) == class_id:
                return it.index()
    return None
