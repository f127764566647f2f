"""Sign the whole demo school (~300 records) as every GVCN → the principal → the seal, through the
services the sign dialog uses, with the school's SoftHSM2 demo token in a temporary folder.

Floor: the token's own signature (time inside C_Sign), measured in the same run. Target (issue 19):
the software's own cost per signature — planning, XAdES, storing each signature with its record in
its own durable, audited transaction, the issue — at most 1 × that floor, so that any real token
(hundreds of ms a signature) sets the pace. The seal step is shown until its last record is issued
(the paper copies render in worker processes meanwhile, services/issue_copies.py) and until the copies
are all stored (their rendering: bench_records).

Checks: no record refused, every planned record signed; the database holds exactly the signatures
signed (rows and record.sign audit entries), every sealed record is issued and verifies under the
issued-record policy, and the audit chain verifies.

    .venv/bin/python benchmarks/bench_sign_school.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import Report  # noqa: E402
from _signing_bench import School, StepTimes, bare_durable_commit, classes_by_size  # noqa: E402

from hocbaso_desktop.signing.modules import find_softhsm_module  # noqa: E402


def main() -> int:
    report = Report("bench_sign_school")
    if find_softhsm_module() is None:
        report.check(False, "SoftHSM2 is not installed (apt install softhsm2): nothing was signed")
        return report.finish()
    with tempfile.TemporaryDirectory() as tmp:
        school = School(Path(tmp))
        try:
            classes = classes_by_size(school.store)
            commit = bare_durable_commit(Path(tmp))
            steps: list[StepTimes] = []
            gvcn = StepTimes("gvcn")
            for c in classes:
                gvcn.add(school.sign(c.homeroom_code, [c.id], "gvcn"))
            steps.append(gvcn)
            all_ids = [c.id for c in classes]
            steps.append(school.sign("HT", all_ids, "principal"))
            steps.append(school.sign("HT", all_ids, "seal"))

            pupils = sum(c.student_count for c in classes)
            for step in steps:
                report.check(step.planned > 0 and step.signatures == step.planned and not step.failed,
                             f"{step.role}: {step.signatures} of {step.planned} planned records signed"
                             + (f" (refused: {'; '.join(step.failed[:2])})" if step.failed else ""))
            signed = sum(s.signatures for s in steps)
            rows, audited, issued = school.counts()
            report.check(rows == signed and audited == signed,
                         f"{signed} signatures signed, {rows} signature rows and {audited} record.sign audit entries stored")
            report.check(issued == steps[-1].signatures and issued >= pupils * 0.9,
                         f"{issued} records issued by {steps[-1].signatures} seal signatures ({pupils} pupils in the school)")
            report.check(steps[-1].copies == issued, f"{steps[-1].copies} paper copies stored by the seal batch for {issued} issued records")
            verified, total, bad = school.verify_issued()
            report.check(verified == total == issued, f"{verified} of {total} issued records verify (issued-record policy)"
                         + (f": {bad}" if bad else ""))
            chain = school.store.verify_audit()
            report.check(chain.ok, f"audit chain of {chain.count} entries verifies {chain.reason}".rstrip())
        finally:
            school.close()

    total = StepTimes("all")
    for step in steps:
        total.add(step)
    floor = total.per_token_call
    print(f"  {total.signatures} signatures, {total.token_calls} token signatures (the seal also signs the audit head);"
          f" one durable commit on this disk: {commit * 1000:.2f} ms (one per signature, kept)")
    for step in steps:
        n = max(step.signatures, 1)
        print(f"  {step.role:9s}: {step.signatures} signatures, wall {step.wall:.2f} s (plan {step.plan:.2f} s), inside the token "
              f"{step.inside_token:.2f} s, CPU {1000 * (step.cpu - step.inside_token) / n:.2f} ms/signature"
              + (f"; {step.copies} paper copies, waited {step.paper_copy:.2f} s for them after the last issue" if step.copies else ""))
    for step in steps:
        own = step.software(paper_copy=False)
        report.figure(f"{step.role}: software cost per signature" + (", until the last record issued" if step.copies else ""),
                      measured=own, floor=floor, target="≤ 1 × token signature", met=own <= floor, unit="ms")
    seal = steps[-1]
    report.figure("seal: software cost per signature, until its paper copies are stored", measured=seal.software(),
                  floor=floor, target="≤ 1 × token signature", met=seal.software() <= floor, unit="ms")
    own = total.software()
    report.figure("whole school: software cost per signature", measured=own, floor=floor,
                  target="≤ 1 × token signature", met=own <= floor, unit="ms")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
