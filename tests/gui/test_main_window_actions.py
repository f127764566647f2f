"""The main window's menus reach every capability: import, Excel round trip, summary, accounts."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtWidgets import QApplication

from hocbaso_desktop.gui.main_window import MainWindow


def menu_texts(w: MainWindow) -> list[str]:
    out = []
    for m in w.menuBar().actions():
        out.append(m.text().replace("&", ""))
        if m.menu():
            out += [a.text().replace("&", "") for a in m.menu().actions()]
    return out


def test_menus_offer_the_work(qtbot, demo_store) -> None:
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    texts = " | ".join(menu_texts(w))
    for needle in ("Nhập danh sách lớp từ Excel", "Xuất bảng đánh giá", "Nhập bảng đánh giá", "tổng hợp",
                   "Xem trước bản giấy", "Ngân hàng nhận xét", "Tài khoản", "Hoàn tác", "Khóa màn hình",
                   "Ký số", "Lưu trữ", "Gửi CSDL", "Báo cáo", "Chuyển trường", "Đính chính", "Cài đặt",
                   "Sao lưu", "Hướng dẫn sử dụng"):
        assert needle in texts, needle


def test_logged_in_user_cannot_pick_someone_else(qtbot, demo_store) -> None:
    w = MainWindow(demo_store, "GV005", allow_actor_choice=False)
    qtbot.addWidget(w)
    assert w.actor_combo.count() == 1 and w.actor.code == "GV005" and not w.actor_combo.isEnabled()


def test_import_wizard_opens_and_refreshes(qtbot, demo_store) -> None:
    w = MainWindow(demo_store, "VP01")
    qtbot.addWidget(w)
    w.open_import_wizard()
    assert w.import_wizard.isVisible()
    w.import_wizard.close()


def test_grid_round_trip_and_summary_from_the_window(qtbot, demo_store, tmp_path: Path) -> None:
    w = MainWindow(demo_store, "GV009")
    qtbot.addWidget(w)
    w.select_class("5A")
    w.set_period("CN")
    out = tmp_path / "5a.xlsx"
    w.export_grid_workbook(str(out))
    wb = openpyxl.load_workbook(out)
    assert any("5A" in str(c.value) for ws in wb for row in ws.iter_rows(max_row=6) for c in row if c.value)
    summary = tmp_path / "tong-hop.xlsx"
    w.export_class_summary(str(summary))
    text = " ".join(str(c.value) for ws in openpyxl.load_workbook(summary) for row in ws.iter_rows(max_row=8) for c in row if c.value)
    assert "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC" in text
    w.open_grid_import()
    assert w.grid_import.expect_class_id == w.grid.info.id
    w.grid_import.close()


def test_class_template_export(qtbot, demo_store, tmp_path: Path) -> None:
    w = MainWindow(demo_store, "VP01")
    qtbot.addWidget(w)
    p = tmp_path / "mau.xlsx"
    w.export_class_template(str(p))
    assert p.exists() and openpyxl.load_workbook(p).sheetnames


def test_accounts_need_admin_rights(qtbot, demo_store) -> None:
    w = MainWindow(demo_store, "GV001")
    qtbot.addWidget(w)
    w.open_accounts()
    assert "Ban quản trị" in w.statusBar().currentMessage()
    QApplication.processEvents()


def test_about_dialog_from_designer_form(qtbot, demo_store) -> None:
    from hocbaso_desktop.gui.about import AboutDialog

    d = AboutDialog(demo_store)
    qtbot.addWidget(d)
    assert "Thông tư 27/2020" in d.ui.bodyLabel.text()
    assert "chuỗi băm nguyên vẹn" in d.ui.detailsLabel.text()
    assert not d.ui.iconLabel.pixmap().isNull()
