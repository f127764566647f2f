"""Run every benchmark (or the ones named), each in its own process, and sum them up in one line.

    .venv/bin/python benchmarks/run_all.py [NAMES…] [--readme]

NAMES: `grid`, `bench_grid` or `bench_grid.py`; none: every benchmarks/bench_*.py. A benchmark that
fails does not stop the others (no `set -e`): each runs to its end, its output shown as it comes,
and its figures and checks are gathered from the JSON lines benchmarks/_report.py appends to the
file named by HOCBASO_BENCH_OUT. Then the figures side by side (measured | floor | target) and ONE
summary line. Exit status: 1 when the work of some benchmark failed (a failed check, a crash, or
a benchmark that reported nothing), else 2 when some target was missed, else 0.

`--readme` rewrites the README's "## Figures" table (between the figures markers) from this run,
with the machine (cores, CPU model) and the date. Only a run of every benchmark may do that.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
START, END = "<!-- figures:start (benchmarks/run_all.py --readme) -->", "<!-- figures:end -->"
OK, WORK_FAILED, TARGET_MISSED = 0, 1, 2


@dataclass
class Outcome:
    name: str
    code: int  # the benchmark's exit status
    seconds: float
    figures: list[dict[str, object]] = field(default_factory=list)
    checks: list[dict[str, object]] = field(default_factory=list)
    problem: str = ""  # why the run counts as failed beyond its own checks

    @property
    def failed(self) -> bool:
        return bool(self.problem) or self.code not in (OK, TARGET_MISSED) or any(not c["ok"] for c in self.checks)

    @property
    def missed(self) -> int:
        return sum(1 for f in self.figures if not f["met"])


def find(folder: Path, names: list[str]) -> list[Path]:
    every = sorted(folder.glob("bench_*.py"))
    if not names:
        return every
    chosen = []
    for n in names:
        stem = Path(n).name.removesuffix(".py")
        stem = stem if stem.startswith("bench_") else f"bench_{stem}"
        path = folder / f"{stem}.py"
        if not path.is_file():
            known = ", ".join(p.stem.removeprefix("bench_") for p in every)
            raise SystemExit(f"Không có phép đo «{n}» trong {folder} (có: {known})")
        chosen.append(path)
    return chosen


def read_rows(path: Path) -> list[dict[str, object]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return rows
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            continue  # a line cut by a crash: the run is judged by its exit status and what else it wrote
        if isinstance(row, dict) and row.get("kind") in ("figure", "check"):
            rows.append(row)
    return rows


def run_one(bench: Path, python: str, out_dir: Path) -> Outcome:
    out = out_dir / f"{bench.stem}.jsonl"
    env = dict(os.environ, HOCBASO_BENCH_OUT=str(out), QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    print(f"== {bench.stem}", flush=True)
    t0 = time.perf_counter()
    try:
        code = subprocess.run([python, str(bench)], env=env, cwd=bench.parent.parent).returncode
    except OSError as e:
        return Outcome(bench.stem, 127, 0.0, problem=f"không chạy được ({e.strerror or e})")
    result = Outcome(bench.stem, code, time.perf_counter() - t0)
    for row in read_rows(out):
        (result.figures if row["kind"] == "figure" else result.checks).append(row)
    if code not in (OK, WORK_FAILED, TARGET_MISSED):
        result.problem = f"kết thúc bất thường (mã {code})"
    elif code == WORK_FAILED and not any(not c["ok"] for c in result.checks):
        result.problem = "thoát với mã 1 (lỗi) không qua kiểm tra nào"
    elif not result.figures and not result.failed:
        result.problem = "không báo số đo nào (chưa dùng benchmarks/_report.py?)"
    return result


def table(outcomes: list[Outcome]) -> list[str]:
    lines = ["| benchmark | what | measured | floor | target | |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        for f in o.figures:
            lines.append(f"| {o.name.removeprefix('bench_')} | {f['what']} | {f['measured']} | {f['floor']} | "
                         f"{f['target']} | {'met' if f['met'] else 'MISSED'} |")
        if o.failed:
            failed = [str(c["what"]) for c in o.checks if not c["ok"]] or [o.problem or f"exit {o.code}"]
            lines.append(f"| {o.name.removeprefix('bench_')} | WORK FAILED: {'; '.join(failed)[:200]} | | | | |")
    return lines


def summary(outcomes: list[Outcome]) -> tuple[str, int]:
    failed = [o.name for o in outcomes if o.failed]
    figures = sum(len(o.figures) for o in outcomes)
    missed = sum(o.missed for o in outcomes)
    line = (f"benchmarks: {len(outcomes)} run, {len(failed)} work failed"
            f"{' (' + ', '.join(failed) + ')' if failed else ''}, "
            f"targets: {figures - missed} met, {missed} missed")
    return line, WORK_FAILED if failed else TARGET_MISSED if missed else OK


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                model = " ".join(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    return f"{os.cpu_count() or '?'} cores{', ' + model if model else ''}"


def readme_block(outcomes: list[Outcome], today: date) -> str:
    line, _code = summary(outcomes)
    body = "\n".join(table(outcomes))
    return (f"{START}\nMeasured on {machine()}, {today.isoformat()}, by `./dev bench --readme`; the floor is "
            f"measured in the same run.\n\n{body}\n\n{line}\n{END}")


def rewrite_readme(text: str, block: str) -> str:
    """The block between the markers replaced; without markers, the section under "## Figures" up to
    the next heading (its old, hand-written table) becomes the block."""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        return head + block + rest.split(END, 1)[1]
    m = re.search(r"^## Figures[^\n]*\n", text, flags=re.M)
    if m is None:
        return text.rstrip("\n") + "\n\n## Figures (`./dev bench`)\n\n" + block + "\n"
    nxt = re.search(r"^## ", text[m.end():], flags=re.M)
    end = m.end() + nxt.start() if nxt else len(text)
    return text[:m.end()] + "\n" + block + "\n\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Chạy các phép đo trong benchmarks/ và tóm tắt.")
    ap.add_argument("names", nargs="*", help="tên phép đo (grid, bench_grid…); bỏ trống: tất cả")
    ap.add_argument("--readme", action="store_true", help="ghi lại bảng Figures trong README.md từ lần chạy này")
    ap.add_argument("--dir", type=Path, default=HERE, help=argparse.SUPPRESS)  # tests: a folder of fake benchmarks
    ap.add_argument("--readme-file", type=Path, default=README, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.readme and a.names:
        raise SystemExit("--readme cần chạy tất cả các phép đo (không kèm tên)")
    benches = find(a.dir, a.names)
    with tempfile.TemporaryDirectory(prefix="hocbaso-bench-") as d:
        outcomes = [run_one(b, sys.executable, Path(d)) for b in benches]
    print()
    for line in table(outcomes):
        print(line)
    line, code = summary(outcomes)
    if a.readme:
        a.readme_file.write_text(rewrite_readme(a.readme_file.read_text(encoding="utf-8"),
                                                readme_block(outcomes, date.today())), encoding="utf-8")
        print(f"README: bảng Figures ghi lại ({a.readme_file})")
    print(line, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
