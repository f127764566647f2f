"""Known PKCS#11 modules: presets for the settings screen.

The module path is a user setting; these are only suggestions. The Windows DLL names of the
Vietnamese vendors come from public installation guides and MUST be verified on site (the
vendor's installer is what puts the DLL on the machine; names change between token models).
"""

from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class ModulePreset:
    key: str
    name: str  # shown in the settings screen
    paths: tuple[str, ...]  # candidate paths, first existing wins
    verified: bool  # True only when the path was proven on a real machine
    note: str = ""


_SOFTHSM_LINUX = (
    "/usr/lib/softhsm/libsofthsm2.so",  # Debian/Ubuntu (package softhsm2)
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",  # Fedora
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",  # macOS (Homebrew)
)

PRESETS: dict[str, ModulePreset] = {
    "softhsm2": ModulePreset(
        "softhsm2",
        "SoftHSM2 (thiết bị ký số giả lập, dùng để thử)",
        _SOFTHSM_LINUX + (r"C:\SoftHSM2\lib\softhsm2-x64.dll",),
        verified=True,
        note="Đã kiểm chứng trên Debian 12 (softhsm2 2.6.1).",
    ),
    "epass2003": ModulePreset(
        "epass2003",
        "Feitian ePass2003 (token của nhiều nhà cung cấp CA)",
        ("/usr/lib/libcastle.so.1.0.0", "/usr/local/lib/libcastle.so.1.0.0", r"C:\Windows\System32\eps2003csp11.dll"),
        verified=False,
        note="Trên Linux đã kiểm chứng libcastle.so.1.0.0; tên DLL trên Windows cần kiểm tra tại chỗ.",
    ),
    "vnpt-ca": ModulePreset(
        "vnpt-ca",
        "VNPT-CA",
        (r"C:\Windows\System32\vnpt-ca_csp11.dll", r"C:\Windows\System32\eps2003csp11.dll"),
        verified=False,
        note="Tên DLL đoán theo tài liệu công khai — cần kiểm tra tại chỗ.",
    ),
    "viettel-ca": ModulePreset(
        "viettel-ca",
        "Viettel-CA",
        (r"C:\Windows\System32\viettel-ca_v6.dll", r"C:\Windows\System32\viettel-ca_v5.dll"),
        verified=False,
        note="Tên DLL đoán theo tài liệu công khai — cần kiểm tra tại chỗ.",
    ),
    "fpt-ca": ModulePreset(
        "fpt-ca",
        "FPT-CA",
        (r"C:\Windows\System32\fpt-ca.dll", r"C:\Windows\System32\ShuttleCsp11_3003.dll"),
        verified=False,
        note="Tên DLL đoán theo tài liệu công khai — cần kiểm tra tại chỗ.",
    ),
    "bkavca": ModulePreset(
        "bkavca",
        "BkavCA",
        (r"C:\Windows\System32\BkavCA.dll", r"C:\Windows\System32\BkavCAv2S.dll"),
        verified=False,
        note="Tên DLL đoán theo tài liệu công khai — cần kiểm tra tại chỗ.",
    ),
    "vgca": ModulePreset(
        "vgca",
        "Ban Cơ yếu Chính phủ (VGCA) — chứng thư của cơ quan nhà nước, dấu của trường",
        (r"C:\Windows\System32\vgca_csp11.dll", r"C:\Windows\System32\BkavCA.dll"),
        verified=False,
        note="Tên DLL đoán theo tài liệu công khai — cần kiểm tra tại chỗ.",
    ),
}


def existing_path(preset: ModulePreset) -> str | None:
    """The first candidate path of `preset` that exists on this machine, if any."""
    for path in preset.paths:
        if os.path.isfile(path):
            return path
    return None


def find_softhsm_module() -> str | None:
    """The SoftHSM2 module on this machine (used by the demo token and the tests)."""
    found = existing_path(PRESETS["softhsm2"])
    if found or not sys.platform.startswith("linux"):
        return found
    hits = sorted(glob.glob("/usr/lib*/**/libsofthsm2.so", recursive=True))
    return hits[0] if hits else None
