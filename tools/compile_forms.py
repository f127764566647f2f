"""Compile every ui/*.ui into hocbaso_desktop/gui/forms/ui_<name>.py with pyside6-uic."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "hocbaso_desktop" / "gui" / "forms"


def main() -> int:
    uic = shutil.which("pyside6-uic") or str(Path(sys.executable).with_name("pyside6-uic"))
    OUT.mkdir(parents=True, exist_ok=True)
    for ui in sorted((ROOT / "ui").glob("*.ui")):
        target = OUT / f"ui_{ui.stem}.py"
        subprocess.run([uic, "--from-imports", str(ui), "-o", str(target)], check=True)
        print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
