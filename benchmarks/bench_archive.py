"""Archive export of the demo school: time and MB/s, next to a plain copy (shutil.copytree) of the same
files to the same target. Run: .venv/bin/python benchmarks/bench_archive.py

The demo school (10 classes, ~310 students) is created, every active non-CHT student's record is
issued through the real signing service on a SoftHSM2 demo token (GVCN → principal → seal), the year
is locked, then exported with --seal. Signing is setup, not measured.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hocbaso_desktop.exchange.archive.verify import verify_archive  # noqa: E402
from hocbaso_desktop.services import directory  # noqa: E402
from hocbaso_desktop.services.archive_service import ArchiveExport, SealWith  # noqa: E402
from hocbaso_desktop.services.demo import create_demo_school  # noqa: E402
from hocbaso_desktop.services.year_lock import lock_year  # noqa: E402
from hocbaso_desktop.signing import ScriptedPinPrompt, TrustStore  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402


def main() -> None:
    from tests.archive.school import _sign
    from tests.school_token import PIN, school_token

    base = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    template = base / "template.sqlite3"
    with Store.open(template) as st:
        create_demo_school(st, seed=2025)
    token = school_token(template)
    if token is None:
        sys.exit("SoftHSM2 is not installed")
    db = base / "school.sqlite3"
    shutil.copyfile(template, db)
    with Store.open(db) as store:
        token.attach(store)
        classes = [c.name for c in directory.classes(store)]
        t = time.perf_counter()
        for c in classes:
            _sign(store, token, directory.find_class(store, c).homeroom_code, [c])
        _sign(store, token, "HT", classes)
        _sign(store, token, "VP01", classes, seal=True)
        print(f"setup: signed the demo school in {time.perf_counter() - t:.1f} s")
        st = lock_year(store, "2025-2026", "HT")
        print(f"locked: {st.issued} issued, {st.deferred} waiting for a supplementary evaluation")
        target = base / "usb"
        target.mkdir()
        stages: dict[str, float] = {}
        run = ArchiveExport(store, "2025-2026", target, "VP01",
                            seal=SealWith(token.provider, ScriptedPinPrompt(lambda: PIN), token.info.label))
        t0 = last = time.perf_counter()
        stage = ""
        for p in run:
            now = time.perf_counter()
            stages[stage] = stages.get(stage, 0.0) + now - last
            stage, last = p.stage, now
        total = time.perf_counter() - t0
    r = run.result
    assert r is not None
    mb = r.octets / 1e6
    print(f"export: {r.files} files, {mb:.1f} MB in {total:.2f} s = {mb / total:.1f} MB/s (everything: snapshot, "
          f"{r.facts.paper_copies} paper copies, summaries, seal, write + fsync, read-back)")
    for name, secs in stages.items():
        if name:
            print(f"  {name:<14} {secs:6.2f} s")
    write = stages.get("ghi", 0.0) + stages.get("đọc lại", 0.0)
    t = time.perf_counter()
    shutil.copytree(r.path, target / "plain-copy")
    plain = time.perf_counter() - t
    print(f"plain copy (shutil.copytree, no fsync) of the same files to the same target: {plain:.2f} s = {mb / plain:.1f} MB/s")
    print(f"our write + fsync + read-back alone: {write:.2f} s = {mb / max(write, 1e-9):.1f} MB/s")
    t = time.perf_counter()
    report = verify_archive(r.path, TrustStore.from_dirs(token.trust_dir))
    print(f"verify: {'OK' if report.ok else 'FAILED'} in {time.perf_counter() - t:.2f} s ({report.records_total} records)")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
