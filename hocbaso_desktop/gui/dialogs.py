"""The program's file choosers: one door, so every "save as" / "open" behaves alike and a check can
answer it (issue 18 names this contract)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget


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
