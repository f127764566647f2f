"""Seal one class of the demo school (35 pupils, GVCN → principal → seal on SoftHSM2) and print the
seal step's time with and without rendering + storing the paper copy at issue (issue 15).

    .venv/bin/python benchmarks/bench_seal_class.py            # with the stored paper copy
    .venv/bin/python benchmarks/bench_seal_class.py --without  # as before issue 15 (no paper copy)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from hocbaso_desktop.services import directory, signing_service  # noqa: E402
from hocbaso_desktop.services.demo import create_demo_school  # noqa: E402
from hocbaso_desktop.services.signing_plan import plan_signing  # noqa: E402
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name  # noqa: E402
from hocbaso_desktop.services.signing_setup import create_school_demo_token  # noqa: E402
from hocbaso_desktop.signing import Pkcs11Provider, ScriptedPinPrompt  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402
from hocbaso_desktop.storage.models import Enrolment, RecordPaperCopy  # noqa: E402

PIN = "112233"
PUPILS = 35


def main() -> int:
    without = "--without" in sys.argv
    if without:
        signing_service.store_paper_copy = lambda *_a, **_k: None  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.sqlite3")
        try:
            create_demo_school(store, seed=2025)
            info, _pin = create_school_demo_token(store, "system", pin=PIN)
            provider = Pkcs11Provider(info.module_path)
            with store.read() as s:
                sizes = dict(s.execute(select(Enrolment.class_id, func.count()).group_by(Enrolment.class_id)).all())
            cls = max(directory.classes(store), key=lambda c: sizes.get(c.id, 0))
            times = {}
            for code, role in ((cls.homeroom_code, "gvcn"), ("HT", "principal"), ("HT", "seal")):
                actor = directory.actor(store, code)
                t0 = time.perf_counter()
                plan = plan_signing(store, actor, [cls.id], role)
                choice = choose_certificate(provider, info.label, plan.role, actor.name, school_name(store))
                run = SigningRun(store, plan, provider, choice, ScriptedPinPrompt(lambda: PIN))
                for _p in run:
                    pass
                times[role] = (time.perf_counter() - t0, len(run.signed), run.store_seconds)
            with store.read() as s:
                stored = s.execute(select(func.count()).select_from(RecordPaperCopy)).scalar()
            for role, (t, n, st) in times.items():
                print(f"{role:9s}: {n} records in {t:6.2f} s (storing {st:5.2f} s)")
            print(f"class {cls.name} ({sizes.get(cls.id)} pupils), paper copies stored: {stored}"
                  f" — {'WITHOUT' if without else 'WITH'} the paper copy at issue")
            return 0
        finally:
            store.close()


if __name__ == "__main__":
    sys.exit(main())
