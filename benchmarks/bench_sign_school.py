"""Sign the whole demo school (~310 records) as GVCN → principal → seal, and print the software's own
cost per signature apart from the token's signature time (measured with SoftHSM2).

What is counted as "software": planning (completeness, order, rebuilding and comparing the content),
XAdES signing work in Python (canonicalise, hash, build, serialise), and storing each signature with
its record in its own transaction (plus the issue step). What is not: the time inside the token's
sign call. Target: under 10 ms per record, so that a real USB token (hundreds of ms) sets the pace.

Two figures: wall time (includes waiting for the disk: every signature is its own durable,
audited transaction — synchronous=FULL, ~8 ms on this machine's disk) and CPU time (the process's
own work; SoftHSM runs in-process, so the token's time is subtracted from both).

    .venv/bin/python benchmarks/bench_sign_school.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hocbaso_desktop.services import directory  # noqa: E402
from hocbaso_desktop.services.demo import create_demo_school  # noqa: E402
from hocbaso_desktop.services.signing_plan import plan_signing  # noqa: E402
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name  # noqa: E402
from hocbaso_desktop.services.signing_setup import create_school_demo_token  # noqa: E402
from hocbaso_desktop.signing import ScriptedPinPrompt  # noqa: E402
from hocbaso_desktop.signing.modules import find_softhsm_module  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402

PIN = "112233"
STEPS = (("GV", "gvcn"), ("HT", "principal"), ("HT", "seal"))


def main() -> int:
    if find_softhsm_module() is None:
        print("SoftHSM2 is not installed: nothing to measure.")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.sqlite3")
        try:
            create_demo_school(store, seed=2025)
            info, _pin = create_school_demo_token(store, "system", pin=PIN)
            from hocbaso_desktop.signing import Pkcs11Provider

            provider = Pkcs11Provider(info.module_path)
            classes = directory.classes(store)
            total_software = total_token = total_cpu = 0.0
            total_sigs = 0
            for who, role in STEPS:
                groups = [(c.homeroom_code, [c.id]) for c in classes] if who == "GV" else [("HT", [c.id for c in classes])]
                t_plan = t_run = t_token = t_store = cpu = 0.0
                n = 0
                for code, ids in groups:
                    actor = directory.actor(store, code)
                    c0 = time.process_time()
                    t0 = time.perf_counter()
                    plan = plan_signing(store, actor, ids, role)
                    t1 = time.perf_counter()
                    choice = choose_certificate(provider, info.label, plan.role, actor.name, school_name(store))
                    run = SigningRun(store, plan, provider, choice, ScriptedPinPrompt(lambda: PIN))
                    t2 = time.perf_counter()
                    for _p in run:
                        pass
                    t3 = time.perf_counter()
                    cpu += time.process_time() - c0
                    assert not run.failed, run.failed[:3]
                    t_plan += t1 - t0
                    t_run += t3 - t2
                    t_token += run.token_seconds
                    t_store += run.store_seconds
                    n += len(run.signed)
                software = t_plan + t_run - t_token
                print(f"{role:9s}: {n:4d} signatures, plan {t_plan:6.2f} s, batch {t_run:6.2f} s "
                      f"(token {t_token:5.2f} s, storing {t_store:5.2f} s) → software {1000 * software / max(n, 1):5.2f} ms/record wall, "
                      f"{1000 * (cpu - t_token) / max(n, 1):5.2f} ms/record CPU")
                total_cpu += cpu - t_token
                total_software += software
                total_token += t_token
                total_sigs += n
            with store.read() as s:
                from sqlalchemy import func, select

                from hocbaso_desktop.storage.models import Record

                issued = s.execute(select(func.count()).select_from(Record).where(Record.status == "issued")).scalar()
            per = 1000 * total_software / max(total_sigs, 1)
            print(f"issued {issued} records with {total_sigs} signatures; token {total_token:.2f} s in all")
            cpu_per = 1000 * total_cpu / max(total_sigs, 1)
            print(f"software's own cost: {per:.2f} ms per signature wall, {cpu_per:.2f} ms CPU "
                  f"(target < 10 ms) — {'OK' if per < 10 else 'OVER TARGET (wall)'}")
            return 0 if per < 10 else 1
        finally:
            store.close()


if __name__ == "__main__":
    sys.exit(main())
