"""Vietnamese for the texts Qt itself draws: standard buttons (Yes/No, OK/Cancel, Close, Save), the
context menus of text fields and spin boxes, the file dialog, the wizard and scroll bar menus.

Qt ships no qtbase_vi.qm, so the program carries its own: the table below is the source, written to
resources/i18n/qtbase_vi.ts and compiled with pyside6-lrelease (tools/update_qt_vi.py; a test checks
the shipped .qm matches the table). A plain QTranslator loads it: a Python subclass overriding
translate() would be called for every Qt text, and PySide6 drops a reference to None on each call
(the interpreter aborts at exit). Installed once at start (gui/app.py) while the program speaks
Vietnamese; with English chosen in the settings, Qt's own English stays.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from PySide6.QtCore import QCoreApplication, QTranslator

from ..paths import resources_dir

_BUTTONS = {
    "OK": "Đồng ý",
    "&OK": "Đồng &ý",
    "Save": "Lưu",
    "Save All": "Lưu tất cả",
    "Open": "Mở",
    "&Yes": "&Có",
    "Yes to &All": "Có với &tất cả",
    "&No": "&Không",
    "N&o to All": "Không với tất &cả",
    "Abort": "Dừng",
    "Retry": "Thử lại",
    "Ignore": "Bỏ qua",
    "Close": "Đóng",
    "Cancel": "Hủy",
    "Discard": "Bỏ thay đổi",
    "Don't Save": "Không lưu",
    "Close without Saving": "Đóng không lưu",
    "Help": "Trợ giúp",
    "Apply": "Áp dụng",
    "Reset": "Đặt lại",
    "Restore Defaults": "Khôi phục mặc định",
}

_EDIT_MENU = {
    "&Undo": "&Hoàn tác",
    "&Redo": "&Làm lại",
    "Cu&t": "&Cắt",
    "&Copy": "&Sao chép",
    "Copy &Link Location": "Sao chép địa chỉ &liên kết",
    "&Paste": "&Dán",
    "Delete": "Xóa",
    "Select All": "Chọn tất cả",
    "&Select All": "Chọn tất &cả",
    "&Step up": "&Tăng",
    "Step &down": "&Giảm",
}

_FILE_TYPES = {
    "Drive": "Ổ đĩa",
    "File Folder": "Thư mục",
    "Folder": "Thư mục",
    "Directory": "Thư mục",
    "Alias": "Bí danh",
    "Shortcut": "Lối tắt",
    "Unknown": "Không rõ",
    "File": "Tệp",
    "%1 File": "Tệp %1",
}

_FILE_DIALOG = {
    **_FILE_TYPES,
    "Look in:": "Tìm trong:",
    "Back": "Lùi",
    "Forward": "Tiến",
    "Parent Directory": "Thư mục cha",
    "Create New Folder": "Tạo thư mục mới",
    "List View": "Dạng danh sách",
    "Detail View": "Dạng chi tiết",
    "Go back": "Quay lại",
    "Go forward": "Đi tiếp",
    "Go to the parent directory": "Lên thư mục cha",
    "Create a New Folder": "Tạo một thư mục mới",
    "Change to list view mode": "Xem dạng danh sách",
    "Change to detail view mode": "Xem dạng chi tiết",
    "Sidebar": "Thanh bên",
    "List of places and bookmarks": "Danh sách nơi lưu và dấu trang",
    "Files": "Các tệp",
    "Directories": "Các thư mục",
    "File &name:": "&Tên tệp:",
    "Directory:": "Thư mục:",
    "Files of type:": "Loại tệp:",
    "&Open": "&Mở",
    "&Save": "&Lưu",
    "&Choose": "&Chọn",
    "Open": "Mở",
    "Save As": "Lưu thành",
    "Find Directory": "Chọn thư mục",
    "Cancel": "Hủy",
    "All Files (*)": "Mọi tệp (*)",
    "All files (*)": "Mọi tệp (*)",
    "My Computer": "Máy tính",
    "Computer": "Máy tính",
    "Recent Places": "Nơi mở gần đây",
    "Remove": "Bỏ khỏi danh sách",
    "New Folder": "Thư mục mới",
    "&New Folder": "Thư mục &mới",
    "&Rename": "Đổi &tên",
    "&Delete": "&Xóa",
    "Delete": "Xóa",
    "Show &hidden files": "Hiện tệp &ẩn",
    "Show ": "Hiện ",
    "%1 already exists.\nDo you want to replace it?": "Tệp %1 đã có.\nBạn có muốn ghi đè lên tệp đó không?",
    "'%1' is write protected.\nDo you want to delete it anyway?":
        "«%1» đang được bảo vệ chống ghi.\nBạn vẫn muốn xóa nó?",
    "Are you sure you want to delete '%1'?": "Bạn có chắc muốn xóa «%1»?",
    "Could not delete directory.": "Không xóa được thư mục.",
    "%1\nFile not found.\nPlease verify the correct file name was given.":
        "%1\nKhông tìm thấy tệp.\nHãy kiểm tra lại tên tệp.",
    "%1\nDirectory not found.\nPlease verify the correct directory name was given.":
        "%1\nKhông tìm thấy thư mục.\nHãy kiểm tra lại tên thư mục.",
}

_FILE_MODEL = {
    "Name": "Tên",
    "Size": "Kích thước",
    "Type": "Loại",
    "Kind": "Loại",
    "Date Modified": "Ngày sửa",
    "My Computer": "Máy tính",
    "Computer": "Máy tính",
    "Invalid filename": "Tên tệp không hợp lệ",
    '<b>The name "%1" cannot be used.</b><p>Try using another name, with fewer characters or no punctuation marks.':
        "<b>Không dùng được tên «%1».</b><p>Hãy đặt tên khác, ngắn hơn hoặc không có dấu câu.",
}

TABLE: dict[str, dict[str, str]] = {
    "QPlatformTheme": _BUTTONS,
    "QDialogButtonBox": _BUTTONS,
    "QLineEdit": _EDIT_MENU,
    "QWidgetTextControl": _EDIT_MENU,
    "QAbstractSpinBox": _EDIT_MENU,
    "QFileDialog": _FILE_DIALOG,
    "QFileSystemModel": _FILE_MODEL,
    "QAbstractFileIconProvider": _FILE_TYPES,
    "QFileIconProvider": _FILE_TYPES,
    "QMessageBox": {
        "Show Details...": "Xem chi tiết…",
        "Hide Details...": "Ẩn chi tiết…",
        "About Qt": "Giới thiệu Qt",
        "OK": "Đồng ý",
    },
    "QProgressDialog": {"Cancel": "Hủy"},
    "QDialog": {"What's This?": "Đây là gì?"},
    "QInputDialog": {"Enter a value:": "Nhập giá trị:"},
    "QErrorMessage": {
        "&OK": "Đồng &ý",
        "&Show this message again": "&Hiện lại thông báo này",
        "Warning:": "Cảnh báo:",
        "Information:": "Thông tin:",
        "Critical Error:": "Lỗi nghiêm trọng:",
        "Fatal Error:": "Lỗi nghiêm trọng:",
        "Debug Message:": "Thông báo gỡ lỗi:",
    },
    "QWizard": {
        "< &Back": "< &Quay lại",
        "&Next >": "&Tiếp >",
        "&Next": "&Tiếp",
        "&Finish": "&Hoàn tất",
        "Cancel": "Hủy",
        "&Help": "&Trợ giúp",
        "Help": "Trợ giúp",
        "Go Back": "Quay lại",
        "Continue": "Tiếp tục",
        "Commit": "Xác nhận",
        "Done": "Xong",
    },
    "QScrollBar": {
        "Scroll here": "Cuộn tới đây",
        "Left edge": "Mép trái",
        "Top": "Trên cùng",
        "Right edge": "Mép phải",
        "Bottom": "Dưới cùng",
        "Page left": "Sang trái một trang",
        "Page up": "Lên một trang",
        "Page right": "Sang phải một trang",
        "Page down": "Xuống một trang",
        "Scroll left": "Cuộn sang trái",
        "Scroll up": "Cuộn lên",
        "Scroll right": "Cuộn sang phải",
        "Scroll down": "Cuộn xuống",
    },
}


def qt_text_vi(context: str, source: str) -> str | None:
    """The Vietnamese for one of Qt's own texts, or None when the table has none."""
    return TABLE.get(context, {}).get(source)


