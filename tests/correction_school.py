"""A demo school whose class 1A is issued on the shared SoftHSM2 token (GVCN → principal → seal), built
once per test module; each test gets its own copy of the file. Shared by the service, CLI and GUI
tests of the correction workflow."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from hocbaso_desktop.services import directory
from hocbaso_desktop.services import signing_service as ss
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.signing import CancelToken, ScriptedPinPrompt
from hocbaso_desktop.storage.engine import Store
from tests.school_token import PIN, SchoolToken

CLASS = "1A"
YEAR = "2025-2026"


def sign(store: Store, token: SchoolToken, code: str, cls: str = CLASS, *, seal: bool = False) -> ss.SigningRun | None:
    token.activate()
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [directory.find_class(store, cls).id], seal=seal)
    if not plan.items:
        return None
    choice = ss.choose_certificate(token.provider, token.info.label, plan.role, actor.name, ss.school_name(store))
    run = ss.SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN), CancelToken())
    list(run)
    return run


def issue_class(store: Store, token: SchoolToken, cls: str = CLASS) -> None:
    homeroom = directory.find_class(store, cls).homeroom_code
    sign(store, token, homeroom, cls)
    sign(store, token, "HT", cls)
    sign(store, token, "VP01", cls, seal=True)


def build_issued_school(demo_template: Path, token: SchoolToken, folder: Path) -> Path:
    """1A issued; the year's lock date moved to two months from today, so the correction cut-off
    (a week before it) lies ahead whatever day the tests run."""
    db = folder / "issued.sqlite3"
    shutil.copyfile(demo_template, db)
    con = sqlite3.connect(db)
    con.execute("UPDATE school_year SET lock_date = ?", ((date.today() + timedelta(days=60)).isoformat(),))
    con.commit()
    con.close()
    with Store.open(db) as store:
        token.attach(store)
        issue_class(store, token)
    return db


def copy_school(template: Path, dst_dir: Path) -> Path:
    dst = dst_dir / "school.sqlite3"
    shutil.copyfile(template, dst)
    anchor = Path(str(template) + ".audit-head")
    if anchor.exists():
        shutil.copyfile(anchor, Path(str(dst) + ".audit-head"))
    return dst


def first_student(store: Store, cls: str = CLASS):  # noqa: ANN201 - StudentRow
    return directory.students(store, cls)[0]
