"""One data row of a class list → StudentData, with a Problem for every cell refused or doubted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..domain.ethnic import ethnic_code
from ..domain.identity import check_personal_id
from ..domain.pupil_subjects import exempt_problem, optional_problem, resolve_subject, split_list
from ..domain.text import clean, fold, hidden_char_problem, reveal
from ..domain.typed_dates import parse_date
from .c1_statuses import STUDYING, status_of
from .class_list_model import ListRow, Problem, StudentData
from .class_list_values import (
    display,
    is_excel_error,
    parse_class_name,
    parse_grade,
    parse_personal_id,
    parse_sex,
)
from .problems import ERROR, WARNING

if TYPE_CHECKING:
    from .class_list import _SheetReader

_TEXT_FIELDS = {"birthplace": 250, "hometown": 250, "address": 250, "father_name": 150, "mother_name": 150,
                "guardian_name": 150, "nationality": 50, "moet_code": 20, "register_no": 30, "policy_group": 100,
                "disability": 100}


@dataclass
class _Facts:
    """The optional per-pupil columns read from a row; None: the column is absent or the cell blank."""

    enrolled_on: date | None = None
    not_assessed: bool | None = None
    optional_subjects: frozenset[str] | None = None
    exempt_subjects: frozenset[str] | None = None


_YES = {"x", "co", "c", "1", "yes", "true", "dung", "v", "✓", "✔", "khgd", "khgdcanhan"}
_NO = {"khong", "k", "0", "no", "false"}


class RowParser:
    """Turns one data row into StudentData, adding a Problem for every cell it refuses or doubts."""

    def __init__(self, sheet: _SheetReader, idx: int, raw: dict[str, object], parts: list[tuple[str, object]],
                 shown: dict[str, str] | None = None) -> None:
        self.s, self.idx, self.raw, self.parts = sheet, idx, raw, parts
        # display() of each raw value, when the caller already worked it out for the row
        self.shown = shown if shown is not None else {f: display(v) for f, v in raw.items()}
        self.failed = False
        self.reported: set[str] = set()

    def problem(self, severity: str, field_key: str, value: object, reason: str) -> None:
        s = self.s
        if severity == ERROR:
            self.failed = True
            self.reported.add(field_key)
        s.out.problems.append(Problem(severity, s.sheet, self.idx, s.label(field_key), s.coordinate(self.idx, field_key),
                                      field_key, display(value), reason))

    def cell(self, field_key: str) -> object:
        """The value, or None; a formula error or an uncalculated formula is reported and read as None."""
        v = self.raw.get(field_key)
        if v is None:
            self._blank(field_key)
            return None
        if not isinstance(v, str):
            return v
        if is_excel_error(v):
            self.problem(ERROR, field_key, v, "ô báo lỗi công thức")
            return None
        if not v.strip():
            return None
        if why := hidden_char_problem(v):
            # bidi overrides, zero-width and control characters, digits other than 0-9: the row is refused
            self.problem(ERROR, field_key, reveal(v), why)
            return None
        return v

    def _blank(self, field_key: str) -> None:
        if field_key in (self.s.header.columns if self.s.header else {}):
            col = self.s.header.columns[field_key] + 1  # type: ignore[union-attr]
            if (self.idx, col) in self.s.formula_missing:
                self.problem(ERROR, field_key, "", "ô có công thức nhưng chưa có kết quả tính sẵn: hãy mở tệp bằng "
                                                   "Excel, để Excel tính lại rồi lưu")

    def empty(self, field_key: str, reason: str) -> None:
        if field_key not in self.reported:  # a formula error in the cell was already reported
            self.problem(ERROR, field_key, "", reason)

    def parse(self) -> None:
        s = self.s
        name = self._name()
        birth = self._birth()
        sex = self._sex()
        pid = self._personal_id()
        cls = self._class()
        eth = self._ethnicity()
        texts = {f: self._text(f, n) for f, n in _TEXT_FIELDS.items()}
        facts = self._facts(cls[1] if cls else None)
        student = None
        if not self.failed and name and birth and sex and pid and cls:
            check = check_personal_id(pid, birth, sex)
            for e in check.errors:
                self.problem(ERROR, "personal_id", pid, e)
            for w in check.warnings:
                self.problem(WARNING, "personal_id", pid, w)
            if not self.failed:
                student = StudentData(
                    pid, name, birth, sex, cls[0], cls[1], ethnicity_code=eth,
                    moet_code=texts["moet_code"], nationality=texts["nationality"], birthplace=texts["birthplace"],
                    hometown=texts["hometown"], address=texts["address"], father_name=texts["father_name"],
                    mother_name=texts["mother_name"], guardian_name=texts["guardian_name"],
                    register_no=texts["register_no"], policy_group=texts["policy_group"],
                    disability=texts["disability"], enrolled_on=facts.enrolled_on,
                    not_assessed=facts.not_assessed, optional_subjects=facts.optional_subjects,
                    exempt_subjects=facts.exempt_subjects)
        status = self._c1_status()
        if self.failed:
            student = None
        if student is not None and status is not None and status[1] != STUDYING:
            # Not studying (chuyển đi, thôi học, ...): reported, never placed as a member of a class.
            when = self.raw.get("c1_status_on")
            on = f" từ {display(when)}" if when is not None and display(when) else ""
            self.problem(WARNING, "c1_status", status[0], f"học sinh không đang học ({status[0]}{on}): không "
                                                          "xếp vào lớp, không nhập")
            student = None
        raw_text = dict(self.shown)
        if self.parts:
            raw_text["full_name"] = clean(" ".join(display(v) for _p, v in self.parts))
        if "class_name" not in raw_text and cls:
            raw_text["class_name"] = cls[0]
        raw_text.pop("female_mark", None)
        if "female_mark" in self.raw:
            raw_text["sex"] = sex or ""
        if pid:
            raw_text["personal_id"] = pid
        letters = s.column_letters()
        cells = {f: f"{letters[f]}{self.idx}" if f in letters else "" for f in raw_text}  # = s.coordinate(idx, f)
        s.out.rows.append(ListRow(s.sheet, self.idx, raw_text, cells, student))

    # --- fields ----------------------------------------------------------------------------
    def _c1_status(self) -> tuple[str, str] | None:
        if "c1_status" not in self.raw:
            return None
        v = self.cell("c1_status")
        if v is None:
            return None  # blank: read as studying, the portal writes it for every pupil it lists
        st = status_of(v)
        if st is None:
            self.problem(ERROR, "c1_status", v, "trạng thái học sinh không có trong danh mục của CSDL ngành "
                                                "(ví dụ Đang học, Chuyển đến, Chuyển đi, Thôi học)")
        if "c1_status_on" in self.raw and (d := self.cell("c1_status_on")) is not None and parse_date(d)[0] is None:
            self.problem(ERROR, "c1_status_on", d, parse_date(d)[1])
        return st

    def _name(self) -> str | None:
        if self.parts:
            for _p, v in self.parts:
                if isinstance(v, str) and (why := hidden_char_problem(v)):
                    self.problem(ERROR, "full_name", reveal(v), why)
                    return None
            # Name split over columns: join in column order ("Nguyễn Văn" + "An").
            name = clean(" ".join(display(v) for _p, v in self.parts if v is not None and not is_excel_error(v)))
        else:
            v = self.cell("full_name")
            name = clean(str(v)) if v is not None else ""
        if not name:
            self.empty("full_name", "để trống họ và tên")
            return None
        if len(name) > 150:
            self.problem(ERROR, "full_name", name[:40] + "…", "họ và tên dài quá 150 ký tự")
            return None
        if re.search(r"\d", name):
            self.problem(WARNING, "full_name", name, "họ và tên có chữ số")
        elif " " not in name:
            self.problem(WARNING, "full_name", name, "họ và tên chỉ có một từ")
        return name

    def _birth(self) -> date | None:
        if "birth_date" not in self.raw:
            self.failed = True  # the missing column is reported once, at the header
            return None
        v = self.cell("birth_date")
        if v is None:
            self.empty("birth_date", "để trống ngày sinh")
            return None
        d, reason = parse_date(v)
        if d is None:
            self.problem(ERROR, "birth_date", v, reason)
        return d

    def _sex(self) -> str | None:
        if "sex" not in self.raw:
            if "female_mark" in self.raw:
                return "Nữ" if self.cell("female_mark") is not None else "Nam"
            self.failed = True
            return None
        v = self.cell("sex")
        if v is None:
            self.empty("sex", "để trống giới tính")
            return None
        sex, reason = parse_sex(v)
        if sex is None:
            self.problem(ERROR, "sex", v, reason)
        return sex

    def _personal_id(self) -> str | None:
        if "personal_id" not in self.raw:
            self.failed = True
            return None
        v = self.cell("personal_id")
        if v is None:
            self.empty("personal_id", "để trống mã định danh (số định danh cá nhân 12 chữ số, dùng để "
                                                   "nhận ra học sinh khi nhập lại)")
            return None
        pid, reason, restored = parse_personal_id(v)
        if pid is None:
            self.problem(ERROR, "personal_id", v, reason)
        elif restored:
            self.s.out.restored_ids += 1
        return pid

    def _class(self) -> tuple[str, int] | None:
        s = self.s
        v = self.cell("class_name") if "class_name" in self.raw else None
        if v is None:
            fallback = s.section_class or (s.sheet_class[0] if s.sheet_class else None)
            if fallback:
                cls = parse_class_name(fallback)[0]
            elif "class_name" in self.raw:
                self.empty("class_name", "để trống lớp")
                return None
            else:
                self.failed = True
                if not s.reported_no_class:  # once per sheet, not on every row
                    s.reported_no_class = True
                    self.problem(ERROR, "class_name", "", f"không có cột Lớp và tên trang «{s.sheet}» không phải "
                                                         "tên lớp (ví dụ 3A): không biết học sinh học lớp nào")
                return None
        else:
            cls, reason = parse_class_name(v)
            if cls is None:
                self.problem(ERROR, "class_name", v, reason)
                return None
        g = self.cell("grade") if "grade" in self.raw else None
        if g is not None and parse_grade(g) != cls[1]:  # type: ignore[index]
            self.problem(ERROR, "grade", g, f"khối không khớp với lớp {cls[0]}")  # type: ignore[index]
        return cls

    def _ethnicity(self) -> str | None:
        if "ethnicity" not in self.raw:
            return None
        v = self.cell("ethnicity")
        if v is None:
            self.problem(WARNING, "ethnicity", "", "để trống dân tộc: học sinh mới được ghi là Kinh")
            return None
        code = ethnic_code(display(v))
        if code is None:
            self.problem(ERROR, "ethnicity", v, "không có trong danh mục 54 dân tộc (và người nước ngoài)")
        return code

    def _facts(self, grade: int | None) -> _Facts:
        """The optional per-pupil columns: enrolment date, individual plan, optional and exempt subjects."""
        out = _Facts()
        if "enrolled_on" in self.raw and (v := self.cell("enrolled_on")) is not None:
            d, reason = parse_date(v)
            if d is None:
                self.problem(ERROR, "enrolled_on", v, reason)
            out.enrolled_on = d
        if "not_assessed" in self.raw and (v := self.cell("not_assessed")) is not None:
            key = fold(display(v))
            if key in _YES:
                out.not_assessed = True
            elif key in _NO:
                out.not_assessed = False
            else:
                self.problem(ERROR, "not_assessed", v, "ghi «x» hoặc «có» nếu học sinh được đánh giá theo kế hoạch giáo "
                                                       "dục cá nhân, để trống hoặc «không» nếu không")
        for key in ("optional_subjects", "exempt_subjects"):
            if key not in self.raw or (v := self.cell(key)) is None:
                continue
            codes: set[str] = set()
            for item in split_list(display(v)):
                subj = resolve_subject(item)
                if subj is None:
                    self.problem(ERROR, key, item, "không có môn học này trong danh mục TT27 (ghi mã như NN1, TDT "
                                                   "hoặc tên môn, cách nhau bởi dấu phẩy)")
                    continue
                if grade is not None:
                    why = optional_problem(grade, subj) if key == "optional_subjects" else exempt_problem(grade, subj)
                    if why:
                        self.problem(ERROR, key, subj.name, why)
                        continue
                codes.add(subj.code)
            if key == "optional_subjects":
                out.optional_subjects = frozenset(codes)
            else:
                out.exempt_subjects = frozenset(codes)
        return out

    def _text(self, field_key: str, limit: int) -> str | None:
        if field_key not in self.raw:
            return None
        v = self.cell(field_key)
        if v is None:
            return None
        text = self.shown[field_key]
        if len(text) > limit:
            self.problem(ERROR, field_key, text[:40] + "…", f"dài quá {limit} ký tự")
            return None
        return text or None
