"""`hocbaso-desktop` / `python -m hocbaso_desktop`: start the desktop program."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence


def _has_display() -> bool:
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hocbaso-desktop", description="Học bạ số tiểu học — chương trình máy tính.")
    p.add_argument("--db", metavar="PATH", help="tệp cơ sở dữ liệu (mặc định: HOCBASO_DB hoặc thư mục dữ liệu người dùng)")
    p.add_argument("--class", dest="class_name", metavar="NAME", help="chọn sẵn lớp này")
    p.add_argument("--period", choices=["GK1", "CK1", "GK2", "CN"], help="chọn sẵn kì đánh giá")
    p.add_argument("--as", dest="acting", metavar="STAFF_CODE", help="chọn sẵn người thao tác")
    p.add_argument("--screenshot", metavar="FILE.png", help="chụp cửa sổ chính rồi thoát (chạy được không cần màn hình)")
    p.add_argument("--demo-if-empty", action="store_true", help="tạo trường mẫu nếu cơ sở dữ liệu trống, không hỏi")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.screenshot and not _has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if not _has_display():
        print(
            "Không tìm thấy màn hình (biến DISPLAY trống). Hãy chạy trong phiên đồ họa, hoặc trên máy chủ:\n"
            "  xvfb-run -a .venv/bin/hocbaso-desktop\n"
            "hoặc chụp ảnh cửa sổ không cần màn hình:\n"
            "  .venv/bin/hocbaso-desktop --class 1A --screenshot cua-so.png",
            file=sys.stderr,
        )
        return 2

    from PySide6.QtWidgets import QApplication, QMessageBox

    from ..domain.errors import HocbasoError
    from ..services import demo, directory
    from ..storage.engine import Store
    from .fonts import install_ui_font
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Học bạ số")
    app.setFont(install_ui_font())
    try:
        store = Store.open(args.db)
    except HocbasoError as e:
        if args.screenshot:
            print(f"Lỗi: {e.message}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "Không mở được dữ liệu", e.message)
        return e.exit_code
    try:
        if directory.is_empty(store):
            if args.demo_if_empty or (not args.screenshot and ask_create_demo()):
                demo.create_demo_school(store)
        if args.screenshot:
            # Documentation shots: no login; --as picks whose view it is.
            win = MainWindow(store, args.acting)
        else:
            from .idle_lock import install_idle_lock
            from .login import login_flow

            actor = login_flow(store)
            if actor is None:
                return 0
            win = MainWindow(store, actor.code, allow_actor_choice=False)
            win.idle_lock = install_idle_lock(win, store, win.actor)
            win.idle_lock.user_switched.connect(lambda a: win.use_actor(a.code))
        if args.period:
            win.set_period(args.period)
        if args.class_name and not win.select_class(args.class_name):
            print(f"Lỗi: không có lớp {args.class_name}", file=sys.stderr)
            if args.screenshot:
                return 1
        if args.screenshot:
            win.show()
            app.processEvents()
            ok = win.grab().save(args.screenshot)
            win.close()
            if not ok:
                print(f"Lỗi: không lưu được ảnh {args.screenshot}", file=sys.stderr)
                return 1
            print(args.screenshot)
            return 0
        win.show()
        return app.exec()
    finally:
        store.close()


def ask_create_demo() -> bool:
    box = make_start_box()
    box.exec()
    return box.clickedButton() is box.property("demo_button")


def make_start_box():  # noqa: ANN201 - QMessageBox (PySide6 is imported lazily here)
    """The first-start question. Setting up the real school is the default AND the Escape answer:
    Enter (or a stray key) must never fill a real install with the demo's invented pupils."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox()
    box.setObjectName("startBox")
    box.setWindowTitle("Cơ sở dữ liệu trống")
    box.setText("Cơ sở dữ liệu chưa có dữ liệu nào.\nBạn muốn thiết lập trường của mình (tạo tài khoản đầu tiên), "
                "hay tạo trường mẫu (dữ liệu giả) để dùng thử?")
    real = box.addButton("Thiết lập trường của tôi", QMessageBox.ButtonRole.RejectRole)
    real.setObjectName("startReal")
    demo_btn = box.addButton("Tạo trường mẫu (dùng thử)", QMessageBox.ButtonRole.AcceptRole)
    demo_btn.setObjectName("startDemo")
    demo_btn.setAutoDefault(False)
    box.setDefaultButton(real)
    box.setEscapeButton(real)
    box.setProperty("demo_button", demo_btn)
    return box


if __name__ == "__main__":
    sys.exit(main())
