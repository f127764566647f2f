"""Two schools for transfer tests (issue 10), built once per session.

Sender: the archive tests' small school (demo school trimmed, records issued GVCN → principal → seal
with the shared SoftHSM2 school token; one student has v1 replaced by v2, one record withdrawn).
Receiver: a copy of the demo school renamed as another school, with its own test CA (a software
root in its own trust folder) and the sender's CA added to its trust store — the transferred student
removed so the import creates them. `receiver_untrusting` trusts only its own CA.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from hocbaso_desktop.services import settings as settings_service
from hocbaso_desktop.storage.engine import Store
from tests.archive.school import build_small_school
from tests.school_token import PIN, SchoolToken, school_token

RECEIVER_NAME = "Trường Tiểu học Nhận Thử"


@dataclass
class TwoSchools:
    token: SchoolToken
    sender: Path  # template: copy before writing
    receiver: Path
    receiver_untrusting: Path
    own_ca_dir: Path
    student_pid: str  # the student with v1 (replaced) and v2 (issued)
    student_name: str


def copy_db(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    anchor = Path(str(src) + ".audit-head")
    if anchor.exists():
        shutil.copyfile(anchor, Path(str(dst) + ".audit-head"))
    return dst


def _own_ca(folder: Path) -> Path:
    from tests.signing.softca import soft_identity

    folder.mkdir(parents=True, exist_ok=True)
    ident = soft_identity("Trường Tiểu học Nhận Thử", tag="receiver", kind="seal")
    (folder / "receiver-root.pem").write_bytes(ident.root.public_bytes(serialization.Encoding.PEM))
    return folder


def _make_receiver(template: Path, dst: Path, pid: str, trust_dirs: list[Path]) -> Path:
    copy_db(template, dst)
    with Store.open(dst) as store:
        with store.engine.begin() as c:
            sid = c.exec_driver_sql("SELECT id FROM student WHERE personal_id = ?", (pid,)).scalar()
            if sid is not None:
                eids = [r[0] for r in c.exec_driver_sql("SELECT id FROM enrolment WHERE student_id = ?", (sid,))]
                for t in ("subject_evaluation", "quality_evaluation", "period_summary", "year_result"):
                    for e in eids:
                        c.exec_driver_sql(f"DELETE FROM {t} WHERE enrolment_id = ?", (e,))
                c.exec_driver_sql("DELETE FROM enrolment WHERE student_id = ?", (sid,))
                c.exec_driver_sql("DELETE FROM student WHERE id = ?", (sid,))
            c.exec_driver_sql("UPDATE school SET name = ?, moet_code = '79000999', province = 'Hà Nội'", (RECEIVER_NAME,))
        settings_service.set_many(store, "system", {settings_service.TRUST_DIRS: settings_service.encode_dirs(
            [str(d) for d in trust_dirs])})
    return dst


_cached: TwoSchools | None = None


def two_schools(demo_template: Path, base: Path | None = None) -> TwoSchools:
    """Built once per process (services, CLI and GUI tests share it). Without SoftHSM2 the calling
    test skips locally and fails on CI (tests/tools.py)."""
    global _cached
    token = school_token(demo_template)
    if _cached is None:
        _cached = _build(demo_template, base or Path(tempfile.mkdtemp(prefix="hocbaso-two-schools-")), token)
    token.activate()
    return _cached


def _build(demo_template: Path, base: Path, token: SchoolToken) -> TwoSchools:
    sender = build_small_school(demo_template, base / "sender.sqlite3", token)
    with Store.open(sender) as store, store.read() as s:
        pid, name = s.execute(
            __import__("sqlalchemy").text(
                "SELECT st.personal_id, st.full_name FROM record r JOIN student st ON st.id = r.student_id "
                "WHERE r.version = 2")).one()
    own = _own_ca(base / "receiver-ca")
    receiver = _make_receiver(demo_template, base / "receiver.sqlite3", pid, [own, token.trust_dir])
    untrusting = _make_receiver(demo_template, base / "receiver-untrusting.sqlite3", pid, [own])
    return TwoSchools(token, sender, receiver, untrusting, own, pid, name)


__all__ = ["PIN", "RECEIVER_NAME", "TwoSchools", "copy_db", "two_schools"]
