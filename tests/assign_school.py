"""A school set up from nothing for the assignment tests (service, Excel, CLI, GUI): classes 1A, 2A, 4A
of 2025-2026 from a class-list workbook through services.class_import, staff rows written directly
(the staff import is another work item). Never touches services/demo.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook

from hocbaso_desktop.domain.roles import SYSTEM_ACTOR
from hocbaso_desktop.services import class_import
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Staff, StaffRole

YEAR = "2025-2026"
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"]
PUPILS = [
    ["Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A"],
    ["Trần Thị Bình", date(2019, 6, 5), "Nữ", "079319000002", "Tày", "1A"],
    ["Lê Văn Cường", date(2018, 1, 9), "Nam", "031218000003", "Kinh", "2A"],
    ["Phạm Thu Dung", date(2016, 2, 1), "Nữ", "031316000004", "Kinh", "4A"],
]
# code, name, roles, active
STAFF = [
    ("HT", "Nguyễn Văn Hiệu", ["principal"], True),
    ("QT01", "Lê Thị Quản", ["admin"], True),
    ("PHT", "Đỗ Văn Phó", ["vice_principal"], True),
    ("GV001", "Trần Thị Mai", ["homeroom", "subject"], True),
    ("GV002", "Phạm Văn Nam", ["homeroom", "subject"], True),
    ("GV003", "Hoàng Thị Lan", ["subject"], True),
    ("GV004", "Vũ Minh Tâm", ["subject"], True),
    ("GV009", "Bùi Thị Nghỉ", ["homeroom", "subject"], False),
    ("VP01", "Đặng Thị Văn", ["clerk"], True),
]


def class_workbook(folder: Path, rows: list[list] = PUPILS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append([f"DANH SÁCH HỌC SINH NĂM HỌC {YEAR}"])
    ws.append(HEADER)
    for i, r in enumerate(rows, start=1):
        ws.append([i, *r])
    p = folder / "lop.xlsx"
    wb.save(p)
    return p


def add_staff(store: Store, rows: list[tuple[str, str, list[str], bool]] = STAFF) -> None:
    with store.transaction("system") as tx:
        for code, name, roles, active in rows:
            st = Staff(code=code, full_name=name, active=active, roles=[StaffRole(role=r) for r in roles],
                       left_on=None if active else date(2025, 10, 1))
            tx.session.add(st)
            tx.audit("staff.create", "staff", code, {"full_name": name, "roles": roles})


def build_school(path: Path) -> Path:
    """Write the school to `path` (a closed SQLite file) and return it."""
    with Store.open(path) as store:
        add_staff(store)
        plan = class_import.plan_import(store, class_workbook(path.parent))
        assert plan.ok, [p.message() for p in plan.class_list.problems]
        class_import.apply_import(store, plan, SYSTEM_ACTOR)
    return path


PASSWORD = "mật khẩu phân công 2026"


def give_password(store: Store, code: str, password: str = PASSWORD) -> None:
    """A login as a real school has them: set by the admin side, then changed by its owner."""
    from hocbaso_desktop.services import account_admin, accounts

    account_admin.create_account(store, SYSTEM_ACTOR, code, "tạm thời " + password)
    accounts.change_own_password(store, code, "tạm thời " + password, password)
