"""The program's file choosers: one door, so every "save as" / "open" behaves alike and a check can
answer it (issue 18 names this contract); and the program's message boxes: plain text only (issue 15)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from typing import Callable

from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QWidget


def ask_save_path(parent: QWidget | None, title: str, suggested: str, filter: str) -> str | None:  # noqa: A002
    """The path the user chose to save to, with the filter's extension when they typed none; None if cancelled."""
    chosen = QFileDialog.getSaveFileName(parent, title, suggested, filter)[0]
    if not chosen:
        return None
    suffix = Path(suggested).suffix
    p = Path(chosen)
    if suffix and p.suffix.lower() != suffix.lower():
        p = p.with_suffix(suffix)
    return str(p)


def ask_open_path(parent: QWidget | None, title: str, start: str, filter: str) -> str | None:  # noqa: A002
    chosen = QFileDialog.getOpenFileName(parent, title, start, filter)[0]
    return chosen or None


def show_message(parent: QWidget | None, title: str, text: str, *, kind: str = "information") -> QMessageBox:
    """A message box whose text is PLAIN text, always: an error message or a user's text (a pupil's
    name, a correction request) containing "<b>ĐÃ PHÊ DUYỆT</b>" is shown literally, never rendered
    (QMessageBox's static helpers guess "rich text" from the first tag). Opened window-modal without a
    nested event loop (open(), not exec()); returned so a caller or a test can read it."""
    icons = {"information": QMessageBox.Icon.Information, "warning": QMessageBox.Icon.Warning,
             "critical": QMessageBox.Icon.Critical}
    box = QMessageBox(icons.get(kind, QMessageBox.Icon.Information), title, "", QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("message_box")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_error(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    return show_message(parent, title, text, kind="warning")


def show_info(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    return show_message(parent, title, text, kind="information")


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A QLabel that shows users' text as written (never as rich text)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def path_row(form: QFormLayout, on_browse: Callable[[], None], label: str = "Lưu vào:") -> QLineEdit:
    """A form row "Lưu vào: [path ……] [Chọn…]": the path edit, the button calling `on_browse`."""
    edit = QLineEdit()
    browse = QPushButton("Chọn…")
    browse.clicked.connect(on_browse)
    row = QWidget()
    h = QHBoxLayout(row)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(edit, 1)
    h.addWidget(browse)
    form.addRow(label, row)
    return edit
