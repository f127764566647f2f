"""Open the next school year from a 2,000-pupil year (issue 17): time of open_year, against a floor.

Setup (not timed): a generated class list (5 grades, 4 classes each) imported, a GVCN per class, a
year result for every pupil — most completed, every 25th kept in the grade by the principal, every
40th waiting for the supplementary evaluation, every 50th left during the year.
Measured: open_year(confirm_incomplete, copy_assignments) in one transaction. Floor: a bare bulk
INSERT of the same number of enrolments in one transaction, measured in the same run on a copy of
the same database. The new year is then checked pupil by pupil against what the results say.
Target: under 5 s (issue 17), printed beside the floor. Checked (benchmarks/_report.py): every pupil
where the results say, the second run changes nothing.
Run: .venv/bin/python benchmarks/bench_rollover.py [--students 2000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _report import Report  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from hocbaso_desktop.exchange.class_list_sample import write_sample_class_list  # noqa: E402
from hocbaso_desktop.services import class_import  # noqa: E402
from hocbaso_desktop.services.year_rollover import open_year  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402
from hocbaso_desktop.storage.models import (  # noqa: E402
    Enrolment,
    SchoolClass,
    SchoolYear,
    Staff,
    StaffRole,
    Student,
    YearResult,
)

YEAR, NEXT = "2025-2026", "2026-2027"
TARGET_S = 5.0


def _setup(folder: Path, n: int) -> tuple[Path, dict[str, tuple[str, str]]]:
    """The database and, per pupil, what the rollover must do: (kind, new class)."""
    xlsx = folder / "ds.xlsx"
    write_sample_class_list(xlsx, n, year=YEAR)
    db = folder / "bench.sqlite3"
    expected: dict[str, tuple[str, str]] = {}
    with Store.open(db) as store:
        plan = class_import.plan_import(store, xlsx, YEAR)
        assert plan.ok, [p.message() for p in plan.errors[:3]]
        class_import.apply_import(store, plan, "system")
        with store.transaction("system") as tx:
            s = tx.session
            classes = list(s.execute(select(SchoolClass)).scalars())
            for i, c in enumerate(sorted(classes, key=lambda c: c.name)):
                st = Staff(code=f"GV{i + 1:03d}", full_name=f"Giáo viên {i + 1}",
                           roles=[StaffRole(role="homeroom"), StaffRole(role="subject")])
                s.add(st)
                s.flush()
                c.homeroom_id = st.id
            rows = s.execute(select(Enrolment.id, Student.personal_id, SchoolClass.name, SchoolClass.grade)
                             .join(Student, Enrolment.student_id == Student.id)
                             .join(SchoolClass, Enrolment.class_id == SchoolClass.id).order_by(Enrolment.id)).all()
            results, left = [], []
            for i, (eid, pid, cname, grade) in enumerate(rows):
                if i % 50 == 7:
                    left.append(eid)
                    expected[pid] = ("not_carried", "")
                elif i % 40 == 3:
                    results.append({"enrolment_id": eid, "confirmed_result": "CHT", "pending_supplementary": True})
                    expected[pid] = ("waiting", "")
                elif i % 25 == 1:
                    results.append({"enrolment_id": eid, "confirmed_result": "CHT", "pending_supplementary": False,
                                    "promoted": False})
                    expected[pid] = ("repeating", cname)
                else:
                    results.append({"enrolment_id": eid, "confirmed_result": "HT" if i % 3 else "HTT",
                                    "pending_supplementary": False})
                    expected[pid] = ("graduated", "") if grade == 5 else ("promoted", f"{grade + 1}{cname[1:]}")
            s.execute(insert(YearResult), results)
            s.execute(Enrolment.__table__.update().where(Enrolment.id.in_(left)).values(status="left"))
            tx.audit("bench.setup", "school_year", YEAR, {"results": len(results), "left": len(left)})
    return db, expected


def _floor(db: Path, folder: Path, count: int) -> float:
    """The same number of enrolments bulk-inserted in one transaction: the cost of the rows alone."""
    copy = folder / "floor.sqlite3"
    shutil.copyfile(db, copy)
    with Store.open(copy) as store:
        with store.transaction("system") as tx:
            s = tx.session
            y = SchoolYear(name="2099-2100")
            s.add(y)
            s.flush()
            c = SchoolClass(year_id=y.id, name="1A", grade=1)
            s.add(c)
            s.flush()
            ids = list(s.execute(select(Student.id).limit(count)).scalars())
            year_id, class_id = y.id, c.id
            tx.audit("bench.floor", "school_year", y.id, {})
        t0 = time.perf_counter()
        with store.transaction("system") as tx:
            tx.session.execute(insert(Enrolment), [{"student_id": i, "year_id": year_id, "class_id": class_id,
                                                    "status": "active"} for i in ids])
            tx.audit("bench.floor", "school_year", year_id, {"rows": len(ids)})
        return time.perf_counter() - t0


def _check(store: Store, plan, expected: dict[str, tuple[str, str]]) -> list[str]:  # noqa: ANN001
    problems: list[str] = []
    got: dict[str, tuple[str, str]] = {}
    for kind in ("promoted", "repeating", "graduated", "not_carried", "waiting"):
        for r in getattr(plan, kind):
            got[r.personal_id] = (kind, r.to_class)
    if got != expected:
        wrong = [p for p in expected if got.get(p) != expected[p]][:5]
        problems.append(f"kế hoạch khác mong đợi ở {len(wrong)}+ học sinh, ví dụ "
                        + ", ".join(f"{p}: {got.get(p)} ≠ {expected[p]}" for p in wrong))
    with store.read() as s:
        held = dict(s.execute(select(Student.personal_id, SchoolClass.name)
                              .join(Enrolment, Enrolment.student_id == Student.id)
                              .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
                              .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
                              .where(SchoolYear.name == NEXT)).all())
    want = {p: c for p, (k, c) in expected.items() if k in ("promoted", "repeating")}
    if held != want:
        problems.append(f"năm học mới có {len(held)} học sinh, cần {len(want)} (đúng lớp)")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=2000)
    n = ap.parse_args().students
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        db, expected = _setup(folder, n)
        carried = sum(1 for k, _c in expected.values() if k in ("promoted", "repeating"))
        floor = _floor(db, folder, carried)
        with Store.open(db) as store:
            t0 = time.perf_counter()
            plan = open_year(store, "system", NEXT, YEAR, copy_assignments=True, confirm_incomplete=True)
            elapsed = time.perf_counter() - t0
            t1 = time.perf_counter()
            again = open_year(store, "system", NEXT, YEAR, copy_assignments=True, confirm_incomplete=True)
            t_again = time.perf_counter() - t1
            problems = _check(store, plan, expected)
            if again.changes:
                problems.append("chạy lại vẫn còn thay đổi")
    print(f"{n} học sinh, {carried} kết chuyển: mở năm học {elapsed:.2f} s (sàn: chèn thẳng {carried} dòng "
          f"trong một giao dịch {floor:.2f} s; chạy lại {t_again:.2f} s)")
    print(f"  lên lớp {len(plan.promoted)}, ở lại {len(plan.repeating)}, hoàn thành tiểu học {len(plan.graduated)}, "
          f"không kết chuyển {len(plan.not_carried)}, chờ {len(plan.waiting)}; {len(plan.classes_made)} lớp mới; "
          f"{len(plan.assignments_copied)} phân công sao chép")
    report = Report("bench_rollover")
    wrong = [p for p in problems if p != "chạy lại vẫn còn thay đổi"]
    report.check(not wrong, "; ".join(wrong) or f"every one of {n} pupils where the results say "
                                                 f"({carried} in their new classes)")
    report.check(not again.changes, "second run changes nothing" if not again.changes else "second run still has changes")
    report.figure(f"open the next year ({carried} pupils carried)", measured=elapsed, floor=floor,
                  target=f"< {TARGET_S:.0f} s", met=elapsed < TARGET_S)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
