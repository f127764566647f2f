"""The settings dialog (Công cụ › Cài đặt…): seven tabs over one SettingsForm, one audited "Lưu".

Who may change the school's settings is decided by the core (rights.EDIT_SETTINGS); for anyone
else the school's tabs are read-only and only the language (this PC's) can be changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMainWindow, QMenu, QMessageBox, QTabWidget, QVBoxLayout

from ..domain import rights
from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..services import machine_config
from . import i18n
from .idle_lock import IdleLock
from .menus import TOOLS_MENU, menu_or_new
from .operations import Changes, WindowContext

if TYPE_CHECKING:  # the dialog's tabs and services (outbox rules, token presets) load when it is first opened
    from ..services import settings_form
    from ..storage.engine import Store

TAB_TITLES = ("Trường", "Năm học", "Ký số", "Gửi CSDL", "Bảo mật", "Sao lưu", "Ngôn ngữ")


class SettingsDialog(QDialog):
    def __init__(self, store: Store, actor: Actor, year: str | None, parent: QMainWindow | None = None) -> None:
        from ..services import school_settings, settings_form
        from .settings_tabs import BackupTab, LanguageTab, SchoolTab, SecurityTab, SigningTab, UploadTab, YearTab

        super().__init__(parent)
        self.setWindowTitle("Cài đặt")
        self.setObjectName("settingsDialog")
        self.resize(720, 480)
        self.store, self.actor, self.window_ = store, actor, parent
        self.saved: settings_form.SettingsForm | None = None
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.school, self.year, self.signing = SchoolTab(), YearTab(), SigningTab()
        self.upload, self.security, self.backup, self.language = UploadTab(), SecurityTab(), BackupTab(), LanguageTab()
        self.pages = (self.school, self.year, self.signing, self.upload, self.security, self.backup, self.language)
        for title, page in zip(TAB_TITLES, self.pages):
            self.tabs.addTab(page, title)
        lay.addWidget(self.tabs)
        self.may_edit = rights.allowed(actor, rights.EDIT_SETTINGS)
        if not self.may_edit:
            note = QLabel(f"Chỉ {rights.needed_roles_text(rights.RIGHTS[rights.EDIT_SETTINGS].roles)} thay đổi được "
                          "cài đặt của trường; bạn vẫn chọn được ngôn ngữ của máy này.")
            note.setWordWrap(True)
            lay.addWidget(note)
            for page in self.pages[:-1]:
                page.setEnabled(False)
        # the board signer is the principal's decision alone, even among those who edit settings
        self.signing.board_signer.setEnabled(rights.allowed(actor, rights.AUTHORISE_SIGNER))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Lưu")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.form = settings_form.load_form(store, year)
        ys = school_settings.year_settings(store, year) if year else None
        for page in self.pages:
            if page is self.year:
                page.load(self.form, ys.default_main if ys else None, ys.default_final if ys else None)
            else:
                page.load(self.form)

    def collected(self) -> settings_form.SettingsForm:
        f = self.form
        for page in self.pages:
            f = page.store(f)
        return f

    def save(self) -> bool:
        from ..services import settings_form

        new = self.collected()
        try:
            settings_form.save_form(self.store, self.actor, new, self.form)
        except HocbasoError as e:
            QMessageBox.warning(self, "Cài đặt", e.message)
            return False
        self.saved = new
        self._apply(new)
        self.accept()
        return True

    def _apply(self, new: settings_form.SettingsForm) -> None:
        """What takes effect at once: language, idle-lock time, school name in the tool bar."""
        win = self.window_
        if win is None:
            return
        if new.language != self.form.language:
            i18n.apply_language(win, new.language)
        lock = win.findChild(IdleLock)
        if lock is not None and new.idle_minutes != self.form.idle_minutes:
            lock.set_minutes(new.idle_minutes)
        if new.school != self.form.school:
            WindowContext.for_window(win).announce(Changes(school=True))  # the tool bar shows the new name


class SettingsUi:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.action = QAction("Cài đặt…", window)
        self.action.setObjectName("settingsAction")
        self.action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.action.triggered.connect(lambda: self.open().exec())
        menu = tools_menu(window)
        menu.addSeparator()
        menu.addAction(self.action)

    def open(self) -> SettingsDialog:
        w = self.window
        ctx = WindowContext.for_window(w)
        self.dialog = SettingsDialog(w.store, ctx.actor, ctx.year, w)  # type: ignore[attr-defined]
        return self.dialog


def tools_menu(window: QMainWindow) -> QMenu:
    """The main window's "Công cụ" menu, created if missing."""
    return menu_or_new(window, TOOLS_MENU, "&Công cụ")


def install_settings_ui(window: QMainWindow) -> SettingsUi:
    """Add Công cụ › Cài đặt…; apply this PC's saved language once the window is fully built."""
    ui = SettingsUi(window)
    window.settings_ui = ui  # type: ignore[attr-defined]
    lang = machine_config.load().language
    if lang != "vi":
        # after the constructor: other extensions still add their menus, which need translating too
        QTimer.singleShot(0, window, lambda: i18n.apply_language(window, lang))
    return ui
