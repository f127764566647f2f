"""The program's file choosers: one door, so every "save as" / "open" / "choose a folder" behaves
alike, speaks Vietnamese, and a check can answer it (issue 18 names this contract); and the
program's message boxes: plain text only (issue 15)."""

from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Callable, Iterator

from PySide6.QtCore import QIdentityProxyModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFileSystemModel,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeView,
    QWidget,
)


class ChooserMode(Enum):
    SAVE = "save"
    OPEN = "open"
    DIRECTORY = "directory"


_ACCEPT_TEXT = {ChooserMode.SAVE: "Lưu", ChooserMode.OPEN: "Mở", ChooserMode.DIRECTORY: "Chọn thư mục"}


class ChooserAnswers:
    """What a check answers the next file choosers with, in order (None: the person cancels).
    `asked` keeps the titles shown, so a check can say which chooser appeared."""

    def __init__(self) -> None:
        self.queue: deque[str | None] = deque()
        self.asked: list[str] = []

    def pick(self, path: str | Path) -> ChooserAnswers:
        self.queue.append(str(path))
        return self

    def cancel(self) -> ChooserAnswers:
        self.queue.append(None)
        return self

    def next(self, title: str) -> str | None:
        self.asked.append(title)
        if not self.queue:
            # A chooser nobody answers would block a headless run forever; fail loudly instead.
            raise AssertionError(f"unexpected file chooser «{title}»")
        return self.queue.popleft()


_answers: ChooserAnswers | None = None


@contextmanager
def answer_with(*paths: str | Path | None) -> Iterator[ChooserAnswers]:
    """Inside this block every file chooser is answered from the queue instead of shown: the given
    paths first (None = cancel), then whatever the check adds with .pick()/.cancel()."""
    global _answers
    previous = _answers
    answers = ChooserAnswers()
    for p in paths:
        answers.cancel() if p is None else answers.pick(p)
    _answers = answers
    try:
        yield answers
    finally:
        _answers = previous


def make_file_dialog(parent: QWidget | None, title: str, start: str, filter: str,  # noqa: A002
                     mode: ChooserMode) -> QFileDialog:
    """The program's own (not the platform's) file dialog: the same on every system and offscreen,
    with its buttons and fields labelled in Vietnamese whatever translation Qt has."""
    dlg = QFileDialog(parent, title, start, filter)
    dlg.setObjectName("fileChooser")
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    if mode is ChooserMode.SAVE:
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setFileMode(QFileDialog.FileMode.AnyFile)
        suffix = Path(start).suffix.lstrip(".")
        if suffix:
            dlg.setDefaultSuffix(suffix)
    elif mode is ChooserMode.OPEN:
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
    else:
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dlg.setFileMode(QFileDialog.FileMode.Directory)
        dlg.setOption(QFileDialog.Option.ShowDirsOnly, True)
    dlg.setLabelText(QFileDialog.DialogLabel.Accept, _ACCEPT_TEXT[mode])
    dlg.setLabelText(QFileDialog.DialogLabel.Reject, "Hủy")
    dlg.setLabelText(QFileDialog.DialogLabel.FileName,
                     "Thư mục:" if mode is ChooserMode.DIRECTORY else "Tên tệp:")
    dlg.setLabelText(QFileDialog.DialogLabel.FileType, "Loại tệp:")
    dlg.setLabelText(QFileDialog.DialogLabel.LookIn, "Tìm trong:")
    proxy = FileColumnsInVietnamese(dlg)
    dlg.setProxyModel(proxy)
    for view in dlg.findChildren(QTreeView):
        # the Vietnamese headers ("Kích thước", "Ngày sửa") are longer than Qt's fixed widths
        header = view.header()
        header.setMinimumSectionSize(header.fontMetrics().horizontalAdvance("Kích thước") + 24)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
    return dlg


def file_size_text(n: int) -> str:
    """A file's size as a Vietnamese reader writes it: comma decimals, the units schools see on their PCs."""
    if n < 1024:
        return f"{n} byte"
    size = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1024
        if size < 1024 or unit == "TB":
            return f"{size:.1f} {unit}".replace(".", ",")
    raise AssertionError("unreachable")


class FileColumnsInVietnamese(QIdentityProxyModel):
    """The file chooser's Size, Type and Date columns in Vietnamese: Qt takes them from the system's locale
    and MIME database, which say "1 bytes", "PNG image" and 12/4/26 on an English or C-locale PC."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole or index.column() not in (1, 2, 3):
            return super().data(index, role)
        model = self.sourceModel()
        src = self.mapToSource(index)
        if not isinstance(model, QFileSystemModel):
            return super().data(index, role)
        info = model.fileInfo(src)
        if index.column() == 1:
            return "" if info.isDir() else file_size_text(info.size())
        if index.column() == 2:
            if info.isDir():
                return "Thư mục"
            suffix = info.suffix().upper()
            return f"Tệp {suffix}" if suffix else "Tệp"
        when = info.lastModified()
        return when.toString("dd/MM/yyyy HH:mm") if when.isValid() else ""


def _choose(parent: QWidget | None, title: str, start: str, filter: str, mode: ChooserMode) -> str | None:  # noqa: A002
    if _answers is not None:
        return _answers.next(title)
    dlg = make_file_dialog(parent, title, start, filter, mode)
    if dlg.exec() != QFileDialog.DialogCode.Accepted:
        return None
    files = dlg.selectedFiles()
    return files[0] if files and files[0] else None


def ask_save_path(parent: QWidget | None, title: str, suggested: str, filter: str) -> str | None:  # noqa: A002
    """The path the user chose to save to, with the filter's extension when they typed none; None if cancelled."""
    chosen = _choose(parent, title, suggested, filter, ChooserMode.SAVE)
    if not chosen:
        return None
    suffix = Path(suggested).suffix
    p = Path(chosen)
    if suffix and p.suffix.lower() != suffix.lower():
        p = p.with_suffix(suffix)
    return str(p)


def ask_open_path(parent: QWidget | None, title: str, start: str, filter: str) -> str | None:  # noqa: A002
    """An existing file the user chose to open; None if cancelled."""
    return _choose(parent, title, start, filter, ChooserMode.OPEN) or None


def ask_directory(parent: QWidget | None, title: str, start: str = "") -> str | None:
    """An existing folder the user chose; None if cancelled."""
    return _choose(parent, title, start, "", ChooserMode.DIRECTORY) or None


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
