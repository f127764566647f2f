"""What every benchmark prints and how it ends: measured / floor / target side by side, and an exit status.

A benchmark times some work, measures in the same run the floor that work cannot beat on this machine
(a bare durable commit, the token's own signature, openpyxl alone reading the file, writing + fsync +
reading back the same bytes…), and states its target. It also checks that the work it timed succeeded
(cells saved, records verified, commits acknowledged): a fast run that did nothing must not pass.

    report = Report("bench_grid")
    report.check(saved == 450, f"paste saved {saved} of 450 cells")
    report.figure("keystroke → commit", measured=0.004, floor=0.0006, target="≤ 10 × floor",
                  met=0.004 <= 10 * 0.0006, unit="ms")
    sys.exit(report.finish())

Exit status: 0 every check passed and every target met; 1 a check failed (the work did not succeed);
2 the work succeeded but a target was missed. With HOCBASO_BENCH_OUT set, each figure and check is also
appended to that file as one JSON line, which benchmarks/run_all.py gathers into the summary and the
README's Figures table.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field

_SCALE = {"s": 1.0, "ms": 1000.0, "µs": 1_000_000.0}


@dataclass
class Figure:
    bench: str
    what: str
    measured: str
    floor: str
    target: str
    met: bool


@dataclass
class Report:
    bench: str
    figures: list[Figure] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> bool:
        """Record that the timed work succeeded (or not); `what` says what was checked, with its numbers."""
        line = f"  check {'ok    ' if ok else 'FAILED'} {what}"
        print(line, flush=True)
        if not ok:
            self.failures.append(what)
        self._emit({"kind": "check", "bench": self.bench, "what": what, "ok": ok})
        return ok

    def figure(self, what: str, *, measured: float | str, floor: float | str | None, target: str, met: bool,
               unit: str = "s") -> None:
        """One line: what, measured, floor (None: no floor applies), target, met or MISSED.

        Floats are seconds, shown in `unit` (s, ms or µs); strings are shown as given (rates, sizes).
        """
        m, f = _show(measured, unit), ("—" if floor is None else _show(floor, unit))
        fig = Figure(self.bench, what, m, f, target, met)
        self.figures.append(fig)
        print(f"  {what}: measured {m} | floor {f} | target {target} → {'met' if met else 'MISSED'}", flush=True)
        self._emit({"kind": "figure", **asdict(fig)})

    def finish(self) -> int:
        missed = [f.what for f in self.figures if not f.met]
        if self.failures:
            print(f"{self.bench}: WORK FAILED ({'; '.join(self.failures)})", flush=True)
            return 1
        if missed:
            print(f"{self.bench}: target missed ({'; '.join(missed)})", flush=True)
            return 2
        print(f"{self.bench}: ok ({len(self.figures)} figures, every target met)", flush=True)
        return 0

    def _emit(self, row: dict[str, object]) -> None:
        path = os.environ.get("HOCBASO_BENCH_OUT")
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _show(value: float | str, unit: str) -> str:
    if isinstance(value, str):
        return value
    v = value * _SCALE[unit]
    digits = 0 if v >= 100 else 1 if v >= 10 else 2
    return f"{v:.{digits}f} {unit}"


def exit_with(report: Report) -> None:
    """finish() then leave; flushes first, since some benchmarks end with os._exit (PySide6's finaliser)."""
    code = report.finish()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
