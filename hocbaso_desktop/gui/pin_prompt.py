"""The PIN asked by a Qt dialog on behalf of the token thread (architecture.md, Electrum's get_pin).

The batch runs on a worker thread; `QtPinPrompt.ask_pin` is called there, emits a signal that the
GUI thread receives (queued), and waits on an event until the user answers. The PIN is held in a
local variable for the duration of the call only: never stored on the object, logged or shown.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..signing import TokenInfo
from .operations import on_gui_thread


class PinDialog(QDialog):
    def __init__(self, parent: QWidget | None, token: TokenInfo, message: str | None) -> None:
        super().__init__(parent)
        self.setObjectName("pin_dialog")
        self.setWindowTitle("Mã PIN thiết bị ký số")
        lay = QVBoxLayout(self)
        ask = QLabel(f"Nhập mã PIN của thiết bị ký số «{token.label}» (sê-ri {token.serial}):")
        ask.setTextFormat(Qt.TextFormat.PlainText)  # the label comes from the device: text, never HTML
        lay.addWidget(ask)
        if message:
            warn = QLabel(message)
            warn.setWordWrap(True)
            warn.setStyleSheet("color: #b00020")
            warn.setObjectName("pin_message")
            lay.addWidget(warn)
        if token.pin_final_try:
            lay.addWidget(QLabel("Cảnh báo: chỉ còn MỘT lần thử trước khi thiết bị bị khoá."))
        self.edit = QLineEdit()
        self.edit.setObjectName("pin_edit")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        lay.addWidget(self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Ký")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class QtPinPrompt(QObject):
    """Implements signing.PinPrompt. Create it on the GUI thread (its slot runs there)."""

    _requested = Signal(object, object)

    def __init__(self, parent_widget: QWidget | None = None) -> None:
        super().__init__()
        self._parent = parent_widget
        self._answered = threading.Event()
        self._answer: list[str | None] = [None]
        self.dialog: PinDialog | None = None  # while one is open (tests answer it)
        self._requested.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def ask_pin(self, token: TokenInfo, message: str | None) -> str | None:
        if on_gui_thread():
            raise RuntimeError("the PIN must be asked from the worker thread, never the GUI thread")
        self._answered.clear()
        self._requested.emit(token, message)
        self._answered.wait()
        pin, self._answer[0] = self._answer[0], None
        return pin

    @Slot(object, object)
    def _show(self, token: TokenInfo, message: str | None) -> None:
        # open(), not exec(): no nested event loop on the GUI thread; the answer arrives by `finished`.
        dialog = PinDialog(self._parent, token, message)
        dialog.setModal(True)
        dialog.finished.connect(lambda code, d=dialog: self._done(d, code))
        self.dialog = dialog
        dialog.open()

    def _done(self, dialog: PinDialog, code: int) -> None:
        try:
            ok = code == QDialog.DialogCode.Accepted.value
            self._answer[0] = (dialog.edit.text() or None) if ok else None
            dialog.edit.clear()
        finally:
            self.dialog = None
            dialog.deleteLater()
            self._answered.set()

    def __repr__(self) -> str:
        return "<QtPinPrompt>"
