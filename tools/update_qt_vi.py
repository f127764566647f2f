"""Write resources/i18n/qtbase_vi.ts from the table in hocbaso_desktop/gui/qt_vi.py and compile
qtbase_vi.qm with pyside6-lrelease (run after changing the table)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hocbaso_desktop.gui.qt_vi import qm_path, ts_text


def main() -> int:
    qm = qm_path()
    ts = qm.with_suffix(".ts")
    ts.parent.mkdir(parents=True, exist_ok=True)
    ts.write_text(ts_text(), encoding="utf-8")
    exe = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(exe), "-silent", str(ts), "-qm", str(qm)], check=True)
    print(qm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
