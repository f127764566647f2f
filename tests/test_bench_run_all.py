"""benchmarks/run_all.py on a folder of fake benchmarks (no real benchmark runs in the suite): each
runs to its end whatever the others did, the JSON lines are gathered, one summary line, the exit
status says work failed (1) before target missed (2), and --readme rewrites only the Figures block."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import run_all  # noqa: E402

HEAD = f"import sys\nsys.path.insert(0, {str(ROOT / 'benchmarks')!r})\nfrom _report import Report\n"
MET = HEAD + """r = Report("bench_a")
r.check(True, "450 of 450 cells saved")
r.figure("paste", measured=0.0001, floor=0.00005, target="≤ 2 × floor", met=True, unit="ms")
sys.exit(r.finish())
"""
MISSED = HEAD + """r = Report("bench_b")
r.check(True, "1000 packages acknowledged")
r.figure("upload", measured="250 packages/s", floor="600 packages/s", target="≥ 300 packages/s", met=False)
sys.exit(r.finish())
"""
FAILED = HEAD + """r = Report("bench_c")
r.check(False, "verify: 3 records refused")
r.figure("archive", measured=1.0, floor=0.5, target="≤ 2 × floor", met=True)
sys.exit(r.finish())
"""
CRASH = "raise RuntimeError('boom')\n"
SILENT = "print('done')\n"  # exits 0 and reports nothing: not a pass


def _folder(tmp_path: Path, **benches: str) -> Path:
    for name, code in benches.items():
        (tmp_path / f"bench_{name}.py").write_text(code, encoding="utf-8")
    return tmp_path


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--dir", str(folder), *args],
                          capture_output=True, text=True, timeout=120)


def test_every_benchmark_runs_and_one_summary_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, a=MET, b=MISSED, c=FAILED, d=CRASH, e=SILENT)
    p = _run(folder)
    assert p.returncode == 1, p.stdout + p.stderr
    for name in "abcde":
        assert f"== bench_{name}" in p.stdout  # none skipped after a failure
    last = p.stdout.strip().splitlines()[-1]
    assert last == "benchmarks: 5 run, 3 work failed (bench_c, bench_d, bench_e), targets: 2 met, 1 missed"
    assert "| a | paste | 0.10 ms | 0.05 ms | ≤ 2 × floor | met |" in p.stdout
    assert "| b | upload | 250 packages/s | 600 packages/s | ≥ 300 packages/s | MISSED |" in p.stdout
    assert "WORK FAILED: verify: 3 records refused" in p.stdout
    assert "không báo số đo nào" in p.stdout


def test_only_missed_targets_exit_2_and_all_met_exit_0(tmp_path: Path) -> None:
    folder = _folder(tmp_path, a=MET, b=MISSED)
    assert _run(folder).returncode == 2
    assert _run(folder, "a").returncode == 0
    p = _run(folder, "bench_a.py")
    assert p.returncode == 0 and "== bench_b" not in p.stdout
    assert p.stdout.strip().splitlines()[-1] == "benchmarks: 1 run, 0 work failed, targets: 1 met, 0 missed"


def test_unknown_name_is_refused_before_running_anything(tmp_path: Path) -> None:
    p = _run(_folder(tmp_path, a=MET), "nosuch")
    assert p.returncode != 0 and "Không có phép đo «nosuch»" in p.stderr and "== bench_a" not in p.stdout


def test_readme_block_replaces_the_old_table_then_itself(tmp_path: Path) -> None:
    outcomes = [run_all.Outcome("bench_a", 0, 1.0, figures=[{"what": "paste", "measured": "1 ms", "floor": "0.5 ms",
                                                            "target": "≤ 2 × floor", "met": True}])]
    block = run_all.readme_block(outcomes, date(2026, 12, 4))
    assert "2026-12-04" in block and "cores" in block and "| a | paste | 1 ms | 0.5 ms |" in block
    text = "# x\n\n## Figures (old)\n\n| what | measured |\n|---|---|\n| grid | 3× better |\n\n## Reliability\n\nkept\n"
    once = run_all.rewrite_readme(text, block)
    assert "3× better" not in once and once.endswith("## Reliability\n\nkept\n") and once.count(run_all.START) == 1
    twice = run_all.rewrite_readme(once, block.replace("1 ms", "2 ms"))
    assert twice.count(run_all.START) == 1 and "| 2 ms |" in twice and "| 1 ms |" not in twice
    assert twice.endswith("## Reliability\n\nkept\n")


def test_readme_needs_every_benchmark(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        run_all.main(["--dir", str(_folder(tmp_path, a=MET)), "--readme", "a"])