def qm_path() -> Path:
    return resources_dir() / "i18n" / "qtbase_vi.qm"


def ts_text() -> str:
    """The table as a Qt Linguist .ts file (what pyside6-lrelease compiles)."""
    ts = ET.Element("TS", version="2.1", language="vi_VN", sourcelanguage="en_US")
    for context, entries in TABLE.items():
        ctx = ET.SubElement(ts, "context")
        ET.SubElement(ctx, "name").text = context
        for source, text in entries.items():
            msg = ET.SubElement(ctx, "message")
            ET.SubElement(msg, "source").text = source
            ET.SubElement(msg, "translation").text = text
    ET.indent(ts)
    return '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + ET.tostring(ts, encoding="unicode") + "\n"


_installed: QTranslator | None = None


def install_qt_vietnamese(app: QCoreApplication | None = None) -> bool:
    """Make Qt's own texts Vietnamese for the application (once; again for a new QApplication).
    False when the compiled table is missing: Qt's English stays, nothing else changes."""
    global _installed
    app = app or QCoreApplication.instance()
    if app is None:  # no application yet: nothing to translate
        return False
    if _installed is not None and _installed.parent() is app:
        return True
    t = QTranslator(app)
    if not t.load(str(qm_path())):
        return False
    app.installTranslator(t)
    _installed = t
    return True


def remove_qt_vietnamese(app: QCoreApplication | None = None) -> None:
    """Back to Qt's English (the user chose English in the settings)."""
    global _installed
    app = app or QCoreApplication.instance()
    if _installed is not None and app is not None:
        app.removeTranslator(_installed)
    _installed = None
