"""Every character of every text in gui/ is in the bundled font (issue 18: "⏸" was drawn as an
empty box): the status marks come from gui/glyphs.py, and nothing the font lacks slips in."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtGui import QFontMetrics

from hocbaso_desktop.gui import glyphs
from hocbaso_desktop.gui.fonts import install_ui_font

GUI = Path(__file__).resolve().parents[2] / "hocbaso_desktop" / "gui"


def _texts(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(n.lineno, n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_every_gui_text_is_drawn_by_the_bundled_font(qapp) -> None:  # noqa: ANN001
    fm = QFontMetrics(install_ui_font())
    missing: list[str] = []
    for path in sorted(GUI.rglob("*.py")):
        for line, text in _texts(path):
            for ch in set(text):
                if ch.isspace() or ord(ch) < 0x20 or ch in "\u00ad\u200b\ufeff":
                    continue
                if not fm.inFontUcs4(ord(ch)):
                    missing.append(f"{path.relative_to(GUI)}:{line}: {ch!r} U+{ord(ch):04X}")
    assert not missing, "\n".join(sorted(set(missing)))


def test_the_status_marks_render_and_the_pause_sign_is_not_one_of_them(qapp) -> None:  # noqa: ANN001
    fm = QFontMetrics(install_ui_font())
    for mark in (glyphs.OK, glyphs.FAILED, glyphs.WARNING, glyphs.WAITING):
        assert fm.inFontUcs4(ord(mark)), mark
    assert not fm.inFontUcs4(0x23F8)  # why WAITING is not "⏸"


def test_the_waiting_line_of_the_sign_dialog_as_drawn(qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QLabel

    label = QLabel(f"{glyphs.WAITING} Đỗ Văn An (3A): chưa xác nhận kết quả cuối năm")
    label.setFont(install_ui_font())
    qtbot.addWidget(label)
    label.show()
    Path("/tmp/shots").mkdir(exist_ok=True)
    label.grab().save("/tmp/shots/glyph_waiting.png")
