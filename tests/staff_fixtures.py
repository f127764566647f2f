"""A realistic CSDL ngành staff export ("CSDL_GiaoVien", Cán bộ → Xuất Excel), written with openpyxl.

Like the real file: a title block above the header, ~72 columns of which we read a dozen, in the
order the ministry's template puts them, Vietnamese values, dates as text dd/mm/yyyy, a personal
ID stored as a number in one row (lost leading zeros) and staff who retired or moved.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HEADER = [
    "STT", "Mã cán bộ", "Họ tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Quốc tịch",
    "Số CCCD/Số định danh cá nhân", "Ngày cấp", "Nơi cấp", "Số điện thoại", "Email", "Quê quán",
    "Địa chỉ thường trú", "Nơi ở hiện nay", "Trạng thái CB", "Ngày tuyển dụng", "Ngày vào ngành",
    "Ngày vào trường", "Hình thức hợp đồng", "Vị trí việc làm", "Nhóm chức vụ", "Chức vụ kiêm nhiệm",
    "Môn dạy", "Môn dạy kiêm nhiệm", "Trình độ chuyên môn", "Chuyên ngành đào tạo", "Trình độ lý luận chính trị",
    "Trình độ quản lý nhà nước", "Trình độ quản lý giáo dục", "Trình độ ngoại ngữ", "Ngoại ngữ chính",
    "Trình độ tin học", "Là đảng viên", "Ngày vào Đảng", "Ngày chính thức", "Là đoàn viên", "Là công đoàn viên",
    "Ngạch/Hạng", "Mã ngạch/hạng", "Bậc lương", "Hệ số lương", "Ngày hưởng", "Phần trăm vượt khung",
    "Phụ cấp chức vụ", "Phụ cấp thâm niên", "Phụ cấp ưu đãi nghề", "Phụ cấp trách nhiệm", "Phụ cấp độc hại",
    "Phụ cấp khác", "Số sổ BHXH", "Mã số thuế", "Số tài khoản", "Ngân hàng", "Chi nhánh", "Đánh giá viên chức",
    "Đánh giá chuẩn nghề nghiệp", "Danh hiệu thi đua", "Giáo viên dạy giỏi", "Bồi dưỡng thường xuyên",
    "Bồi dưỡng CBQL", "Tham gia bồi dưỡng", "Dạy 2 buổi/ngày", "Dạy học sinh khuyết tật", "Nhóm máu",
    "Tình trạng hôn nhân", "Sức khỏe", "Thương binh", "Con liệt sĩ", "Ghi chú", "Lần cập nhật cuối",
]

# (Mã cán bộ, Họ tên, Ngày sinh, Giới tính, Số định danh, Email, Trạng thái, Vị trí việc làm, Nhóm chức vụ, Môn dạy)
PEOPLE = [
    ("7901001", "Đỗ Thị Thanh Hương", "12/03/1975", "Nữ", "079175001234", "huongdtt@thcs.edu.vn", "Đang làm việc",
     "Hiệu trưởng", "Cán bộ quản lý", ""),
    ("7901002", "Nguyễn Văn Hòa", "05/11/1980", "Nam", "079080002345", "hoanv@th.edu.vn", "Đang làm việc",
     "Phó hiệu trưởng", "Cán bộ quản lý", "Toán"),
    ("", "Trần Thị Mai", "20/07/1988", "Nữ", "001188003456", "maitt@th.edu.vn", "Đang làm việc",
     "Giáo viên tiểu học hạng III", "Giáo viên", "Tiếng Việt, Toán"),
    ("7901004", "Lê Minh Khoa", "02/02/1990", "Nam", 31090004567, "khoalm@th.edu.vn", "Đang làm việc",
     "Giáo viên tiểu học hạng III", "Giáo viên", "Tiếng Anh"),
    ("", "Phạm Thu Trang", "14/09/1992", "Nữ", "036192005678", "trangpt@th.edu.vn", "Đang làm việc",
     "Văn thư", "Nhân viên", ""),
    ("7901006", "Hoàng Thị Lan", "30/12/1986", "Nữ", "040186006789", "lanht@th.edu.vn", "Đang làm việc",
     "Nhân viên thư viện", "Nhân viên", ""),
    ("7901007", "Vũ Đức Thắng", "08/08/1963", "Nam", "038063007890", "thangvd@th.edu.vn", "Đã nghỉ hưu",
     "Giáo viên tiểu học hạng II", "Giáo viên", "Toán"),
    ("7901008", "Bùi Thị Hạnh", "17/04/1984", "Nữ", "027184008901", "hanhbt@th.edu.vn", "Chuyển công tác",
     "Giáo viên tiểu học hạng III", "Giáo viên", "Âm nhạc"),
    ("7901009", "Đinh Văn Bảo", "25/06/1979", "Nam", "052079009012", "baodv@th.edu.vn", "Đang làm việc",
     "Bảo vệ", "Nhân viên", ""),
]

COL = {name: i for i, name in enumerate(HEADER)}


def write_csdl_giaovien(path: Path, people: list[tuple] | None = None, *, title_rows: int = 3) -> Path:
    """people: tuples as PEOPLE (default). Returns path. The header is at row title_rows + 1."""
    wb = Workbook()
    ws = wb.active
    ws.title = "CSDL_GiaoVien"
    ws.cell(row=1, column=1, value="SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ HỒ CHÍ MINH")
    if title_rows >= 2:
        ws.cell(row=2, column=1, value="DANH SÁCH CÁN BỘ, GIÁO VIÊN, NHÂN VIÊN — TRƯỜNG TIỂU HỌC HÒA BÌNH")
    if title_rows >= 3:
        ws.cell(row=3, column=1, value="Năm học 2025-2026 · Ngày xuất: 15/09/2025")
    head = title_rows + 1
    for c, name in enumerate(HEADER, start=1):
        ws.cell(row=head, column=c, value=name)
    for i, p in enumerate(people if people is not None else PEOPLE, start=1):
        code, name, dob, sex, pid, email, status, job, group, subjects = p
        r = head + i
        values = {
            "STT": i, "Mã cán bộ": code or None, "Họ tên": name, "Ngày sinh": dob, "Giới tính": sex,
            "Dân tộc": "Kinh", "Tôn giáo": "Không", "Quốc tịch": "Việt Nam", "Số CCCD/Số định danh cá nhân": pid,
            "Ngày cấp": "10/05/2021", "Nơi cấp": "Cục Cảnh sát QLHC về TTXH", "Số điện thoại": "0909123456",
            "Email": email, "Quê quán": "Hà Nội", "Trạng thái CB": status, "Hình thức hợp đồng": "Biên chế",
            "Vị trí việc làm": job, "Nhóm chức vụ": group, "Môn dạy": subjects or None,
            "Trình độ chuyên môn": "Đại học", "Ngạch/Hạng": "Giáo viên tiểu học hạng III", "Hệ số lương": 3.33,
            "Lần cập nhật cuối": "01/09/2025",
        }
        for k, v in values.items():
            ws.cell(row=r, column=COL[k] + 1, value=v)
    ws.cell(row=head + len(people if people is not None else PEOPLE) + 3, column=COL["Họ tên"] + 1,
            value="Người lập biểu")
    wb.save(path)
    return path
