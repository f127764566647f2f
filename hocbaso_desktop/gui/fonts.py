"""Bundle a font with full Vietnamese coverage: without it offscreen Qt renders every ữ as a box."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

from ..paths import resources_dir

UI_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


def install_ui_font(point_size: int = 10) -> QFont:
    family = None
    for name in UI_FONT_FILES:
        fid = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / name))
        if fid >= 0 and family is None:
            fams = QFontDatabase.applicationFontFamilies(fid)
            family = fams[0] if fams else None
    font = QFont(family or "DejaVu Sans", point_size)
    return font


def covers_vietnamese(font: QFont, sample: str = "ữỗặẫằĐđơư") -> bool:
    fm = QFontMetrics(font)
    return all(fm.inFontUcs4(ord(ch)) for ch in sample)
