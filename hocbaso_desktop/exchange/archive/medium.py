"""The external medium: which file system a folder is on, how much room it has, which drives are removable.

Linux: /proc/mounts (longest mount point containing the folder) and /sys/block/<disk>/removable,
plus mount points under /media and /run/media. Windows: GetVolumeInformationW / GetDriveTypeW via
ctypes — written from the Win32 documentation and NOT exercised by the test suite here (Linux CI);
check on a Windows PC before relying on the FAT32 refusal there. Elsewhere: "unknown", no refusal.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

FAT_TYPES = {"vfat", "msdos", "fat", "fat12", "fat16", "fat32", "umsdos"}
FAT_MAX_FILE = 4 * 1024**3 - 1  # FAT32 stores a file's size in 32 bits
HEADROOM = 64 * 1024**2


@dataclass(frozen=True)
class Drive:
    path: str  # mount point / drive root
    label: str
    fs_type: str
    free: int
    total: int
    removable: bool

    def describe(self) -> str:
        kind = "ổ rời" if self.removable else "ổ cố định"
        name = f"{self.label} — " if self.label else ""
        return f"{name}{self.path} ({kind}, {self.fs_type or 'không rõ hệ tệp'}, trống {human_size(self.free)} / {human_size(self.total)})"


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def _unescape_mount(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes.
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")


def linux_mounts(proc_mounts: str = "/proc/mounts") -> list[tuple[str, str, str]]:
    """(device, mount point, fs type) for each line of /proc/mounts."""
    try:
        with open(proc_mounts, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        parts = line.split()
        if len(parts) >= 3:
            out.append((_unescape_mount(parts[0]), _unescape_mount(parts[1]), parts[2]))
    return out


def filesystem_type(path: str | os.PathLike[str], proc_mounts: str = "/proc/mounts") -> str:
    """The file system holding `path` ("vfat", "ext4", "NTFS", "FAT32"…), or "" when unknown."""
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    real = os.path.realpath(p)
    if sys.platform.startswith("linux"):
        best, fs = "", ""
        for _dev, mnt, fstype in linux_mounts(proc_mounts):
            inside = real == mnt or real.startswith(mnt.rstrip("/") + "/") or mnt == "/"
            if inside and len(mnt) >= len(best):
                best, fs = mnt, fstype
        return fs
    if sys.platform == "win32":  # pragma: no cover - not exercised on the Linux test machines
        return _windows_fs(real)
    return ""


def _windows_fs(path: str) -> str:  # pragma: no cover - Windows only
    import ctypes

    root = os.path.splitdrive(path)[0] + "\\"
    buf = ctypes.create_unicode_buffer(64)
    ok = ctypes.windll.kernel32.GetVolumeInformationW(  # type: ignore[attr-defined]
        ctypes.c_wchar_p(root), None, 0, None, None, None, buf, len(buf))
    return buf.value if ok else ""


def is_fat(fs_type: str) -> bool:
    return fs_type.lower() in FAT_TYPES


def free_space(path: str | os.PathLike[str]) -> int:
    p = Path(path)
    while not p.exists() and p != p.parent:
        p = p.parent
    return shutil.disk_usage(p).free


@dataclass(frozen=True)
class Preflight:
    ok: bool
    needed: int
    free: int
    fs_type: str
    problems: tuple[str, ...]


def preflight(target_dir: str | os.PathLike[str], total_bytes: int, largest_file: int,
              *, free: int | None = None, fs_type: str | None = None) -> Preflight:
    """Room for 1.1 × the archive + 64 MiB, and no single file too big for FAT32."""
    fs = filesystem_type(target_dir) if fs_type is None else fs_type
    room = free_space(target_dir) if free is None else free
    needed = int(total_bytes * 1.1) + HEADROOM
    problems = []
    if room < needed:
        problems.append(f"ổ đích chỉ còn trống {human_size(room)}, cần ít nhất {human_size(needed)} "
                        f"(1,1 × {human_size(total_bytes)} + 64 MB)")
    if is_fat(fs) and largest_file > FAT_MAX_FILE:
        problems.append(f"ổ đích dùng hệ tệp {fs} (FAT32) không chứa được tệp lớn hơn 4 GB "
                        f"(tệp lớn nhất của kho: {human_size(largest_file)}); hãy định dạng ổ bằng exFAT hoặc NTFS")
    return Preflight(not problems, needed, room, fs, tuple(problems))


def _removable_disks_linux(sys_block: str = "/sys/block") -> set[str]:
    out: set[str] = set()
    try:
        names = os.listdir(sys_block)
    except OSError:
        return out
    for name in names:
        try:
            with open(os.path.join(sys_block, name, "removable"), encoding="ascii") as f:
                if f.read().strip() == "1":
                    out.add(name)
        except OSError:
            continue
    return out


def _disk_of(device: str) -> str:
    """/dev/sdb1 → sdb, /dev/mmcblk0p1 → mmcblk0, /dev/nvme0n1p2 → nvme0n1."""
    name = os.path.basename(os.path.realpath(device)) if device.startswith("/dev/") else ""
    if name.startswith(("mmcblk", "nvme")) and "p" in name[4:]:
        return name[: name.rindex("p")]
    return name.rstrip("0123456789")


def list_drives(proc_mounts: str = "/proc/mounts", sys_block: str = "/sys/block") -> list[Drive]:
    """Removable drives first (USB sticks, SD cards, external disks mounted under /media), for the GUI."""
    drives: list[Drive] = []
    if sys.platform.startswith("linux"):
        removable = _removable_disks_linux(sys_block)
        for dev, mnt, fstype in linux_mounts(proc_mounts):
            under_media = mnt.startswith(("/media/", "/run/media/", "/mnt/"))
            is_removable = _disk_of(dev) in removable
            if not (is_removable or under_media) or not os.path.isdir(mnt):
                continue
            try:
                usage = shutil.disk_usage(mnt)
            except OSError:
                continue
            drives.append(Drive(mnt, os.path.basename(mnt), fstype, usage.free, usage.total, is_removable or under_media))
    elif sys.platform == "win32":  # pragma: no cover - Windows only
        drives = _windows_drives()
    return sorted(drives, key=lambda d: (not d.removable, d.path))


def _windows_drives() -> list[Drive]:  # pragma: no cover - Windows only
    import ctypes
    import string

    out = []
    mask = ctypes.windll.kernel32.GetLogicalDrives()  # type: ignore[attr-defined]
    for i, letter in enumerate(string.ascii_uppercase):
        if not mask & (1 << i):
            continue
        root = f"{letter}:\\"
        kind = ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root))  # type: ignore[attr-defined]
        if kind not in (2, 3):  # DRIVE_REMOVABLE, DRIVE_FIXED (USB hard disks report as fixed)
            continue
        try:
            usage = shutil.disk_usage(root)
        except OSError:
            continue
        out.append(Drive(root, root, _windows_fs(root), usage.free, usage.total, kind == 2))
    return out
