"""Wiring the token layer to the school's settings: which PKCS#11 module, whom to trust, the demo token.

Where the demo token and the demo CA live: next to the database they belong to —
`<db folder>/<db name>-kyso/softhsm/` (SoftHSM2 configuration + token files) and
`<db folder>/<db name>-kyso/trust/` (demo CA certificates). For the default database, in the
user's data folder (platformdirs), that is `…/hocbaso/hocbaso-kyso/…`. One folder per database keeps
two schools (or a test copy) on one PC from sharing a demo CA. The folder is recorded in the settings
(trust folders), so the GUI and the CLI both find it; `hocbaso verify` without a database reads the
bundled anchors, `--trust DIR` and the default database's trust folder.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..domain import rights
from ..domain.errors import HocbasoError
from ..file_modes import private_dir
from ..signing import DemoTokenInfo, Pkcs11Provider, TrustStore, create_demo_token, default_trust_store, find_softhsm_module, softhsm
from ..storage.engine import Store, default_db_path
from ..storage.models import School, SchoolClass, Staff, StaffRole
from . import settings as settings_service

DEMO_LABEL = "HOCBASO-DEMO"
SEAL_CODE = "CONDAU"


def signing_home(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.parent / f"{p.stem}-kyso"


def default_trust_dirs() -> list[Path]:
    """Trust folders that exist without opening a database (for `hocbaso verify`)."""
    d = signing_home(default_db_path()) / "trust"
    return [d] if d.is_dir() else []


def activate_softhsm(conf: settings_service.SigningSettings) -> None:
    """SoftHSM reads SOFTHSM2_CONF when the module is initialised: point it at the school's demo
    token before the first provider call (a no-op for a vendor's module)."""
    if conf.softhsm_conf and Path(conf.softhsm_conf).is_file():
        softhsm.use_config(conf.softhsm_conf)


def module_path(conf: settings_service.SigningSettings) -> str:
    path = conf.pkcs11_module or find_softhsm_module()
    if not path:
        raise HocbasoError("Chưa chọn thư viện PKCS#11 của thiết bị ký số. Hãy chọn trong phần Cài đặt "
                           "(hoặc chạy «hocbaso demo-token» để dùng thiết bị ký số thử nghiệm).")
    return path


def provider_for(store: Store) -> Pkcs11Provider:
    conf = settings_service.signing_settings(store)
    activate_softhsm(conf)
    return Pkcs11Provider(module_path(conf))


def trust_store_for(store: Store | None, *extra_dirs: str | Path) -> TrustStore:
    dirs: list[str | Path] = []
    if store is not None:
        dirs += list(settings_service.signing_settings(store).trust_dirs)
    dirs += [d for d in extra_dirs]
    return default_trust_store(*[d for d in dirs if Path(d).is_dir()])


@dataclass(frozen=True)
class DemoPeople:
    people: list[tuple[str, str, str, str]]
    school_name: str


def demo_people(store: Store) -> DemoPeople:
    """Principal, vice-principals, every GVCN (and GVBM when they sign) of the school, and its seal."""
    gvbm = settings_service.signing_settings(store).gvbm_signs
    with store.read() as s:
        school = s.execute(select(School).order_by(School.id)).scalars().first()
        if school is None:
            raise HocbasoError("Chưa có dữ liệu trường: hãy tạo trường mẫu (hocbaso demo) hoặc nhập danh sách lớp trước.")
        homeroom_ids = set(s.execute(select(SchoolClass.homeroom_id)).scalars())
        # whoever the matrix lets sign for the board, or as GVBM when they sign
        wanted_roles = rights.RIGHTS[rights.APPROVE_AND_SIGN].roles | (rights.RIGHTS[rights.SIGN_SUBJECT].roles if gvbm else set())
        people = []
        for st in s.execute(select(Staff).where(Staff.active.is_(True)).order_by(Staff.code)).scalars():
            roles = set(s.execute(select(StaffRole.role).where(StaffRole.staff_id == st.id)).scalars())
            if roles & wanted_roles or st.id in homeroom_ids:  # every GVCN of a class
                pid = st.personal_id if len(st.personal_id) == 12 else f"{st.id:012d}"
                people.append((st.code, st.full_name, pid, "person"))
        # The seal: the school as an organisation; its demo identifier is the school's MOET code.
        people.append((SEAL_CODE, school.name, school.moet_code or "0000000000", "seal"))
        return DemoPeople(people, school.name)


def create_school_demo_token(
    store: Store, actor_code: str, *, pin: str | None = None, home: Path | None = None, label: str = DEMO_LABEL,
    provider: Pkcs11Provider | None = None,
) -> tuple[DemoTokenInfo, str]:
    """Create (or re-create) the demo token for this database's school; record it in the settings.

    Returns the token info and its user PIN (given, or 6 random digits) for the caller to print.
    """
    module = find_softhsm_module()
    if module is None:
        raise HocbasoError("Chưa cài SoftHSM2: không tạo được thiết bị ký số thử nghiệm "
                           "(Debian/Ubuntu: sudo apt install softhsm2).")
    home = private_dir(home or signing_home(store.path))  # token, CA and trust anchors: the owner's only
    who = demo_people(store)
    user_pin = pin or f"{secrets.randbelow(10**6):06d}"
    so_pin = f"{secrets.randbelow(10**8):08d}"
    info = create_demo_token(
        module, home / "softhsm" / "softhsm2.conf", home / "softhsm" / "tokens", label,
        user_pin=user_pin, so_pin=so_pin, people=who.people, ca_dir=home / "trust", school_name=who.school_name,
        provider=provider,
    )
    current = settings_service.signing_settings(store).trust_dirs
    settings_service.set_many(store, actor_code, {
        settings_service.PKCS11_MODULE: module,
        settings_service.SOFTHSM_CONF: info.conf_path,
        settings_service.TOKEN_LABEL: label,
        settings_service.TRUST_DIRS: settings_service.encode_dirs([*current, str((home / "trust").resolve())]),
    })
    return info, user_pin
