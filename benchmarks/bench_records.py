"""Time to build + validate 1,000 record XMLs and to render 1,000 paper copies.

Targets (issue 5): XML under 10 s, PDF under 60 s on the development machine.
Run:  .venv/bin/python benchmarks/bench_records.py [--count N] [--out DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hocbaso_desktop.exchange.paper_copy import render_paper_copy  # noqa: E402
from hocbaso_desktop.exchange.record_xml import build_record_xml, validate_record_xml  # noqa: E402
from tests.exchange.records import make_record  # noqa: E402

XML_TARGET_S = 10.0
PDF_TARGET_S = 60.0


def records(count: int) -> list:
    """A school's worth of distinct students: grades 1-5 in turn, each with its own lookup code."""
    out = []
    for i in range(count):
        base = make_record(1 + i % 5)
        student = dataclasses.replace(base.student, full_name=f"{base.student.full_name} {i:04d}",
                                      personal_id=f"{int(base.student.personal_id) + i:012d}")
        out.append(dataclasses.replace(base, student=student, lookup_code=uuid.UUID(int=0xA5A5 << 64 | i),
                                       class_name=f"{1 + i % 5}{'ABCD'[i // 5 % 4]}"))
    return out


def _page_count(pdf: Path) -> str:
    if shutil.which("pdfinfo") is None:
        return "? "
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=None, help="keep the PDF here (default: a temporary folder)")
    args = ap.parse_args()
    recs = records(args.count)
    from reportlab.lib import rl_accel

    accel = "C accelerator (rl-accel)" if "_py_" not in getattr(rl_accel.fp_str, "__name__", "_py_") else "pure Python"
    print(f"reportlab text/number formatting: {accel}")

    t0 = time.perf_counter()
    total = 0
    for r in recs:
        xml = build_record_xml(r)  # validates against the XSD before returning
        total += len(xml)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    for r in recs[:100]:
        assert validate_record_xml(build_record_xml(r)) == []
    t_revalidate = (time.perf_counter() - t0) / min(100, len(recs))
    print(f"XML: {len(recs)} records built + validated in {t_build:.2f} s "
          f"({t_build / len(recs) * 1000:.2f} ms each, {total / len(recs) / 1024:.1f} KB avg); "
          f"target < {XML_TARGET_S:.0f} s → {'OK' if t_build < XML_TARGET_S else 'TOO SLOW'}")
    print(f"     build + independent re-validation from bytes: {t_revalidate * 1000:.2f} ms per record")

    with tempfile.TemporaryDirectory() as tmp:
        out = (args.out or Path(tmp)) / "bench-paper-copies.pdf"
        t0 = time.perf_counter()
        render_paper_copy(recs, out)
        t_pdf = time.perf_counter() - t0
        size = out.stat().st_size
        n_pages = _page_count(out)
    print(f"PDF: {len(recs)} paper copies ({n_pages} pages, {size / 1e6:.1f} MB) in {t_pdf:.2f} s "
          f"({t_pdf / len(recs) * 1000:.1f} ms each); target < {PDF_TARGET_S:.0f} s → "
          f"{'OK' if t_pdf < PDF_TARGET_S else 'TOO SLOW'}")
    return 0 if t_build < XML_TARGET_S and t_pdf < PDF_TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
