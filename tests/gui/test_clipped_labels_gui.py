"""No clipped texts (issue 18): the year box shows a whole school year, the dashboard's columns show
"100% (thiếu 0)" whole — opened as a person does (Báo cáo › Bảng điều khiển), at 1366×768, on the
demo as its principal."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

from hocbaso_desktop.gui.app import open_main_window
from hocbaso_desktop.gui.dashboard import DashboardDialog


def test_the_year_box_and_the_dashboard_show_whole_texts(qtbot, demo_db: Path) -> None:  # noqa: ANN001
    win = open_main_window(db=demo_db, class_name="3A", actor="HT")
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    combo = win.year_combo
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    text_room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                             QStyle.SubControl.SC_ComboBoxEditField, combo).width()
    assert combo.fontMetrics().horizontalAdvance(combo.currentText()) <= text_room, (combo.currentText(), text_room)
    assert combo.fontMetrics().horizontalAdvance("2030-2031") <= text_room  # any year, not just this one

    win.reports_ui.dashboard_action.trigger()
    dlg = win.reports_ui.dialog
    assert isinstance(dlg, DashboardDialog)
    qtbot.addWidget(dlg)
    dlg.resize(1366, 700)
    qtbot.waitExposed(dlg)
    view, model = dlg.view, dlg.model
    fm = view.fontMetrics()
    clipped = []
    header = view.horizontalHeader()
    for col in range(model.columnCount()):
        width = view.columnWidth(col)
        if header.sectionSizeHint(col) > width or view.sizeHintForColumn(col) > width:
            clipped.append((col, "size hint", width))
        for text in [str(model.index(r, col).data()) for r in range(model.rowCount())]:
            if fm.horizontalAdvance(text) + 6 > width:
                clipped.append((col, text, width))
    assert not clipped, clipped
    assert any("(thiếu " in str(model.index(r, 3).data()) for r in range(model.rowCount()))
    Path("/tmp/shots").mkdir(exist_ok=True)
    dlg.grab().save("/tmp/shots/dashboard_columns.png")
    win.grab().save("/tmp/shots/main_window_year_box.png")
    dlg.close()
    win.close()
