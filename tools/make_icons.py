"""Render resources/icons/hocbaso.svg to the PNG (Linux .desktop, window icon) and ICO (Windows build)."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PIL import Image  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    r = QSvgRenderer(str(ICONS / "hocbaso.svg"))
    img = QImage(256, 256, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    r.render(p)
    p.end()
    png = ICONS / "hocbaso.png"
    img.save(str(png))
    Image.open(png).save(ICONS / "hocbaso.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(png, ICONS / "hocbaso.ico")
    return 0


if __name__ == "__main__":
    sys.exit(main())
