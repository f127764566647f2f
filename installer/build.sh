#!/usr/bin/env bash
# Build the self-contained program folder dist/hocbaso/ (hocbaso-desktop + hocbaso) with PyInstaller.
# Called by `./dev bundle`, which installs PyInstaller from the project's `bundle` extra first.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${VENV:-.venv}/bin/python"
"$PY" -m PyInstaller --version >/dev/null 2>&1 || { echo "PyInstaller thiếu: chạy ./dev bundle" >&2; exit 2; }
# The compiled translation must match its .ts (tests/gui/test_i18n.py checks the same)
"${VENV:-.venv}/bin/pyside6-lrelease" -silent resources/i18n/hocbaso_en.ts -qm resources/i18n/hocbaso_en.qm
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/hocbaso.spec
echo "==> dist/hocbaso: $(du -sh dist/hocbaso | cut -f1), $(( $(date +%s) - start )) s"
