"""Every window fits the screen it opens on: a school's laptop is often 1366×768 with a taskbar, where a
window 1025 px tall hides its buttons and a main window 760 px tall hides the status bar (where «Đã lưu»
and refusals are written)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# What the window manager adds outside geometry(): a title bar and borders (Windows 10/11 ≈ 31 + 8 px).
FRAME_ALLOWANCE = QSize(16, 40)


def available_geometry(widget: QWidget | None = None) -> QRect:
    screen = None
    if widget is not None:
        host = widget.parentWidget()
        anchor = host.window() if host is not None else widget
        screen = anchor.screen()
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def fitted_size(widget: QWidget, wanted: QSize) -> QSize:
    """`wanted`, shrunk so the window with its frame fits the available area of its screen."""
    avail = available_geometry(widget)
    return QSize(min(wanted.width(), avail.width() - FRAME_ALLOWANCE.width()),
                 min(wanted.height(), avail.height() - FRAME_ALLOWANCE.height()))


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """Resize to width × height, or less where the screen is smaller; kept inside the available area."""
    widget.resize(fitted_size(widget, QSize(width, height)))
    _keep_inside(widget)


def _keep_inside(widget: QWidget) -> None:
    avail = available_geometry(widget)
    g = widget.geometry()
    x = min(max(g.x(), avail.left()), max(avail.left(), avail.right() - g.width() - FRAME_ALLOWANCE.width()))
    y = min(max(g.y(), avail.top()), max(avail.top(), avail.bottom() - g.height() - FRAME_ALLOWANCE.height()))
    if (x, y) != (g.x(), g.y()):
        widget.move(x, y)
