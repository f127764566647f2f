"""Archive export of the demo school against its medium: the export must cost at most twice writing,
fsyncing and reading back the same files (same sizes, same target folder), measured in the same run.

Setup (not timed), all through the product's services: the demo school (10 classes, ~310 pupils), its
SoftHSM2 demo token (as `hocbaso demo-token`), every record signed GVCN → principal → seal (the seal
issues it and stores its paper copy), the year locked with the school's seal. Then timed: the sealed
export (snapshot, payload, seal, write + fsync + read-back); then the floor: the same file sizes
written, fsynced and read back by plain code. Checks: the archive verifies (seal, every byte, every
record's signatures), its file and paper-copy counts match the database, and the export rendered no
paper copy (each one was stored at issue).

    .venv/bin/python benchmarks/bench_archive.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import Report  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from hocbaso_desktop.exchange.archive.layout import PAPER_DIR  # noqa: E402
from hocbaso_desktop.services import directory  # noqa: E402
from hocbaso_desktop.services.archive_reading import verify_archive_on_drive  # noqa: E402
from hocbaso_desktop.services.archive_service import ArchiveExport, SealWith  # noqa: E402
from hocbaso_desktop.services.demo import DEMO_YEAR, create_demo_school  # noqa: E402
from hocbaso_desktop.services.signing_plan import plan_signing  # noqa: E402
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name  # noqa: E402
from hocbaso_desktop.services.signing_setup import create_school_demo_token  # noqa: E402
from hocbaso_desktop.services.year_lock import lock_year  # noqa: E402
from hocbaso_desktop.signing import Pkcs11Provider, ScriptedPinPrompt, TrustStore  # noqa: E402
from hocbaso_desktop.signing.modules import find_softhsm_module  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402
from hocbaso_desktop.storage.models import Record, RecordPaperCopy  # noqa: E402

PIN = "246810"
CHUNK = 1024 * 1024


@dataclass
class SignedSchool:
    store: Store
    provider: Pkcs11Provider
    token_label: str
    trust_dir: Path
    issued: int

    def seal(self) -> SealWith:
        return SealWith(self.provider, ScriptedPinPrompt(lambda: PIN), self.token_label)


def _sign(school: SignedSchool, code: str, class_ids: list[int], seal: bool = False) -> int:
    store = school.store
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, class_ids, seal=seal)
    if not plan.items:
        return 0
    choice = choose_certificate(school.provider, school.token_label, plan.role, actor.name, school_name(store))
    run = SigningRun(store, plan, school.provider, choice, ScriptedPinPrompt(lambda: PIN))
    for _ in run:
        pass
    if run.failed:
        raise SystemExit(f"setup: signing as {code} failed: {[o.message for o in run.failed][:3]}")
    return len(plan.items)


def signed_demo_school(base: Path) -> SignedSchool:
    """The demo school with every record issued through the real signing service (GVCN → HT → seal)."""
    store = Store.open(base / "school.sqlite3")
    create_demo_school(store, seed=2025)
    provider = Pkcs11Provider(find_softhsm_module())
    info, _pin = create_school_demo_token(store, "system", pin=PIN, home=base / "token", provider=provider)
    school = SignedSchool(store, provider, info.label, base / "token" / "trust", 0)
    classes = directory.classes(store)
    for c in classes:
        _sign(school, directory.find_class(store, c.name).homeroom_code, [c.id])
    ids = [c.id for c in classes]
    _sign(school, "HT", ids)
    _sign(school, "VP01", ids, seal=True)
    with store.read() as s:
        school.issued = s.execute(select(func.count()).select_from(Record).where(Record.status == "issued")).scalar() or 0
    return school


def plain_write_fsync_readback(sizes: list[tuple[str, int]], target: Path) -> float:
    """The floor: the same file sizes (same folder tree) written, fsynced, the folders fsynced, then
    read back with the cache dropped and hashed, as exchange/archive/writer.py does."""
    blobs = {rel: os.urandom(size) for rel, size in sizes}  # prepared before the clock starts
    root = target / "floor"
    t0 = time.perf_counter()
    dirs = {root}
    root.mkdir()
    for rel, data in blobs.items():
        p = root / rel
        for parent in reversed(p.relative_to(root).parents[:-1]):
            d = root / parent
            if d not in dirs:
                d.mkdir()
                dirs.add(d)
        with open(p, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        fd = os.open(d, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    for rel, data in blobs.items():
        h = hashlib.sha256()
        with open(root / rel, "rb") as f:
            os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            while chunk := f.read(CHUNK):
                h.update(chunk)
        if h.digest() != hashlib.sha256(data).digest():
            raise SystemExit(f"floor: read-back of {rel} differs")
    return time.perf_counter() - t0


def main() -> int:
    report = Report("bench_archive")
    if find_softhsm_module() is None:
        report.check(False, "SoftHSM2 is installed (needed for the demo token)")
        return report.finish()
    base = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    try:
        t = time.perf_counter()
        school = signed_demo_school(base)
        store = school.store
        print(f"setup: demo school signed ({school.issued} records issued) in {time.perf_counter() - t:.1f} s")
        st = lock_year(store, DEMO_YEAR, "HT", school.seal())
        print(f"setup: year locked ({st.issued} issued, {st.deferred} waiting for a supplementary evaluation)")
        with store.read() as s:
            stored = s.execute(select(func.count()).select_from(RecordPaperCopy)).scalar() or 0
        report.check(stored == school.issued, f"every issued record has its paper copy stored at issue ({stored}/{school.issued})")

        target = base / "usb"
        target.mkdir()
        stages: dict[str, float] = {}
        run = ArchiveExport(store, DEMO_YEAR, target, "VP01", seal=school.seal())
        t0 = last = time.perf_counter()
        stage = ""
        for p in run:
            now = time.perf_counter()
            stages[stage] = stages.get(stage, 0.0) + now - last
            stage, last = p.stage, now
        export = time.perf_counter() - t0
        r = run.result
        assert r is not None
        for name, secs in stages.items():
            if name:
                print(f"  stage {name:<26} {secs:6.2f} s")
        with store.read() as s:
            stored_after = s.execute(select(func.count()).select_from(RecordPaperCopy)).scalar() or 0
        report.check(stored_after == stored, f"the export stored no new paper copy ({stored_after - stored} stored by it)")

        files = sorted(p for p in r.path.rglob("*") if p.is_file())
        sizes = [(p.relative_to(r.path).as_posix(), p.stat().st_size) for p in files]
        octets = sum(size for _rel, size in sizes)
        report.check(len(files) == r.files and octets == r.octets,
                     f"the archive holds the {r.files} files ({r.octets / 1e6:.1f} MB) the export reported "
                     f"(found {len(files)}, {octets / 1e6:.1f} MB)")
        pdfs = [rel for rel, _size in sizes if rel.startswith(f"{PAPER_DIR}/") and rel.endswith(".pdf")]
        report.check(r.facts.paper_copies == school.issued,
                     f"one paper copy per issued record ({r.facts.paper_copies} in the index, {school.issued} issued, "
                     f"{len(pdfs)} PDF files under data/)")
        t = time.perf_counter()
        verified = verify_archive_on_drive(r.path, TrustStore.from_dirs(school.trust_dir))
        took = time.perf_counter() - t
        if not verified.ok:
            for line in verified.lines()[-8:]:
                print("   ", line)
        report.check(verified.ok and verified.records_ok == verified.records_total == school.issued,
                     f"archive verify: {'OK' if verified.ok else 'FAILED'}, {verified.records_ok}/{verified.records_total} "
                     f"records' signatures valid, {verified.files} files checked in {took:.1f} s")

        floor = plain_write_fsync_readback(sizes, target)
        report.figure(f"archive export of the demo school ({len(files)} files, {octets / 1e6:.1f} MB)",
                      measured=export, floor=floor, target="≤ 2 × floor (write + fsync + read back the same files)",
                      met=export <= 2 * floor)
        write = stages.get("ghi", 0.0) + stages.get("đọc lại", 0.0)
        print(f"  (the export's own write + fsync + read-back: {write:.2f} s; MB/s: export {octets / 1e6 / export:.1f}, "
              f"floor {octets / 1e6 / floor:.1f})")
        store.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
