"""The main window: school year, tree of grades and classes, and the class grid per period."""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QTreeView,
    QWidget,
)

from ..domain.catalogue import PERIODS, catalogue
from ..domain.errors import HocbasoError
from ..domain.roles import ROLE_NAMES, SYSTEM, VIEWER, Actor
from ..services import directory
from ..services.grid import ClassGrid, GridRow, load_grid
from ..storage.engine import Store
from .dialogs import ask_save_path
from .grid_session import GridSession
from .grid_view import GridView
from .idle_lock import IdleLock
from .menus import EDIT_MENU, FILE_MENU, RECORDS_MENU, TOOLS_MENU
from .models.class_tree import CLASS_ID_ROLE, build_class_tree, find_class_index
from .models.grid_columns import VIEW_QUALITIES, VIEW_SUBJECTS, VIEW_SUMMARY, VIEW_TITLES
from .models.grid_model import GridModel
from .operations import Op, WindowContext, running_ops, shutdown
from .screen_fit import fit_to_screen

CLOSE_WAIT_S = 20.0  # bounded: a job that does not stop by then keeps the window open, with a word


class MainWindow(QMainWindow):
    actor_changed = Signal(object)

    def __init__(self, store: Store, acting_code: str | None = None, allow_actor_choice: bool = True) -> None:
        super().__init__()
        self.store = store
        # After a login the person at the keyboard is fixed; choosing anyone is for demos and screenshots.
        self.allow_actor_choice = allow_actor_choice
        self.grid: ClassGrid | None = None
        self.class_id: int | None = None
        self.models: dict[str, GridModel] = {}
        self.session: GridSession | None = None
        self.actor: Actor = VIEWER
        # what finished operations changed (records, grid, outbox): menus and views subscribe here
        self.context = WindowContext(self, actor=lambda: self.actor, year=lambda: self.year,
                                     class_id=lambda: self.class_id)
        self.idle_lock: IdleLock | None = None  # after a login (app.main): locks after idle minutes
        self.context.school_changed.connect(self.refresh_school)
        self.context.grid_changed.connect(self._grid_changed)
        self.context.rights_changed.connect(self._rights_changed)
        self.setWindowTitle("Học bạ số tiểu học")
        fit_to_screen(self, 1280, 760)  # 1366×768 with a taskbar: the status bar must stay on screen
        self._build_toolbar()
        self._build_body()
        self._build_menu()
        self._fixed_code = acting_code
        self.refresh_school()
        self.set_acting(acting_code)
        self._install_extensions()

    # --- layout ------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        tb = QToolBar("Chính", self)
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        self.addToolBar(tb)
        self.school_label = QLabel()
        self.school_label.setObjectName("schoolLabel")
        tb.addWidget(self.school_label)
        tb.addSeparator()
        tb.addWidget(QLabel(" Năm học: "))
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("yearCombo")
        # room for a whole school year ("2026-2027", not "2026-202") and the arrow, in this font
        self.year_combo.setMinimumContentsLength(len("2026-2027"))
        self.year_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.year_combo.currentTextChanged.connect(lambda _t: self.refresh_classes())
        tb.addWidget(self.year_combo)
        tb.addWidget(QLabel("  Kì đánh giá: "))
        self.period_combo = QComboBox()
        self.period_combo.setObjectName("periodCombo")
        cat = catalogue()
        for p in PERIODS:
            self.period_combo.addItem(f"{cat.periods[p]} ({p})", p)
        self.period_combo.setCurrentIndex(len(PERIODS) - 1)
        self.period_combo.currentIndexChanged.connect(lambda _i: self.load_class())
        tb.addWidget(self.period_combo)
        tb.addWidget(QLabel("  Người thao tác: "))
        self.actor_combo = QComboBox()
        self.actor_combo.setObjectName("actorCombo")
        self.actor_combo.setMinimumWidth(220)
        self.actor_combo.currentIndexChanged.connect(self._actor_selected)
        tb.addWidget(self.actor_combo)

    def _build_body(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.tree = QTreeView()
        self.tree.setObjectName("classTree")
        self.tree.setHeaderHidden(False)
        self.tree.setMinimumWidth(170)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        split.addWidget(self.tree)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("gridTabs")
        self.views: dict[str, GridView] = {}
        for view in (VIEW_SUBJECTS, VIEW_QUALITIES, VIEW_SUMMARY):
            tv = GridView()
            tv.message.connect(self.show_message)
            tv.setObjectName(f"grid_{view}")
            tv.setAlternatingRowColors(True)
            tv.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            tv.verticalHeader().setDefaultSectionSize(24)
            tv.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
            tv.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            self.views[view] = tv
            self.tabs.addTab(tv, VIEW_TITLES[view])
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 1080])
        self.setCentralWidget(split)
        self.missing_label = QLabel()
        self.missing_label.setObjectName("missingLabel")
        self.statusBar().addPermanentWidget(self.missing_label)

        self.explain = QTextBrowser()
        self.explain.setObjectName("explainPanel")
        # A keystroke both changes a row and moves the cursor: the panel (setHtml is slow) is rebuilt
        # once, when the keystroke is done, not twice inside it.
        self._explain_timer = QTimer(self)
        self._explain_timer.setSingleShot(True)
        self._explain_timer.setInterval(0)
        self._explain_timer.timeout.connect(self._update_explain)
        self._explain_html = ""
        dock = QDockWidget("Giải thích kết quả (Điều 9)", self)
        dock.setObjectName("explainDock")
        dock.setWidget(self.explain)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.explain_dock = dock
        self.notices = QListWidget()
        self.notices.setObjectName("noticeList")
        dock2 = QDockWidget("Thông báo", self)
        dock2.setObjectName("noticeDock")
        dock2.setWidget(self.notices)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock2)
        self.notice_dock = dock2
        self.resizeDocks([dock], [300], Qt.Orientation.Horizontal)

    def _build_menu(self) -> None:
        m = self.menuBar().addMenu("&Tệp")
        m.setObjectName(FILE_MENU)
        imp = QAction("&Nhập danh sách lớp từ Excel…", self)
        imp.triggered.connect(self.open_import_wizard)
        m.addAction(imp)
        tpl = QAction("Xuất &mẫu danh sách lớp (Excel)…", self)
        # triggered(checked) would arrive as `path=False`: the slots take a path only from callers
        tpl.triggered.connect(lambda _checked=False: self.export_class_template())
        m.addAction(tpl)
        m.addSeparator()
        gx = QAction("&Xuất bảng đánh giá của lớp ra Excel (nhập ở nhà)…", self)
        gx.triggered.connect(lambda _checked=False: self.export_grid_workbook())
        m.addAction(gx)
        gi = QAction("Nhập &bảng đánh giá từ Excel…", self)
        gi.triggered.connect(self.open_grid_import)
        m.addAction(gi)
        gs = QAction("Xuất bảng &tổng hợp kết quả của lớp (Excel)…", self)
        gs.triggered.connect(lambda _checked=False: self.export_class_summary())
        m.addAction(gs)
        m.addSeparator()
        act = QAction("&Thoát", self)
        act.setShortcut(QKeySequence.StandardKey.Quit)
        act.triggered.connect(self.close)
        m.addAction(act)
        self.file_menu = m
        e = self.menuBar().addMenu("&Sửa")
        e.setObjectName(EDIT_MENU)
        self.undo_action = QAction("&Hoàn tác", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(self._undo)
        self.redo_action = QAction("&Làm lại", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.redo_action.triggered.connect(self._redo)
        e.addAction(self.undo_action)
        e.addAction(self.redo_action)
        e.addSeparator()
        self.switch_user_action = QAction("Đổi &người dùng…", self)
        self.switch_user_action.triggered.connect(self.switch_user)
        self.lock_action = QAction("&Khóa màn hình", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self._lock_now)
        self.file_menu.insertAction(self.file_menu.actions()[-1], self.switch_user_action)
        self.file_menu.insertAction(self.file_menu.actions()[-1], self.lock_action)
        sug = QAction("&Gợi ý nhận xét", self)
        sug.setShortcut(QKeySequence("Ctrl+Space"))
        sug.triggered.connect(lambda: self.current_view().suggest_comment())
        e.addAction(sug)
        self.edit_menu = e
        r = self.menuBar().addMenu("&Học bạ")
        r.setObjectName(RECORDS_MENU)
        prev = QAction("&Xem trước bản giấy của học sinh đang chọn…", self)
        prev.setShortcut(QKeySequence("Ctrl+P"))
        prev.triggered.connect(self.preview_current_student)
        r.addAction(prev)
        exp = QAction("Xuất bản giấy cả &lớp (PDF)…", self)
        exp.triggered.connect(lambda _checked=False: self.export_class_pdf())
        r.addAction(exp)
        self.records_menu = r
        t = self.menuBar().addMenu("&Công cụ")
        t.setObjectName(TOOLS_MENU)
        bank = QAction("&Ngân hàng nhận xét…", self)
        bank.triggered.connect(self.open_comment_bank)
        t.addAction(bank)
        self.accounts_action = QAction("&Tài khoản người dùng…", self)
        self.accounts_action.triggered.connect(self.open_accounts)
        t.addAction(self.accounts_action)
        self.tools_menu = t
        h = self.menuBar().addMenu("Trợ &giúp")
        about = QAction("&Giới thiệu", self)
        about.triggered.connect(self._about)
        h.addAction(about)

    def _about(self) -> None:
        from .about import AboutDialog

        AboutDialog(self.store, self).exec()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if running_ops():
            # a job's thread must end before its widgets go: cancel, then wait (each service checks the
            # token between items; a write in progress finishes its one transaction)
            self.statusBar().showMessage("Đang dừng các công việc đang chạy trước khi đóng…")
            if not shutdown(CLOSE_WAIT_S):
                self.statusBar().showMessage("Còn công việc chưa dừng được; hãy chờ rồi đóng lại.", 10000)
                event.ignore()
                return
        sa = getattr(self, "signing_actions", None)
        if sa is not None:
            sa.shutdown()  # stop the token watcher thread
        super().closeEvent(event)

    def _install_extensions(self) -> None:
        """Menus of the later capabilities; each reads window.store / .actor / .year when used."""
        from .archive_menu import install_archive_ui
        from .backup_ui import install_backup_ui
        from .corrections_ui import install_corrections_ui
        from .help_ui import install_help_ui
        from .outbox_ui import install_outbox_ui
        from .reports_menu import install_reports_ui
        from .signing_actions import install_signing_actions

        self.signing_actions = install_signing_actions(self)
        self.archive_ui = install_archive_ui(self)
        self.outbox_ui = install_outbox_ui(self)
        from .kqht_ui import install_kqht_ui

        self.kqht_ui = install_kqht_ui(self)  # Gửi CSDL › Xuất tệp KQHT cho CSDL ngành… (issue 16)
        self.corrections_ui = install_corrections_ui(self)
        self.reports_ui = install_reports_ui(self)
        self.backup_ui = install_backup_ui(self)
        self.help_ui = install_help_ui(self)
        # school setup (issue 14): staff, assignments, pupils, trust anchors
        from .assignments_ui import install_assignments_ui
        from .pupil_ui import install_pupil_ui
        from .staff_ui import install_staff_ui
        from .trust_ui import install_trust_ui

        self.staff_ui = install_staff_ui(self)
        self.assignments_ui = install_assignments_ui(self)
        from .year_rollover_ui import install_year_rollover_ui  # Nhà trường › Mở năm học mới… (issue 17)

        self.year_rollover_ui = install_year_rollover_ui(self)
        self.pupil_ui = install_pupil_ui(self)
        from .promotion_ui import install_promotion_ui  # Học bạ › Quyết định lên lớp / ở lại lớp…

        self.promotion_ui = install_promotion_ui(self)
        from .book_ui import install_book_ui  # Học bạ › In học bạ cả cấp… (issue 17)

        self.book_ui = install_book_ui(self)
        from .transcription_dialog import install_transcription_ui  # Học bạ › Nhập trích lục từ học bạ giấy… (issue 17)

        self.transcription_ui = install_transcription_ui(self)
        self.trust_ui = install_trust_ui(self)
        from .start_panel import install_start_panel

        self.start_panel = install_start_panel(self)  # "Bắt đầu" in place of the grid while there is no class
        from .settings_dialog import install_settings_ui

        self.settings_ui = install_settings_ui(self)  # last: it applies this PC's language to every menu

    # --- data --------------------------------------------------------------------------------
    def refresh_school(self) -> None:
        sc = directory.school(self.store)
        self.school_label.setText(f"<b>{html.escape(sc.name)}</b>" if sc else "<i>Chưa có thông tin trường</i>")
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for y in directory.years(self.store):
            self.year_combo.addItem(y)
        if self.year_combo.count():
            self.year_combo.setCurrentIndex(self.year_combo.count() - 1)
        self.year_combo.blockSignals(False)
        self.actor_combo.blockSignals(True)
        self.actor_combo.clear()
        if self.allow_actor_choice:
            self.actor_combo.addItem("(chưa chọn — chỉ xem)", SYSTEM)
        for st in directory.staff(self.store):
            if st.active and (self.allow_actor_choice or st.code == getattr(self, "_fixed_code", None)):
                self.actor_combo.addItem(f"{st.code} — {st.full_name} ({', '.join(st.roles)})", st.code)
        self.actor_combo.setEnabled(self.actor_combo.count() > 1)
        self.actor_combo.blockSignals(False)
        self.refresh_classes()

    @property
    def year(self) -> str | None:
        return self.year_combo.currentText() or None

    @property
    def period(self) -> str:
        return self.period_combo.currentData()

    def refresh_classes(self) -> None:
        classes = directory.classes(self.store, self.year) if self.year else []
        self.tree_model = build_class_tree(classes)
        self.tree.setModel(self.tree_model)
        self.tree.expandAll()
        self.tree.selectionModel().currentChanged.connect(self._class_selected)
        if self.class_id is not None:
            self.select_class_id(self.class_id)
        if getattr(self, "start_panel", None) is not None:
            self.start_panel.update()  # shown while the year has no class, hidden once one is imported

    def _class_selected(self, current, _previous) -> None:
        cid = current.data(CLASS_ID_ROLE) if current.isValid() else None
        if cid is not None:
            self.class_id = int(cid)
            self.load_class()

    def select_class(self, name: str) -> bool:
        try:
            c = directory.find_class(self.store, name, self.year)
        except HocbasoError as e:
            self.statusBar().showMessage(e.message, 8000)
            return False
        return self.select_class_id(c.id)

    def select_class_id(self, class_id: int) -> bool:
        idx = find_class_index(self.tree_model, class_id)
        if idx is None:
            return False
        shown = self.grid
        self.tree.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.class_id = class_id
        if self.grid is shown:  # a new current item has loaded it already (_class_selected): not twice at start
            self.load_class()
        return True

    def set_period(self, period: str) -> None:
        i = self.period_combo.findData(period)
        if i >= 0:
            self.period_combo.setCurrentIndex(i)

    def current_view(self) -> GridView:
        return self.views[[VIEW_SUBJECTS, VIEW_QUALITIES, VIEW_SUMMARY][self.tabs.currentIndex()]]

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def _notice(self, items: list) -> None:
        for who, col, reason in items:
            self.notices.addItem(f"{who} — {col}: {reason}")
        self.notices.scrollToBottom()

    def _ask_reason(self, row: GridRow, new: str, proposed: str | None) -> str | None:
        view = self.current_view()
        text, ok = QInputDialog.getText(
            self, "Lý do thay đổi kết quả",
            f"{row.full_name}: phần mềm đề xuất {proposed or 'chưa đủ dữ liệu'}, bạn xác nhận {new}.\nGhi lý do (được lưu trong nhật ký):")
        # The cell editor that had focus is closed while the question was open: without this, focus
        # falls to the first widget of the window (the year box) and the next keystrokes go there.
        self._focus_grid(view)
        return text.strip() if ok and text.strip() else None

    def _focus_grid(self, view: GridView) -> None:
        def back() -> None:
            if view.isVisible():
                self.activateWindow()
                view.setFocus(Qt.FocusReason.OtherFocusReason)

        back()
        QTimer.singleShot(0, back)  # again once the editor is gone and the window active again

    def current_enrolment_id(self) -> int | None:
        if self.session is None:
            return None
        idx = self.current_view().currentIndex()
        row = idx.row() if idx.isValid() else 0
        return self.session.rows[row].enrolment_id if self.session.rows else None

    def preview_current_student(self) -> None:
        from .paper_preview import PaperPreviewDialog

        eid = self.current_enrolment_id()
        if eid is None:
            self.show_message("Hãy chọn một lớp và một học sinh")
            return
        self.preview = PaperPreviewDialog(self.store, eid, self)
        self.preview.show()

    def export_class_pdf(self, path: str | None = None) -> Op | None:
        from ..services import records
        from ..services.record_export import paper_copy_pdf
        from .dialogs import show_error

        if self.grid is None:
            self.show_message("Hãy chọn một lớp")
            return None
        info = self.grid.info
        if path is None:
            path = ask_save_path(self, "Xuất bản giấy cả lớp", f"hocba-lop-{info.name}.pdf", "PDF (*.pdf)")
            if not path:
                return None
        target, store = path, self.store

        def work(ctx):
            refs = records.class_students(store, info.name, info.year)
            # issued records: the PDF stored at issue from the signed XML; drafts: the live rows (issue 15);
            # the folder the user chose must still be there (a pulled USB drive is refused, not re-created)
            return paper_copy_pdf(store, refs, target, progress=ctx.progress, cancel=ctx.cancel, make_folder=False)

        def failed(message: str) -> None:
            self.show_message(message)
            show_error(self, "Xuất bản giấy", message)

        self.export_job = Op(self, work, lane="cpu", title=f"Xuất bản giấy lớp {info.name}") \
            .success(lambda out: self.show_message(f"Đã lưu bản giấy lớp {info.name}: {out}")) \
            .cancelled(lambda _m: self.show_message("Đã hủy xuất bản giấy; không có tệp nào được ghi")) \
            .failure(failed).run_in_background()
        return self.export_job

    def open_import_wizard(self) -> None:
        from .import_wizard import ImportWizard

        self.import_wizard = ImportWizard(self.store, self.actor, self)
        # the tree and year list follow through self.context.school_changed (the import announces it)
        self.import_wizard.open()

    def export_class_template(self, path: str | None = None) -> None:
        from ..services.import_sheets import write_class_template

        if path is None:
            path = ask_save_path(self, "Mẫu danh sách lớp", "mau-danh-sach-lop.xlsx", "Excel (*.xlsx)")
            if not path:
                return
        classes = [c.name for c in directory.classes(self.store, self.year)] if self.year else []
        write_class_template(path, classes)
        self.show_message(f"Đã lưu mẫu danh sách lớp: {path}")

    def _undo(self) -> None:
        if self.session is not None:
            self.session.undo_stack.undo()

    def _redo(self) -> None:
        if self.session is not None:
            self.session.undo_stack.redo()

    def _need_class(self) -> bool:
        if self.grid is None:
            self.show_message("Hãy chọn một lớp trước")
            return False
        return True

    def export_grid_workbook(self, path: str | None = None) -> None:
        from ..services.grid_excel import export_grid

        if not self._need_class() or self.grid is None:
            return
        info = self.grid.info
        if path is None:
            path = ask_save_path(self, "Xuất bảng đánh giá", f"danh-gia-{info.name}-{self.period}.xlsx", "Excel (*.xlsx)")
            if not path:
                return
        try:
            export_grid(self.store, info.id, self.period, path)
        except HocbasoError as e:
            QMessageBox.warning(self, "Xuất bảng đánh giá", e.message)
            return
        self.show_message(f"Đã xuất bảng đánh giá lớp {info.name} ({self.period}): {path}")

    def open_grid_import(self) -> None:
        from .grid_import_dialog import GridImportDialog

        # a class open: the file must be that class and period's, not another's
        self.grid_import = GridImportDialog(self.store, self.actor, self,
                                            expect_class_id=self.grid.info.id if self.grid else None,
                                            expect_period=self.period if self.grid else None)
        # the grid reloads through self.context.grid_changed (the import announces it)
        self.grid_import.open()

    def export_class_summary(self, path: str | None = None) -> None:
        from ..services.class_summary import export_class_summary

        if not self._need_class() or self.grid is None:
            return
        info = self.grid.info
        if path is None:
            path = ask_save_path(self, "Bảng tổng hợp", f"tong-hop-{info.name}-{self.period}.xlsx", "Excel (*.xlsx)")
            if not path:
                return
        export_class_summary(self.store, info.id, self.period, path)
        self.show_message(f"Đã xuất bảng tổng hợp lớp {info.name}: {path}")

    def switch_user(self) -> None:
        from .login import login_flow

        actor = login_flow(self.store, self)
        if actor is not None:
            self.use_actor(actor.code)

    def _lock_now(self) -> None:
        if self.idle_lock is not None:
            self.idle_lock.lock_now()

    def use_actor(self, code: str) -> None:
        """The logged-in person changed (login, switch user, unlock as someone else)."""
        self._fixed_code = code
        self.refresh_school()
        self.set_acting(code)
        if self.idle_lock is not None:
            self.idle_lock.set_actor(self.actor)

    def open_accounts(self) -> None:
        from ..domain import rights
        from .accounts_dialog import AccountsDialog

        if not rights.allowed(self.actor, rights.MANAGE_ACCOUNTS):
            self.show_message("Chỉ Ban quản trị, Hiệu trưởng hoặc Phó hiệu trưởng quản lý tài khoản")
            return
        AccountsDialog(self.store, self.actor, self).exec()

    def open_comment_bank(self) -> None:
        from .comment_bank_dialog import CommentBankDialog

        CommentBankDialog(self.store, self.actor, self).exec()

    def _grid_changed(self, class_id: int) -> None:
        if self.class_id is not None and class_id in (0, self.class_id):
            self.load_class()

    def _rights_changed(self) -> None:
        if self.actor.code not in (VIEWER.code, SYSTEM):
            self.set_acting(self.actor.code)
        else:
            self.load_class()

    def _rows_changed(self, _rows: object) -> None:
        self.update_counters()
        self._explain_timer.start()

    def load_class(self) -> None:
        if self.class_id is None:
            return
        self.grid = load_grid(self.store, self.class_id, self.period)
        self.session = GridSession(self.store, self.grid, self.actor, self)
        self.session.message.connect(self.show_message)
        self.session.refused.connect(self._notice)
        self.session.rows_changed.connect(self._rows_changed)
        self.session.reason_provider = self._ask_reason
        for view, tv in self.views.items():
            model = GridModel(self.grid, view, tv, session=self.session)
            self.models[view] = model
            tv.setModel(model)
            for i, col in enumerate(model.columns):
                tv.setColumnWidth(i, col.width)
            tv.horizontalHeader().setMinimumHeight(58)
            tv.selectionModel().currentChanged.connect(lambda *_: self._explain_timer.start())
        for tv in self.views.values():
            if tv.model().rowCount():
                tv.setCurrentIndex(tv.model().index(0, 0))
        self._update_explain()
        info = self.grid.info
        self.setWindowTitle(f"Học bạ số tiểu học — Lớp {info.name} — {catalogue().periods[self.period]} — {info.year}")
        self.update_counters()

    def _update_explain(self) -> None:
        if self.session is None:
            return
        idx = self.current_view().currentIndex()
        if not idx.isValid():
            self._explain_html = ""
            self.explain.setHtml("<i>Chọn một học sinh để xem giải thích kết quả đề xuất.</i>")
            return
        from html import escape

        row = self.session.rows[idx.row()]
        p = row.proposal
        parts = [f"<b>{escape(row.full_name)}</b><br/>Mã định danh: {row.personal_id}"]
        if row.exempt:
            names = ", ".join(s.name for s in catalogue().subjects if s.code in row.exempt)
            parts.append(f"<p>Miễn môn (M): {escape(names)}</p>")
        if p is not None and row.not_assessed:
            # no computed proposal for an individual education plan (issue 14): say what the GVCN does
            parts.append(f"<p><b>{escape(p.explanation)}</b>.</p>")
        elif p is not None:
            parts.append(f"<p>Đề xuất theo TT27: <b>{p.result or 'chưa đủ dữ liệu'}</b></p>")
            items = p.missing or p.failures
            head = "Còn thiếu:" if p.missing else ("Điều kiện chưa đạt của mức cao hơn:" if items else "Đạt mọi điều kiện.")
            parts.append(f"<p>{head}</p>")
            if items:
                parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in items) + "</ul>")
        if row.year.confirmed_result:
            parts.append(f"<p>GVCN xác nhận: <b>{row.year.confirmed_result}</b></p>")
            if row.year.change_reason:
                parts.append(f"<p>Lý do thay đổi: {escape(row.year.change_reason)}</p>")
            if p is not None and p.result and p.result != row.year.confirmed_result and not row.year.change_reason:
                parts.append("<p style='color:#b35c00'>Kết quả đã xác nhận khác đề xuất mới: hãy xem lại.</p>")
        html = "".join(parts)
        if html != self._explain_html:
            self._explain_html = html
            self.explain.setHtml(html)

    def update_counters(self) -> None:
        if not self.models:
            self.missing_label.setText("")
            return
        total = self.models[VIEW_SUBJECTS].total_missing()
        info = self.grid.info if self.grid else None
        where = f"Lớp {info.name}, {self.period}" if info else ""
        self.missing_label.setText(f"{where}: còn thiếu {total} ô" if total else f"{where}: đã nhập đủ")

    # --- acting staff member -----------------------------------------------------------------
    def set_acting(self, code: str | None) -> None:
        i = self.actor_combo.findData(code or SYSTEM)
        self.actor_combo.setCurrentIndex(i if i >= 0 else 0)
        self._actor_selected()

    def _actor_selected(self, *_args: object) -> None:
        code = self.actor_combo.currentData() or SYSTEM
        try:
            self.actor = VIEWER if code == SYSTEM else directory.actor(self.store, code, self.year)
        except HocbasoError as e:
            self.statusBar().showMessage(e.message, 8000)
            return
        roles = ", ".join(ROLE_NAMES[r] for r in sorted(self.actor.roles)) or "chỉ xem"
        self.statusBar().showMessage(f"Người thao tác: {self.actor.name} ({roles})", 5000)
        self.actor_changed.emit(self.actor)
        self.context.actor_changed.emit(self.actor)
        self.load_class()  # rights decide which cells are editable


def grab_window(win: QWidget, path: str) -> bool:
    return win.grab().save(path)
