"""Hand-built RecordData snapshots: a grade-1 and a grade-5 student with real Vietnamese text.

A plain module (not conftest) so the test modules and the benchmark can import it."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime

from hocbaso_desktop.domain.catalogue import catalogue
from hocbaso_desktop.domain.record_data import (
    HistoryRow,
    Person,
    QualityRow,
    RecordData,
    SchoolInfo,
    SignatureInfo,
    StudentInfo,
    SubjectRow,
)

LONG_COMMENT = (
    "Em đọc to, rõ ràng, viết đúng chính tả; biết dùng từ ngữ phù hợp khi kể lại câu chuyện đã nghe. "
    "Em tích cực phát biểu xây dựng bài, hăng hái giúp đỡ bạn bè trong nhóm. Cần luyện thêm chữ viết "
    "cho đều nét và trình bày bài sạch đẹp hơn ở những bài viết dài."
)
PC_COMMENT = (
    "Em lễ phép với thầy cô, yêu quý bạn bè, luôn trung thực trong học tập và sinh hoạt; biết giữ gìn "
    "đồ dùng học tập và vệ sinh lớp học sạch sẽ. Em tự giác nhận lỗi và sửa lỗi khi làm sai."
)
SCHOOL = SchoolInfo(
    name="Trường Tiểu học Nguyễn Bỉnh Khiêm", moet_code="01234567", province="Thành phố Hà Nội",
    district="", commune="Phường Hà Đông", address="Số 5 đường Quang Trung",
)
PRINCIPAL = Person("Phạm Thị Hằng", "001180012345", "Hiệu trưởng")
FIXED_UUID_1 = uuid.UUID("5f0c3a1e-8b2d-4c6e-9a7f-1d2e3f4a5b6c")
FIXED_UUID_5 = uuid.UUID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")

_SUBJECT_LEVELS = {"TV": ("T", 9), "TOAN": ("T", 10), "NN1": ("H", 7), "LSDL": ("T", 8), "KH": ("H", 8),
                   "TIN": ("T", 9), "CN": ("T", 9)}


def _subjects(grade: int, optional: set[str]) -> tuple[SubjectRow, ...]:
    cat = catalogue()
    rows = []
    for s in cat.subjects_for(grade, optional):
        tested = s.is_tested(grade, "CN")
        level, score = _SUBJECT_LEVELS.get(s.code, ("T", None))
        comment = LONG_COMMENT if s.code == "TV" else f"Em hoàn thành tốt các nội dung môn {s.name}, tích cực, hứng thú."
        rows.append(SubjectRow(s.code, s.name, s.print_name, level, score if tested else None, comment, tested))
    return tuple(rows)


def _qualities(grade: int) -> tuple[QualityRow, ...]:
    levels = ["T", "Đ", "T", "T", "C"]
    return tuple(
        QualityRow(q.code, q.group, q.name, q.national, levels[i % len(levels)])
        for i, q in enumerate(catalogue().qualities_for(grade))
    )


def make_record(grade: int = 1, **changes: object) -> RecordData:
    if grade == 1:
        student = StudentInfo(
            personal_id="001319012345", full_name="Nguyễn Thị Ánh Tuyết", birth_date=date(2019, 2, 3), sex="Nữ",
            ethnicity_code="01", ethnicity_name="Kinh", birthplace="Bệnh viện Phụ sản Hà Nội, Thành phố Hà Nội",
            hometown="Xã Đông Hưng, tỉnh Thái Bình", address="Số 12 ngõ 34 phố Trần Phú, Phường Hà Đông, Hà Nội",
            father_name="Nguyễn Văn Đức", mother_name="Trần Thị Mỹ Hạnh",
        )
        lookup, cls, year, optional = FIXED_UUID_1, "1A", "2025-2026", {"NN1"}
        history = (HistoryRow("2025-2026", "1A", SCHOOL.name, "Hà Nội", None),)
        completion = "Hoàn thành chương trình lớp học"
        awards: tuple[str, ...] = ("Học sinh Xuất sắc",)
        adhoc: tuple[str, ...] = ()
    else:
        student = StudentInfo(
            personal_id="001215067890", full_name="Lò Văn Dũng", birth_date=date(2015, 9, 21), sex="Nam",
            ethnicity_code="03", ethnicity_name="Thái", birthplace="Huyện Mường Lay, tỉnh Điện Biên",
            hometown="Xã Mường Phăng, tỉnh Điện Biên", address="Tổ 7, Phường Hà Đông, Hà Nội",
            father_name="Lò Văn Thắng", mother_name="Quàng Thị Ửng", guardian_name="Lò Thị Bưởi",
        )
        lookup, cls, year, optional = FIXED_UUID_5, "5C", "2025-2026", set()
        history = tuple(
            HistoryRow(f"{2021 + i}-{2022 + i}", f"{i + 1}C", SCHOOL.name, "Hà Nội", date(2021, 9, 5) if i == 0 else None)
            for i in range(5)
        )
        completion = "Hoàn thành chương trình tiểu học"
        awards = ("Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện",)
        adhoc = ("Giải Nhì Hội khỏe Phù Đổng cấp phường, môn cờ vua (tháng 3/2026)",)
    data = RecordData(
        lookup_code=lookup, school=SCHOOL, school_year=year, grade=grade, class_name=cls, student=student,
        subjects=_subjects(grade, optional), qualities=_qualities(grade),
        group_comments={"PC": PC_COMMENT, "NLC": "Em biết tự chuẩn bị đồ dùng học tập, mạnh dạn trao đổi với bạn.",
                        "NLD": "Em đọc lưu loát, tính toán nhanh, thích vẽ tranh và tham gia thể thao."},
        days_absent_excused=2, days_absent_unexcused=0,
        result="HTXS" if grade == 1 else "HTT", result_name="Hoàn thành xuất sắc" if grade == 1 else "Hoàn thành tốt",
        awards=awards, adhoc_awards=adhoc, completed_grade=True, completed_primary=grade == 5,
        completion_text=completion, promoted=True,
        teacher_comment="Em chăm ngoan, học tốt, cần phát huy.",
        height_cm=118.5 if grade == 1 else 141.0, weight_kg=21.3 if grade == 1 else 35.5,
        homeroom_teacher=Person("Đỗ Thị Ngọc Ánh", "001185054321", "Giáo viên chủ nhiệm"),
        principal=PRINCIPAL, history=history, version=1, status="1", valid_from=date(2026, 5, 29),
        place_of_issue="Hà Đông", created_on=date(2026, 5, 20),
    )
    return dataclasses.replace(data, **changes) if changes else data


SIGNATURES = (
    SignatureInfo("gvcn", "Đỗ Thị Ngọc Ánh", "CN=Đỗ Thị Ngọc Ánh, O=Trường Tiểu học Nguyễn Bỉnh Khiêm, C=VN",
                  datetime(2026, 5, 29, 8, 15, 2)),
    SignatureInfo("principal", "Phạm Thị Hằng", "CN=Phạm Thị Hằng, T=Hiệu trưởng, C=VN", datetime(2026, 5, 29, 10, 1, 44)),
)
