"""What opening a new school year from the previous one would do, or did (services/year_rollover.py):
the plan's lists, its Vietnamese lines for the CLI and the GUI preview, the refusals, the mapping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..domain.errors import HocbasoError, InvalidValue
from ..storage.models import Enrolment, SchoolClass, YearResult

FINAL_GRADE = 5


class RolloverRefused(HocbasoError):
    """The rollover is refused as a whole: nothing written."""


class IncompleteRecords(RolloverRefused):
    def __init__(self, plan: "RolloverPlan") -> None:
        by_class: dict[str, int] = {}
        for r in plan.incomplete:
            by_class[r.from_class] = by_class.get(r.from_class, 0) + 1
        where = ", ".join(f"{c} ({n})" for c, n in sorted(by_class.items()))
        super().__init__(
            f"Chưa mở được năm học {plan.new_year}: năm học {plan.from_year} còn {len(plan.incomplete)} học bạ chưa phát "
            f"hành và không chờ đánh giá bổ sung, ở {len(by_class)} lớp: {where}. Hãy phát hành các học bạ này, hoặc "
            "Hiệu trưởng xác nhận mở năm học mới khi chưa hoàn tất (--confirm-incomplete; trong chương trình: ô «Xác "
            "nhận của Hiệu trưởng»). Chưa ghi gì.",
            year=plan.new_year, by_class=by_class)
        self.plan = plan


@dataclass(frozen=True)
class RolloverRow:
    personal_id: str
    name: str
    from_class: str
    to_class: str = ""
    note: str = ""  # why waiting / not carried, or "" when the list says it all


@dataclass(frozen=True)
class RolloverPlan:
    from_year: str
    new_year: str
    promoted: tuple[RolloverRow, ...]
    repeating: tuple[RolloverRow, ...]
    graduated: tuple[RolloverRow, ...]
    not_carried: tuple[RolloverRow, ...]
    waiting: tuple[RolloverRow, ...]
    classes_made: tuple[tuple[str, int], ...]
    incomplete: tuple[RolloverRow, ...]
    applied: bool
    confirmed_incomplete: bool = False
    year_made: bool = False
    already: int = 0  # pupils an earlier run already carried, graduated or listed as not carried
    mapping: tuple[tuple[str, tuple[str, ...]], ...] = ()  # old class → new classes, as used
    assignments_copied: tuple[str, ...] = ()  # "2A: GVCN GV001", "2A: TOAN GV003"
    assignments_skipped: tuple[str, ...] = ()  # why a cell of the old year was not copied
    dry_run: bool = False

    @property
    def changes(self) -> bool:
        """Something is (or would be) written: pupils enrolled or graduated, classes or the year made."""
        return bool(self.promoted or self.repeating or self.graduated or self.not_carried or self.classes_made
                    or self.year_made or self.assignments_copied)

    def lines(self) -> list[str]:
        head = (f"Chạy thử, chưa ghi gì — mở năm học {self.new_year} từ năm học {self.from_year}" if self.dry_run
                else f"Đã mở năm học {self.new_year} từ năm học {self.from_year}" if self.applied
                else f"Mở năm học {self.new_year} từ năm học {self.from_year}")
        out = [head + (" (năm học mới được tạo)." if self.year_made else ".")]
        if not self.changes:
            out.append("Không có gì mới" + (f": {self.already} học sinh đã được kết chuyển từ trước" if self.already
                                            else "") + "; không thay đổi gì.")
        elif self.already:
            out.append(f"Đã kết chuyển từ lần trước: {self.already} học sinh (giữ nguyên).")
        if self.mapping:
            out.append("Chuyển lớp: " + "; ".join(f"{a} → {', '.join(b)}" for a, b in self.mapping))
        if self.classes_made:
            out.append("Lớp tạo mới: " + ", ".join(f"{n} (khối {g})" for n, g in self.classes_made))
        sections = (("Lên lớp", self.promoted), ("Ở lại lớp", self.repeating),
                    ("Hoàn thành chương trình tiểu học", self.graduated), ("Không kết chuyển", self.not_carried),
                    ("Chờ (chưa kết chuyển)", self.waiting))
        for title, rows in sections:
            if not rows:
                continue
            out.append(f"{title}: {len(rows)} học sinh")
            for r in rows:
                where = f"{r.from_class} → {r.to_class}" if r.to_class else r.from_class
                out.append(f"  {where}\t{r.personal_id}\t{r.name}" + (f"\t({r.note})" if r.note else ""))
        if self.waiting:
            out.append("Học sinh đang chờ sẽ được kết chuyển khi chạy lại lệnh này sau khi có kết quả / quyết định "
                       "của Hiệu trưởng.")
        if self.incomplete:
            out.append(f"Học bạ chưa hoàn tất (chưa phát hành, không chờ đánh giá bổ sung): {len(self.incomplete)} học sinh"
                       + (" — Hiệu trưởng đã xác nhận: học sinh đã có kết quả hoàn thành được lên lớp, học sinh chưa "
                          "có kết quả ở danh sách chờ." if self.confirmed_incomplete else
                          " — cần Hiệu trưởng xác nhận (ô «Xác nhận của Hiệu trưởng», hoặc --confirm-incomplete ở dòng lệnh), "
                          "nếu không sẽ không mở được năm học."))
        if self.assignments_copied:
            out.append(f"Sao chép phân công: {len(self.assignments_copied)} mục")
            out += [f"  {x}" for x in self.assignments_copied]
        for x in self.assignments_skipped:
            out.append(f"  Không sao chép: {x}")
        return out


# ---- the mapping -----------------------------------------------------------------------------


def parse_mapping(items: Sequence[str]) -> dict[str, list[str]]:
    """["1A=2A", "1B=2A", "3A=4A,4B"] → {"1A": ["2A"], "1B": ["2A"], "3A": ["4A", "4B"]} (CLI --map, GUI cells)."""
    out: dict[str, list[str]] = {}
    for item in items:
        text = (item or "").strip()
        old, sep, new = text.partition("=")
        targets = [t.strip().upper() for t in new.split(",") if t.strip()]
        if not sep or not old.strip() or not targets:
            raise InvalidValue("Chuyển lớp (--map)", item, "cần dạng LỚP_CŨ=LỚP_MỚI, ví dụ 1A=2A hoặc 1A=2A,2B")
        key = old.strip().upper()
        if key in out:
            raise InvalidValue("Chuyển lớp (--map)", item, f"lớp {key} đã được ghi ở một ánh xạ khác")
        if len(set(targets)) != len(targets):
            raise InvalidValue("Chuyển lớp (--map)", item, "một lớp mới được ghi hai lần")
        out[key] = targets
    return out


def default_target(name: str, grade: int) -> str | None:
    """1A → 2A, 3B1 → 4B1: the class name with its leading grade number + 1 (None: the name has none)."""
    if grade >= FINAL_GRADE or not name.startswith(str(grade)):
        return None
    return f"{grade + 1}{name[len(str(grade)):]}"


# ---- working state of one run (not frozen: the service fills it) ----------------------------


@dataclass
class Pupil:
    enrolment: Enrolment
    student_id: int
    personal_id: str
    name: str
    old_class: SchoolClass
    result: YearResult | None
    settled: bool


@dataclass
class Draft:
    """What the run would write, before it is frozen into a RolloverPlan."""

    enrol: list[tuple[Pupil, str]] = field(default_factory=list)  # pupil, new class name
    promoted: list[RolloverRow] = field(default_factory=list)
    repeating: list[RolloverRow] = field(default_factory=list)
    graduated: list[RolloverRow] = field(default_factory=list)
    not_carried: list[RolloverRow] = field(default_factory=list)
    waiting: list[RolloverRow] = field(default_factory=list)
    incomplete: list[RolloverRow] = field(default_factory=list)
    new_classes: dict[str, tuple[int, set[str]]] = field(default_factory=dict)  # name → grade, class optional subjects
    targets: dict[str, list[str]] = field(default_factory=dict)  # old class → new classes
    already: int = 0


__all__ = ["Draft", "FINAL_GRADE", "IncompleteRecords", "Pupil", "RolloverPlan", "RolloverRefused", "RolloverRow",
           "default_target", "parse_mapping"]
