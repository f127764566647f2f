"""The bundled serif for the paper copy, registered once with reportlab.

Liberation Serif is metric-compatible with Times New Roman (the face of the ministry's form) and
covers Vietnamese; it is bundled in resources/fonts so the PDF is the same on every PC and never
falls back to a font that draws boxes for "ữ".
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..domain.errors import HocbasoError
from ..paths import resources_dir

FAMILY = "HocbaSerif"
REGULAR, BOLD, ITALIC, BOLD_ITALIC = FAMILY, f"{FAMILY}-Bold", f"{FAMILY}-Italic", f"{FAMILY}-BoldItalic"
_FILES: dict[str, str] = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}
_lock = threading.Lock()  # the GUI renders off-thread; registration must happen once


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def register_fonts() -> str:
    """Register the family (idempotent, thread-safe) and return its name for paragraph styles."""
    with _lock:
        if REGULAR in pdfmetrics.getRegisteredFontNames():
            return FAMILY
        for name, file in _FILES.items():
            path = fonts_dir() / file
            if not path.is_file():
                raise HocbasoError(f"Thiếu phông chữ {file} trong {fonts_dir()} — cài đặt lại chương trình")
            pdfmetrics.registerFont(TTFont(name, str(path)))
        addMapping(FAMILY, 0, 0, REGULAR)
        addMapping(FAMILY, 1, 0, BOLD)
        addMapping(FAMILY, 0, 1, ITALIC)
        addMapping(FAMILY, 1, 1, BOLD_ITALIC)
        return FAMILY


def missing_glyphs(text: str, font: str = REGULAR) -> set[str]:
    """Characters of `text` the font has no glyph for (whitespace ignored)."""
    register_fonts()
    face = pdfmetrics.getFont(font).face
    return {ch for ch in text if not ch.isspace() and ord(ch) not in face.charToGlyph}
