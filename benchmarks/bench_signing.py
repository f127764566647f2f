"""The XAdES work alone: what one record's signature costs in Python, apart from the token.

Takes the records the demo school's GVCNs would sign (the content XML the product builds for the
signing plan, ~300 records), signs them in one batch (one login) with the school's SoftHSM2 demo
token in a temporary folder, three times over (GVCN, principal, seal: each signature covers the
earlier ones, so the document grows), without storing anything: parse, check the earlier
signatures still cover the content, canonicalise, hash, build XAdES, serialise.

Floor: the token's own signature (inside C_Sign), measured in the same run. Target: the XAdES
work per signature ≤ 1 × floor. Checks: every record signed three times and each result verifies.

    .venv/bin/python benchmarks/bench_signing.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import Report  # noqa: E402
from _signing_bench import School, classes_by_size  # noqa: E402

from hocbaso_desktop.services import directory  # noqa: E402
from hocbaso_desktop.services.signing_plan import plan_signing  # noqa: E402
from hocbaso_desktop.services.signing_service import choose_certificate, school_name  # noqa: E402
from hocbaso_desktop.services.signing_setup import trust_store_for  # noqa: E402
from hocbaso_desktop.signing import ScriptedPinPrompt, SignJob, sign_batch, verify_record  # noqa: E402
from hocbaso_desktop.signing.modules import find_softhsm_module  # noqa: E402

PIN = "112233"


def main() -> int:
    report = Report("bench_signing")
    if find_softhsm_module() is None:
        report.check(False, "SoftHSM2 is not installed (apt install softhsm2): nothing was signed")
        return report.finish()
    with tempfile.TemporaryDirectory() as tmp:
        school = School(Path(tmp))
        try:
            xmls: list[bytes] = []
            for c in classes_by_size(school.store):
                plan = plan_signing(school.store, directory.actor(school.store, c.homeroom_code), [c.id], "gvcn")
                xmls += [item.xml for item in plan.items]
            ht = directory.actor(school.store, "HT")
            choice = choose_certificate(school.provider, school.token.label, "principal", ht.name, school_name(school.store))
            keys: list[object] = []
            wall = 0.0
            for role in ("gvcn", "principal", "seal"):
                jobs = [SignJob(str(i), f"HS {i}", x) for i, x in enumerate(xmls)]
                started = time.perf_counter()
                out = [p.outcome for p in sign_batch(school.provider, choice.signer, jobs, role,
                                                     ScriptedPinPrompt(lambda: PIN), on_ready=lambda s, c, k: keys.append(k))]
                wall += time.perf_counter() - started
                signed = [o.signed_xml for o in out if o is not None and o.signed_xml]
                report.check(len(signed) == len(jobs) > 0, f"{role}: {len(signed)} of {len(jobs)} records signed")
                xmls = signed
            trust = trust_store_for(school.store)
            verified = sum(1 for x in xmls if verify_record(x, trust).ok and x.count(b"<ds:SignatureValue") == 3)
            report.check(verified == len(xmls), f"{verified} of {len(xmls)} records carry 3 signatures that verify")
        finally:
            school.close()
    inside = sum(float(getattr(k, "inside_token_seconds", 0.0)) for k in keys)
    calls = sum(int(getattr(k, "sign_count", 0)) for k in keys)
    waited = sum(float(getattr(k, "token_seconds", 0.0)) for k in keys)
    floor = inside / max(calls, 1)
    own = (wall - inside) / max(calls, 1)
    print(f"  {calls} signatures of {sum(len(x) for x in xmls) / max(len(xmls), 1) / 1024:.1f} KB records (3 signatures each),"
          f" 3 logins; token lane hand-off {1000 * (waited - inside) / max(calls, 1):.2f} ms/signature")
    report.figure("XAdES work per signature (nothing stored)", measured=own, floor=floor,
                  target="≤ 1 × token signature", met=own <= floor, unit="ms")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
