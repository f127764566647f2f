"""Sign and seal the demo school's largest class (GVCN → principal → seal on its SoftHSM2 demo token),
as the sign dialog does, and show what the seal step costs with the paper copies (rendered from the
signed XML in worker processes while the token signs on, services/issue_copies.py) and without them:
until the last record is issued, and until its copies are stored.

Floor: the token's own signature (inside C_Sign), measured in the same run. Target: software cost
per signature ≤ 1 × floor (issue 19). Checks: every pupil of the class signed at each step, the
database holds exactly those signatures, every record issued with its stored paper copy (unless
--without) and verifies under the issued-record policy.

    .venv/bin/python benchmarks/bench_seal_class.py            # with the stored paper copy
    .venv/bin/python benchmarks/bench_seal_class.py --without  # as before issue 15 (no paper copy)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import Report  # noqa: E402
from _signing_bench import School, classes_by_size  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from hocbaso_desktop.services import signing_service  # noqa: E402
from hocbaso_desktop.signing.modules import find_softhsm_module  # noqa: E402
from hocbaso_desktop.storage.models import RecordPaperCopy  # noqa: E402


def main() -> int:
    without = "--without" in sys.argv
    report = Report("bench_seal_class" + (" --without" if without else ""))
    if find_softhsm_module() is None:
        report.check(False, "SoftHSM2 is not installed (apt install softhsm2): nothing was signed")
        return report.finish()
    with tempfile.TemporaryDirectory() as tmp:
        school = School(Path(tmp))
        if without:
            signing_service.IssueCopies = lambda *_a, **_k: None  # type: ignore[assignment] - no copies made
        try:
            cls = classes_by_size(school.store)[0]
            steps = [school.sign(code, [cls.id], role)
                     for code, role in ((cls.homeroom_code, "gvcn"), ("HT", "principal"), ("HT", "seal"))]
            for step in steps:
                report.check(step.signatures == step.planned > 0 and not step.failed,
                             f"{step.role}: {step.signatures} of {step.planned} planned records signed"
                             + (f" (refused: {'; '.join(step.failed[:2])})" if step.failed else ""))
            rows, audited, issued = school.counts()
            signed = sum(s.signatures for s in steps)
            report.check(rows == audited == signed, f"{signed} signatures signed, {rows} rows, {audited} record.sign entries")
            with school.store.read() as s:
                copies = s.execute(select(func.count()).select_from(RecordPaperCopy)).scalar() or 0
            report.check(issued == steps[-1].signatures and copies == (0 if without else issued),
                         f"class {cls.name}: {issued} records issued, {copies} paper copies stored")
            verified, total, bad = school.verify_issued()
            report.check(verified == total == issued, f"{verified} of {total} issued records verify" + (f": {bad}" if bad else ""))
        finally:
            school.close()
    floor = sum(s.inside_token for s in steps) / max(sum(s.token_calls for s in steps), 1)
    for step in steps:
        print(f"  {step.role:9s}: {step.signatures} records in {step.wall:.2f} s (plan {step.plan:.2f} s, inside the token "
              f"{step.inside_token:.2f} s" + (f"; {step.copies} paper copies rendered in worker processes during the loop,"
                                              f" then waited for {step.paper_copy:.2f} s" if step.copies else "") + ")")
        if step.copies:  # the issue no longer waits on reportlab: the loop, then the wait for the last copies
            own = step.software(paper_copy=False)
            report.figure(f"{step.role}: software cost per signature, until the last record issued (copies rendering aside)",
                          measured=own, floor=floor, target="≤ 1 × token signature", met=own <= floor, unit="ms")
        own = step.software()
        report.figure(f"{step.role}: software cost per signature" + (", until its paper copies are stored" if step.copies else ""),
                      measured=own, floor=floor, target="≤ 1 × token signature", met=own <= floor, unit="ms")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
