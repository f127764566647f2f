"""A blank class-list workbook for schools that type their lists by hand.

The header uses the names the reader recognises, the identity-number column is formatted as text
(so Excel keeps the leading zeros) and Giới tính / Dân tộc / Lớp have drop-down lists. The lists
live on a hidden sheet, because an inline list is limited to 255 characters and 55 ethnic groups
do not fit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.ethnic import ETHNIC_GROUPS
from .template_header import write_header
from .xlsx_write import save_atomic

DATA_SHEET = "Danh sách"
LIST_SHEET = "Danh mục"
HELP_SHEET = "Hướng dẫn"
TEMPLATE_ROWS = 1000

# (header, width, note) — the header texts are the ones the reader knows best.
COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("STT", 6, ""),
    ("Lớp", 8, "Ví dụ 1A, 3A1. Chọn trong danh sách hoặc gõ tên lớp."),
    ("Họ và tên", 28, "Bắt buộc."),
    ("Ngày sinh", 13, "Bắt buộc. Dạng ngày/tháng/năm, ví dụ 05/09/2019."),
    ("Giới tính", 10, "Bắt buộc: Nam hoặc Nữ."),
    ("Mã định danh", 16, "Bắt buộc: số định danh cá nhân 12 chữ số (số căn cước)."),
    ("Mã học sinh", 14, "Không bắt buộc: mã học sinh trên CSDL ngành."),
    ("Dân tộc", 14, "Chọn trong danh sách 54 dân tộc."),
    ("Nơi sinh", 28, ""),
    ("Quê quán", 24, ""),
    ("Nơi ở hiện nay", 32, ""),
    ("Họ tên cha", 22, ""),
    ("Họ tên mẹ", 22, ""),
    ("Người giám hộ", 22, ""),
    # optional per-pupil facts (issue 14): blank means "keep what the program holds"
    ("Số đăng bộ", 12, "Không bắt buộc: số trong sổ đăng bộ của trường."),
    ("Ngày vào trường", 13, "Không bắt buộc. Dạng ngày/tháng/năm."),
    ("Đối tượng chính sách", 20, "Không bắt buộc, ví dụ: Hộ nghèo, Con thương binh."),
    ("Khuyết tật", 18, "Không bắt buộc: loại khuyết tật; để trống nếu không."),
    ("Đánh giá theo KHGD cá nhân", 14, "Không bắt buộc: ghi x nếu học sinh được đánh giá theo kế hoạch giáo dục cá nhân."),
    ("Môn tự chọn", 16, "Không bắt buộc: NN1 (Ngoại ngữ 1, khối 1-2), TDT (Tiếng dân tộc); cách nhau bởi dấu phẩy."),
    ("Miễn môn", 16, "Không bắt buộc: mã hoặc tên môn được miễn (M), ví dụ GDTC; cách nhau bởi dấu phẩy."),
)
DEFAULT_CLASSES = tuple(f"{g}{letter}" for g in range(1, 6) for letter in "ABCDE")


def write_template(path: str | Path, classes: Sequence[str] = (), year: str = "") -> Path:
    """Write the template to `path` (temp file + rename, so a failed write leaves no half file)."""
    p = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    lists = wb.create_sheet(LIST_SHEET)
    help_ws = wb.create_sheet(HELP_SHEET)

    col = write_header(ws, COLUMNS)
    last = TEMPLATE_ROWS + 1
    for r in range(2, last + 1):
        # Text format: a typed 001219012345 keeps its zeros; dates are shown the Vietnamese way.
        ws[f"{col['Mã định danh']}{r}"].number_format = "@"
        ws[f"{col['Mã học sinh']}{r}"].number_format = "@"
        ws[f"{col['Ngày sinh']}{r}"].number_format = "dd/mm/yyyy"
        ws[f"{col['Ngày vào trường']}{r}"].number_format = "dd/mm/yyyy"
        ws[f"{col['Số đăng bộ']}{r}"].number_format = "@"

    class_names = list(classes) or list(DEFAULT_CLASSES)
    lists["A1"], lists["B1"], lists["C1"] = "Giới tính", "Dân tộc", "Lớp"
    for i, v in enumerate(("Nam", "Nữ"), start=2):
        lists[f"A{i}"] = v
    for i, name in enumerate(ETHNIC_GROUPS.values(), start=2):
        lists[f"B{i}"] = name
    for i, name in enumerate(class_names, start=2):
        lists[f"C{i}"] = name
    lists.sheet_state = "hidden"

    def drop_down(column: str, source: str, strict: bool, prompt: str) -> None:
        dv = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False)
        dv.error = prompt
        dv.errorTitle = "Giá trị không có trong danh sách"
        # Lớp may be a class not yet in the list: warn, let the clerk keep it.
        dv.errorStyle = "stop" if strict else "warning"
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{column}2:{column}{last}")

    drop_down(col["Giới tính"], f"'{LIST_SHEET}'!$A$2:$A$3", True, "Chọn Nam hoặc Nữ.")
    drop_down(col["Dân tộc"], f"'{LIST_SHEET}'!$B$2:$B${len(ETHNIC_GROUPS) + 1}", True,
              "Chọn một trong 54 dân tộc hoặc Người nước ngoài.")
    drop_down(col["Lớp"], f"'{LIST_SHEET}'!$C$2:$C${len(class_names) + 1}", False,
              "Lớp này chưa có trong danh sách; vẫn giữ nếu đúng.")

    help_ws.column_dimensions["A"].width = 110
    lines = [
        "HƯỚNG DẪN NHẬP DANH SÁCH HỌC SINH" + (f" — NĂM HỌC {year}" if year else ""),
        "",
        "1. Mỗi học sinh một dòng trên trang «Danh sách», bắt đầu từ dòng 2; không sửa dòng tiêu đề.",
        "2. Bắt buộc: Lớp, Họ và tên, Ngày sinh (ngày/tháng/năm), Giới tính (Nam/Nữ), Mã định danh (12 chữ số).",
        "3. Mã định danh là số định danh cá nhân của học sinh; phần mềm dùng nó để nhận ra học sinh khi nhập lại.",
        "4. Có thể nhập lại tệp nhiều lần: học sinh đã có được cập nhật, không bị nhân đôi, không ai bị xóa.",
        "5. Có thể tách mỗi lớp một trang; khi đó tên trang là tên lớp (ví dụ 3A) và bỏ trống cột Lớp.",
        "6. Các cột từ «Số đăng bộ» trở đi không bắt buộc; ô trống giữ nguyên dữ liệu đã có trong phần mềm.",
    ]
    for i, line in enumerate(lines, start=1):
        help_ws.cell(row=i, column=1, value=line).font = Font(bold=(i == 1))

    return save_atomic(wb, p)  # formula-looking text stays text; owner-only file
