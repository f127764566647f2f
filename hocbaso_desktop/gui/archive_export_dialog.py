"""Export a school year as a sealed archive onto a removable drive: drive list, progress, Cancel.

The export (services.archive_service.ArchiveExport) runs as an Op (gui/operations.py) on the token lane
when it seals; progress arrives as events, Cancel sets the Op's token, checked between files, and the
token PIN is asked by QtPinPrompt from the lane's thread. A failed write or read-back is shown in red (and audited by the service).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import HocbasoError
from ..services import archive_reading, directory
from ..services.archive_reading import Drive, drive_summary, human_size
from ..storage.engine import Store
from .dialogs import ask_directory
from .operations import Op, OpContext


class ArchiveExportDialog(QDialog):
    completed = Signal(object, object)

    def __init__(self, parent: QWidget | None, store: Store, actor_code: str, drives: list[Drive] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("archive_export_dialog")
        self.setWindowTitle("Xuất kho lưu trữ năm học")
        self.resize(720, 460)
        self.store, self.actor_code = store, actor_code
        self.op: Op | None = None
        self.result: Any = None
        self.error: str | None = None
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.year_combo = QComboBox()
        self.year_combo.addItems(list(reversed(directory.years(store))))
        form.addRow("Năm học:", self.year_combo)
        self.seal_check = QCheckBox("Niêm phong bằng chữ ký số (con dấu nhà trường hoặc Hiệu trưởng)")
        self.seal_check.setChecked(True)
        self.partial_check = QCheckBox("Bản TẠM: cho phép năm học chưa khóa (sao lưu giữa năm)")
        form.addRow("", self.seal_check)
        form.addRow("", self.partial_check)
        lay.addLayout(form)
        lay.addWidget(QLabel("Ổ đĩa rời (USB, thẻ nhớ, ổ cứng ngoài):"))
        self.drive_list = QListWidget()
        self.drive_list.setObjectName("drive_list")
        lay.addWidget(self.drive_list)
        row = QHBoxLayout()
        self.refresh_btn = QPushButton("Làm mới danh sách ổ")
        self.folder_btn = QPushButton("Chọn thư mục khác…")
        row.addWidget(self.refresh_btn)
        row.addWidget(self.folder_btn)
        row.addStretch(1)
        lay.addLayout(row)
        self.target_label = QLabel("Chưa chọn nơi ghi.")
        self.target_label.setObjectName("target_label")
        lay.addWidget(self.target_label)
        self.stage_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setObjectName("archive_progress")
        lay.addWidget(self.stage_label)
        lay.addWidget(self.progress)
        self.status = QLabel("")
        self.status.setObjectName("archive_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.start_btn = QPushButton("Xuất và niêm phong")
        self.start_btn.setObjectName("start_export")
        self.cancel_btn = QPushButton("Hủy")
        self.close_btn = QPushButton("Đóng")
        for b in (self.start_btn, self.cancel_btn, self.close_btn):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.cancel_btn.setEnabled(False)
        self.target: Path | None = None
        self.refresh_btn.clicked.connect(lambda: self.set_drives(archive_reading.drives()))
        self.folder_btn.clicked.connect(self.choose_folder)
        self.drive_list.currentItemChanged.connect(self._drive_chosen)
        self.start_btn.clicked.connect(lambda: self.start())
        self.cancel_btn.clicked.connect(self.cancel)
        self.close_btn.clicked.connect(self.reject)
        self.seal_check.toggled.connect(lambda on: self.start_btn.setText("Xuất và niêm phong" if on else "Xuất"))
        self.set_drives(archive_reading.drives() if drives is None else drives)

    # ---- where to write --------------------------------------------------------------------------
    def set_drives(self, drives: list[Drive]) -> None:
        self.drive_list.clear()
        for d in drives:
            item = QListWidgetItem(d.describe())
            item.setData(Qt.ItemDataRole.UserRole, d.path)
            self.drive_list.addItem(item)
        if not drives:
            self.drive_list.addItem("(không thấy ổ rời nào — hãy cắm USB rồi bấm Làm mới, hoặc chọn thư mục)")

    def _drive_chosen(self, item: QListWidgetItem | None, _prev: object = None) -> None:
        path = item.data(Qt.ItemDataRole.UserRole) if item else None
        if path:
            self.set_target(path)

    def choose_folder(self) -> None:
        path = ask_directory(self, "Chọn thư mục ghi kho lưu trữ")
        if path:
            self.set_target(path)

    def set_target(self, path: str | Path) -> None:
        self.target = Path(path)
        fs, free = drive_summary(self.target)
        self.target_label.setText(f"Ghi vào: {self.target} (hệ tệp {fs}, trống {free})")

    # ---- run ---------------------------------------------------------------------------------------
    def start(self, prompt: Any = None) -> None:
        from ..services.archive_service import ArchiveExport, SealWith
        from ..services.signing_setup import provider_for, settings_service

        if self.target is None:
            self._show_error("Hãy chọn ổ đĩa hoặc thư mục để ghi kho lưu trữ.")
            return
        seal = None
        if self.seal_check.isChecked():
            try:
                provider = provider_for(self.store)
            except HocbasoError as e:
                self._show_error(e.message)
                return
            if prompt is None:
                from .pin_prompt import QtPinPrompt  # the signing GUI's prompt (gui/pin_prompt.py)

                prompt = QtPinPrompt(self)  # created here, on the GUI thread; asked from the worker
            self._pin_prompt = prompt
            seal = SealWith(provider, self._pin_prompt, settings_service.signing_settings(self.store).token_label)
        year, target, partial, actor = self.year_combo.currentText(), self.target, self.partial_check.isChecked(), self.actor_code
        store = self.store

        def work(ctx: OpContext) -> Any:
            run = ArchiveExport(store, year, target, actor, partial=partial, seal=seal, cancel=ctx.cancel)
            for p in run:
                ctx.emit(p)  # its stage as well as done/total: the dialog's own stage line and bar
            return run.result

        self.start_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.status.setStyleSheet("")
        self.status.setText("Đang xuất…")
        self.op = Op(self, work, lane="token" if seal is not None else "cpu").without_dialog() \
            .on_event(lambda p: self._progress(p.stage, p.done, p.total, p.label)).outcome(self._finished) \
            .run_in_background()

    @property
    def running(self) -> bool:
        return self.op is not None and self.op.running

    def cancel(self) -> None:
        if self.op is not None:
            self.op.cancel()
        self.status.setText("Đang hủy: xóa phần đã ghi…")

    def reject(self) -> None:  # closing mid-export: cancel (the service removes what it wrote), then close
        if self.running:
            self.cancel()
            self.op.wait(60)  # type: ignore[union-attr]
        super().reject()

    def _progress(self, stage: str, done: int, total: int, label: str) -> None:
        self.stage_label.setText(f"{stage[:1].upper()}{stage[1:]}: {label}")
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _finished(self, result: Any, error: str | None) -> None:
        self.result, self.error = result, error
        self.start_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        if error:
            self._show_error(f"XUẤT KHÔNG THÀNH CÔNG: {error}")
        else:
            kind = "bản TẠM" if result.interim else "bản chính thức"
            seal = f"niêm phong bởi {result.sealed_by}" if result.sealed_by else "không niêm phong"
            self.status.setStyleSheet("color: #1b5e20; font-weight: bold")
            pending = "".join(f"\nChưa đưa vào kho: {p.line()}" for p in result.facts.transcribed_pending)
            self.status.setText(f"Đã ghi và đọc lại khớp từng byte ({kind}, {seal}, {result.files} tệp, "
                                f"{human_size(result.octets)}):\n{result.path}"
                                + (f"\nTrích lục từ học bạ giấy: {result.facts.transcribed} bản" if result.facts.transcribed else "")
                                + pending)
        self.completed.emit(result, error)

    def _show_error(self, text: str) -> None:
        self.status.setStyleSheet("color: #b00020; font-weight: bold")
        self.status.setText(text)
