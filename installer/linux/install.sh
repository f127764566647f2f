#!/usr/bin/env bash
# Install the built folder (dist/hocbaso) system-wide on Linux: /opt/hocbaso, a menu entry and the icon.
# The data stays per user under ~/.local/share/hocbaso (platformdirs); uninstalling never touches it.
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX="${PREFIX:-/opt/hocbaso}"
[ -x dist/hocbaso/hocbaso-desktop ] || { echo "Chưa có dist/hocbaso: chạy ./dev bundle trước" >&2; exit 2; }
mkdir -p "$PREFIX"
cp -a dist/hocbaso/. "$PREFIX/"
ln -sf "$PREFIX/hocbaso" /usr/local/bin/hocbaso
ln -sf "$PREFIX/hocbaso-desktop" /usr/local/bin/hocbaso-desktop
sed "s#/opt/hocbaso#$PREFIX#" installer/linux/hocbaso.desktop > /usr/share/applications/hocbaso.desktop
install -Dm644 resources/icons/hocbaso.svg /usr/share/icons/hicolor/scalable/apps/hocbaso.svg
install -Dm644 resources/icons/hocbaso.png /usr/share/icons/hicolor/256x256/apps/hocbaso.png
command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
echo "Đã cài vào $PREFIX (trình đơn: Học bạ số)."
