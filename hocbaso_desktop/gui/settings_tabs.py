"""The tabs of the settings dialog: plain widgets that read from and write to a SettingsForm."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..services import machine_config, school_settings
from ..services.settings_form import SettingsForm
from ..signing.modules import PRESETS, existing_path
from ..storage import snapshot
from .dialogs import ask_directory, ask_open_path


class OptionalDate(QWidget):
    """A date that may be left unset (QDateEdit alone cannot say "not set")."""

    def __init__(self, hint: str = "") -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox()
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("dd/MM/yyyy")
        self.check.toggled.connect(self.edit.setEnabled)
        row.addWidget(self.check)
        row.addWidget(self.edit)
        self.hint = QLabel(hint)
        self.hint.setStyleSheet("color: #666")
        row.addWidget(self.hint, 1)

    def set(self, value: date | None, fallback: date | None = None) -> None:
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        d = value or fallback or date.today()
        self.edit.setDate(QDate(d.year, d.month, d.day))

    def get(self) -> date | None:
        if not self.check.isChecked():
            return None
        q = self.edit.date()
        return date(q.year(), q.month(), q.day())


def _browse_row(edit: QLineEdit, pick: Callable[[], str | None]) -> QWidget:
    w = QWidget()
    row = QHBoxLayout(w)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    b = QPushButton("Chọn…")
    def choose() -> None:
        path = pick()
        if path:
            edit.setText(path)
    b.clicked.connect(choose)
    row.addWidget(b)
    return w


class SchoolTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for key, (title, limit) in school_settings.SCHOOL_FIELDS.items():
            e = QLineEdit()
            e.setMaxLength(limit)
            e.setObjectName(f"school_{key}")
            self.edits[key] = e
            form.addRow(title + ":", e)
        self.principal = QLabel()
        self.principal.setObjectName("principalLabel")
        form.addRow("Hiệu trưởng:", self.principal)
        note = QLabel("Hiệu trưởng là cán bộ có vai trò «Hiệu trưởng» trong danh sách cán bộ (đổi ở Công cụ › Tài khoản "
                      "người dùng); tên này in trên học bạ và quyết định thứ tự ký.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666")
        form.addRow(note)

    def load(self, f: SettingsForm) -> None:
        for k, e in self.edits.items():
            e.setText(f.school.get(k, ""))
        self.principal.setText(f.principal or "(chưa có cán bộ nào giữ vai trò Hiệu trưởng)")

    def store(self, f: SettingsForm) -> SettingsForm:
        return f.with_(school={k: e.text() for k, e in self.edits.items()})


class YearTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.year_label = QLabel()
        form.addRow("Năm học:", self.year_label)
        self.start, self.end, self.lock = OptionalDate(), OptionalDate(), OptionalDate("sau ngày này học bạ chỉ xem")
        self.cutoff = OptionalDate("ngày cuối nhận phiếu đề nghị sửa sai")
        self.main, self.final = OptionalDate(), OptionalDate()
        for title, w in (("Ngày bắt đầu", self.start), ("Ngày kết thúc", self.end), ("Ngày khóa học bạ", self.lock),
                         ("Hạn đề nghị sửa sai", self.cutoff), ("Hạn gửi CSDL (chính)", self.main),
                         ("Hạn gửi CSDL (cuối)", self.final)):
            form.addRow(title + ":", w)
        self.form = form

    def load(self, f: SettingsForm, default_main: date | None = None, default_final: date | None = None) -> None:
        self.setEnabled(f.year is not None)
        self.year_label.setText(f.year or "(chưa có năm học)")
        self.start.set(f.start_date)
        self.end.set(f.end_date)
        self.lock.set(f.lock_date)
        self.cutoff.set(f.correction_cutoff, f.lock_date)
        self.main.set(f.main_deadline, default_main)
        self.final.set(f.final_deadline, default_final)
        for w, d in ((self.main, default_main), (self.final, default_final)):
            w.hint.setText(f"mặc định: {d:%d/%m/%Y}" if d else "")

    def store(self, f: SettingsForm) -> SettingsForm:
        if f.year is None:
            return f
        return f.with_(start_date=self.start.get(), end_date=self.end.get(), lock_date=self.lock.get(),
                       correction_cutoff=self.cutoff.get(), main_deadline=self.main.get(), final_deadline=self.final.get())


class SigningTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.preset = QComboBox()
        self.preset.setObjectName("presetCombo")
        self.preset.addItem("(chọn nhà cung cấp để điền sẵn đường dẫn)", None)
        for key, p in PRESETS.items():
            self.preset.addItem(p.name, key)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        form.addRow("Nhà cung cấp:", self.preset)
        self.module = QLineEdit()
        self.module.setObjectName("pkcs11Module")
        form.addRow("Thư viện PKCS#11:", _browse_row(self.module, lambda: ask_open_path(
            self, "Thư viện PKCS#11 của thiết bị ký số", "", "Thư viện (*.dll *.so *.so.* *.dylib);;Mọi tệp (*)")))
        self.preset_note = QLabel()
        self.preset_note.setWordWrap(True)
        self.preset_note.setStyleSheet("color: #666")
        form.addRow(self.preset_note)
        self.softhsm = QLineEdit()
        form.addRow("Cấu hình SoftHSM2 (thử nghiệm):", _browse_row(self.softhsm, lambda: ask_open_path(
            self, "Tệp cấu hình SoftHSM2", "", "softhsm2.conf (*.conf);;Mọi tệp (*)")))
        self.label = QLineEdit()
        form.addRow("Nhãn thiết bị ký số:", self.label)
        self.trust = QListWidget()
        self.trust.setObjectName("trustDirs")
        self.trust.setMaximumHeight(90)
        buttons = QHBoxLayout()
        add, rm = QPushButton("Thêm thư mục…"), QPushButton("Bỏ thư mục đang chọn")
        add.clicked.connect(self._add_trust)
        rm.clicked.connect(lambda: self.trust.takeItem(self.trust.currentRow()))
        buttons.addWidget(add)
        buttons.addWidget(rm)
        box = QVBoxLayout()
        box.addWidget(self.trust)
        box.addLayout(buttons)
        form.addRow("Thư mục chứng thư gốc tin cậy:", box)
        # seed 004 Điều 5, 11: with it on, the plan holds a GVCN's signature until every GVBM signed
        self.gvbm_signs = QCheckBox("GVBM ký phần môn mình dạy trước GVCN")
        self.gvbm_signs.setObjectName("gvbmSigns")
        form.addRow("Thứ tự ký:", self.gvbm_signs)
        # KT. Hiệu trưởng: the records name this person, and only they sign for the board (the principal's choice)
        self.board_signer = QComboBox()
        self.board_signer.setObjectName("boardSigner")
        self.board_signer.setToolTip("Học bạ ghi tên người ký thay mặt nhà trường; đổi người ký thì các học bạ chưa "
                                     "phát hành phải ký lại từ GVCN. Chỉ Hiệu trưởng đổi được.")
        form.addRow("Người ký học bạ:", self.board_signer)

    def _preset_chosen(self) -> None:
        key = self.preset.currentData()
        if not key:
            return
        p = PRESETS[key]
        found = existing_path(p)
        self.module.setText(found or p.paths[0])
        where = "đã tìm thấy trên máy này" if found else "CHƯA thấy tệp này trên máy — hãy cài phần mềm của nhà cung cấp"
        self.preset_note.setText(f"{p.note} ({where}.)")

    def _add_trust(self) -> None:
        d = ask_directory(self, "Thư mục chứng thư gốc tin cậy")
        if d:
            self.trust.addItem(d)

    def load(self, f: SettingsForm) -> None:
        self.module.setText(f.pkcs11_module)
        self.softhsm.setText(f.softhsm_conf)
        self.label.setText(f.token_label)
        self.trust.clear()
        self.trust.addItems(list(f.trust_dirs))
        self.gvbm_signs.setChecked(f.gvbm_signs)
        self.board_signer.clear()
        for code, label in f.board_choices or (("", "Hiệu trưởng"),):
            self.board_signer.addItem(label, code)
        self.board_signer.setCurrentIndex(max(0, self.board_signer.findData(f.board_signer)))

    def store(self, f: SettingsForm) -> SettingsForm:
        dirs = tuple(self.trust.item(i).text() for i in range(self.trust.count()))
        return f.with_(pkcs11_module=self.module.text(), softhsm_conf=self.softhsm.text(), token_label=self.label.text(),
                       trust_dirs=dirs, gvbm_signs=self.gvbm_signs.isChecked(),
                       board_signer=self.board_signer.currentData() or "")


class UploadTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.endpoint = QLineEdit()
        self.endpoint.setPlaceholderText("https://… hoặc một thư mục để gửi bằng tay")
        self.token_env = QLineEdit()
        self.token_env.setPlaceholderText("ví dụ HOCBASO_UPLOAD_TOKEN")
        form.addRow("Địa chỉ máy nhận:", self.endpoint)
        form.addRow("Biến môi trường chứa mã truy cập:", self.token_env)
        note = QLabel("Chỉ ghi TÊN biến môi trường; mã truy cập không bao giờ được lưu trong dữ liệu của trường.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666")
        form.addRow(note)

    def load(self, f: SettingsForm) -> None:
        self.endpoint.setText(f.endpoint)
        self.token_env.setText(f.token_env)

    def store(self, f: SettingsForm) -> SettingsForm:
        return f.with_(endpoint=self.endpoint.text(), token_env=self.token_env.text())


class SecurityTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.minutes = QDoubleSpinBox()
        self.minutes.setObjectName("idleMinutes")
        self.minutes.setRange(1, 240)
        self.minutes.setDecimals(1)
        self.minutes.setSuffix(" phút")
        form.addRow("Tự khóa màn hình sau:", self.minutes)

    def load(self, f: SettingsForm) -> None:
        self.minutes.setValue(f.idle_minutes)

    def store(self, f: SettingsForm) -> SettingsForm:
        return f.with_(idle_minutes=round(self.minutes.value(), 1))


class BackupTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.folder = QLineEdit()
        self.folder.setObjectName("backupFolder")
        self.folder.setPlaceholderText(str(snapshot.configured_dir(None)))  # what applies when left empty
        form.addRow("Thư mục sao lưu:", _browse_row(
            self.folder, lambda: ask_directory(self, "Thư mục sao lưu")))
        self.keep = QSpinBox()
        self.keep.setObjectName("backupKeep")
        self.keep.setRange(1, 365)
        self.keep.setSuffix(" bản")
        form.addRow("Giữ lại các bản hằng ngày gần nhất:", self.keep)
        note = QLabel("Chương trình tự sao lưu mỗi ngày một lần, trước mỗi lần nâng cấp dữ liệu và trước khi khóa năm "
                      "học (các bản này được giữ lại). Nên chọn một ổ khác hoặc ổ USB.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666")
        form.addRow(note)

    def load(self, f: SettingsForm) -> None:
        self.folder.setText(f.backup_dir)
        self.keep.setValue(f.backup_keep)

    def store(self, f: SettingsForm) -> SettingsForm:
        return f.with_(backup_dir=self.folder.text().strip(), backup_keep=self.keep.value())


class LanguageTab(QWidget):
    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        self.combo = QComboBox()
        self.combo.setObjectName("languageCombo")
        for code, name in machine_config.LANGUAGES.items():
            self.combo.addItem(name, code)
        form.addRow("Ngôn ngữ giao diện:", self.combo)
        note = QLabel("Áp dụng ngay cho thực đơn, thanh công cụ và các thẻ của cửa sổ chính trên máy này. "
                      "Các hộp thoại hiện vẫn bằng tiếng Việt.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666")
        form.addRow(note)

    def load(self, f: SettingsForm) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(f.language)))

    def store(self, f: SettingsForm) -> SettingsForm:
        return f.with_(language=self.combo.currentData())
