"""A realistic, deterministic class-list workbook (title block, header, signatures) for tests and benchmarks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from ..domain.identity import century_sex_digit

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = {"Nam": ("Văn", "Đức", "Minh", "Quốc", "Gia", "Hữu"), "Nữ": ("Thị", "Ngọc", "Thu", "Minh", "Bảo", "Khánh")}
GIVEN = {"Nam": ("An", "Bảo", "Cường", "Dũng", "Hải", "Khang", "Long", "Phúc", "Quân", "Tuấn"),
         "Nữ": ("Anh", "Chi", "Hà", "Hương", "Lan", "Linh", "Mai", "Ngân", "Thảo", "Vy")}
ETHNIC = ("Kinh",) * 12 + ("Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông")
PROVINCE_CODES = ("001", "031", "079", "048", "092", "038", "040")
HEADER = ("STT", "Mã định danh", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Lớp", "Nơi sinh",
          "Nơi ở hiện nay", "Họ tên cha", "Họ tên mẹ")


@dataclass(frozen=True)
class SamplePupil:
    personal_id: str
    full_name: str
    birth_date: date
    sex: str
    ethnicity: str
    class_name: str


def sample_pupils(n: int, seed: int = 1, year_start: int = 2025, classes_per_grade: int = 4) -> list[SamplePupil]:
    rng = random.Random(seed)
    used: set[str] = set()
    out = []
    for i in range(n):
        grade = 1 + (i * 5) // max(n, 1)
        cls = f"{grade}{'ABCDEFGH'[i % classes_per_grade]}"
        sex = rng.choice(("Nam", "Nữ"))
        year = year_start - 5 - grade
        birth = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        while True:
            pid = f"{rng.choice(PROVINCE_CODES)}{century_sex_digit(year, sex)}{year % 100:02d}{rng.randrange(10**6):06d}"
            if pid not in used:
                used.add(pid)
                break
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
        out.append(SamplePupil(pid, name, birth, sex, rng.choice(ETHNIC), cls))
    return out


def write_sample_class_list(path: str | Path, n: int = 2000, seed: int = 1, year: str = "2025-2026") -> list[SamplePupil]:
    pupils = sample_pupils(n, seed, int(year[:4]))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách")
    ws.append(["ỦY BAN NHÂN DÂN PHƯỜNG AN BIÊN"])
    ws.append(["TRƯỜNG TIỂU HỌC HÒA BÌNH"])
    ws.append([])
    ws.append([f"DANH SÁCH HỌC SINH NĂM HỌC {year}"])
    ws.append([])
    ws.append(list(HEADER))
    for i, p in enumerate(pupils, start=1):
        ws.append([i, p.personal_id, p.full_name, p.birth_date, p.sex, p.ethnicity, p.class_name,
                   "Bệnh viện Phụ sản Hải Phòng", f"Số {i} đường Trần Phú, phường An Biên",
                   f"{p.full_name.split()[0]} Văn Hùng", "Trần Thị Hoa"])
    ws.append([])
    ws.append([None, None, "Người lập biểu", None, None, None, "Hiệu trưởng"])
    ws.append([None, None, "Nguyễn Thị Lan", None, None, None, "Phạm Văn Đức"])
    wb.save(str(path))
    return pupils
