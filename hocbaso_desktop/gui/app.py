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


SHOT_SCREEN = (1366, 768)  # documentation shots show the window as a school's laptop does


def _laptop_screen() -> None:
    """An offscreen screen of the laptop's size: the bare offscreen platform is 800 px wide, and the main
    window fits itself to the screen (gui/screen_fit.py), so a shot there would show a cramped window."""
    import json
    import tempfile

    w, h = SHOT_SCREEN
    fd, path = tempfile.mkstemp(prefix="hocbaso-screen-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": w, "height": h,
                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}, f)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path}"
    import atexit
    import contextlib

    def forget() -> None:  # the platform has read the file by the time the program exits
        with contextlib.suppress(OSError):
            os.remove(path)

    atexit.register(forget)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from .. import logs

    logs.setup_logging("gui")
    if args.screenshot and (not _has_display() or os.environ.get("QT_QPA_PLATFORM") == "offscreen"):
        _laptop_screen()
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
    from ..services import directory
    from ..storage.engine import Store
    from .fonts import install_ui_font
    from .main_window import MainWindow
    from .qt_vi import install_qt_vietnamese

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Học bạ số")
    from .unexpected import install_error_reporter

    install_error_reporter(app)  # from here on an uncaught error is logged and shown, in Vietnamese
    app.setFont(install_ui_font())
    install_qt_vietnamese(app)
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
                from ..services import demo  # only on an empty database: not on the everyday start

                demo.create_demo_school(store)
        if args.screenshot:
            # Documentation shots: no login; --as picks whose view it is.
            win = _window_on(store, args.acting, allow_actor_choice=True)
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


def _window_on(store, actor: str | None, allow_actor_choice: bool):  # noqa: ANN001, ANN202 - Store, MainWindow (lazy Qt)
    from .main_window import MainWindow

    return MainWindow(store, actor, allow_actor_choice=allow_actor_choice)


def open_main_window(db: str | os.PathLike[str], class_name: str | None = None, actor: str | None = None,
                     period: str | None = None):  # noqa: ANN201 - MainWindow (PySide6 is imported lazily here)
    """The main window on database `db`, class `class_name` and the account `actor` (no password asked),
    as a person would see it after logging in: for checks and screenshots. The window owns the store and
    closes it when it is destroyed. An unknown account or class raises HocbasoError naming it."""
    from PySide6.QtWidgets import QApplication

    from ..domain.errors import HocbasoError
    from ..services import directory
    from ..storage.engine import Store
    from .fonts import install_ui_font
    from .qt_vi import install_qt_vietnamese

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Học bạ số")
        app.setFont(install_ui_font())
    install_qt_vietnamese(app)
    store = Store.open(os.fspath(db))
    try:
        if actor is not None and not any(st.code == actor and st.active for st in directory.staff(store)):
            raise HocbasoError(f"Không có tài khoản đang hoạt động mã {actor} trong {db}")
        win = _window_on(store, actor, allow_actor_choice=actor is None)
        if period:
            win.set_period(period)
        if class_name and not win.select_class(class_name):
            win.deleteLater()
            raise HocbasoError(f"Không có lớp {class_name} trong năm học {win.year or '(chưa có năm học)'}")
    except BaseException:
        store.close()
        raise
    win.owned_store = store
    win.destroyed.connect(lambda *_: store.close())
    return win


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
