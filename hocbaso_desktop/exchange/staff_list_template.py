"""Our blank staff-list workbook (`hocbaso template-staff`), read back by exchange/staff_list.py.

The header uses names the reader knows ("Họ tên" + "Email" make it a staff list), every data cell
is formatted as text (a typed personal ID keeps its leading zeros, a code like 001 stays 001), and
Giới tính, Chức vụ, Vai trò and Trạng thái have drop-downs from a hidden sheet.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.roles import ROLE_NAMES
from .staff_list import ACTIVE_STATUS
from .template_header import write_header
from .xlsx_write import save_atomic

DATA_SHEET = "Cán bộ"
LIST_SHEET = "Danh mục"
HELP_SHEET = "Hướng dẫn"
TEMPLATE_ROWS = 300
POSITIONS = ("Hiệu trưởng", "Phó hiệu trưởng", "Giáo viên", "Tổng phụ trách Đội", "Văn thư", "Kế toán",
             "Nhân viên văn phòng", "Nhân viên thư viện", "Nhân viên y tế", "Bảo vệ")
STATUSES = (ACTIVE_STATUS, "Đã nghỉ hưu", "Chuyển công tác", "Nghỉ việc")

COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("STT", 6, ""),
    ("Mã cán bộ", 12, "Không bắt buộc: để trống thì phần mềm tự đặt (GV001, HT…) và báo lại."),
    ("Họ tên", 28, "Bắt buộc."),
    ("Ngày sinh", 13, "Dạng ngày/tháng/năm, ví dụ 05/09/1985."),
    ("Giới tính", 10, "Nam hoặc Nữ."),
    ("Số định danh cá nhân", 18, "12 chữ số (số căn cước). Cần cho GVCN và Ban giám hiệu (ghi trong học bạ)."),
    ("Email", 28, ""),
    ("Chức vụ", 20, "Chọn trong danh sách; phần mềm suy ra vai trò nếu cột Vai trò để trống."),
    ("Vai trò", 20, "Không bắt buộc: " + ", ".join(ROLE_NAMES.values()) + " (nhiều vai trò: cách nhau bằng dấu phẩy)."),
    ("Môn dạy", 24, ""),
    ("Trạng thái CB", 16, f"«{ACTIVE_STATUS}» hoặc để trống; trạng thái khác: cán bộ đã nghỉ."),
)


def write_staff_template(path: str | Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    lists = wb.create_sheet(LIST_SHEET)
    help_ws = wb.create_sheet(HELP_SHEET)
    col = write_header(ws, COLUMNS)
    last = TEMPLATE_ROWS + 1
    for r in range(2, last + 1):
        for name, _w, _n in COLUMNS:
            if name == "Ngày sinh":
                ws[f"{col[name]}{r}"].number_format = "dd/mm/yyyy"
            elif name != "STT":
                ws[f"{col[name]}{r}"].number_format = "@"  # text: leading zeros survive
    values = {"A": ("Giới tính", ("Nam", "Nữ")), "B": ("Chức vụ", POSITIONS),
              "C": ("Vai trò", tuple(ROLE_NAMES.values())), "D": ("Trạng thái CB", STATUSES)}
    for letter, (head, items) in values.items():
        lists[f"{letter}1"] = head
        for i, v in enumerate(items, start=2):
            lists[f"{letter}{i}"] = v
    lists.sheet_state = "hidden"

    def drop_down(column: str, letter: str, n: int, strict: bool, prompt: str) -> None:
        dv = DataValidation(type="list", formula1=f"'{LIST_SHEET}'!${letter}$2:${letter}${n + 1}", allow_blank=True)
        dv.error, dv.errorTitle = prompt, "Giá trị không có trong danh sách"
        dv.errorStyle = "stop" if strict else "warning"  # several roles, other positions: allowed
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{column}2:{column}{last}")

    drop_down(col["Giới tính"], "A", 2, True, "Chọn Nam hoặc Nữ.")
    drop_down(col["Chức vụ"], "B", len(POSITIONS), False, "Chức vụ khác danh sách: vẫn giữ nếu đúng.")
    drop_down(col["Vai trò"], "C", len(ROLE_NAMES), False, "Nhiều vai trò: gõ cách nhau bằng dấu phẩy.")
    drop_down(col["Trạng thái CB"], "D", len(STATUSES), False, "Trạng thái khác: cán bộ được coi là đã nghỉ.")

    help_ws.column_dimensions["A"].width = 110
    lines = (
        "HƯỚNG DẪN NHẬP DANH SÁCH CÁN BỘ, GIÁO VIÊN",
        "",
        "1. Mỗi người một dòng trên trang «Cán bộ», bắt đầu từ dòng 2; không sửa dòng tiêu đề.",
        "2. Bắt buộc: Họ tên. Nên có: Ngày sinh, Giới tính, Số định danh cá nhân (12 chữ số), Chức vụ.",
        "3. Mã cán bộ là mã đăng nhập; để trống thì phần mềm tự đặt (HT, PHT, GV001…) và báo lại sau khi nhập.",
        "4. Vai trò để trống: suy ra từ Chức vụ (Hiệu trưởng, Phó hiệu trưởng, Giáo viên → GVCN, GVBM; "
        "Văn thư, Kế toán → Văn phòng; Thư viện → Lưu trữ).",
        "5. Có thể nhập lại tệp nhiều lần: người đã có (cùng số định danh, hoặc cùng mã) được cập nhật, không bị "
        "nhân đôi, không ai bị xóa. Người có Trạng thái CB khác «Đang làm việc» được ghi là đã nghỉ.",
        "6. Cũng nhập được tệp xuất từ CSDL ngành (Cán bộ → Xuất Excel, CSDL_GiaoVien) mà không cần sửa.",
    )
    for i, line in enumerate(lines, start=1):
        help_ws.cell(row=i, column=1, value=line).font = Font(bold=(i == 1))
    return save_atomic(wb, path)
