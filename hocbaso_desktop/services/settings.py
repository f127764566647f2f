"""School and workstation settings kept in the database (`setting` table), every change audited.

Values are text; the typed accessors below say what each key means. The token's PIN is never a
setting (reliability.md): only where the PKCS#11 library is, which token to use and whom to trust.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy.orm import Session

from ..domain.errors import InvalidValue
from ..storage.engine import Store
from ..storage.models import Setting

PKCS11_MODULE = "signing.pkcs11_module"  # path of the vendor's PKCS#11 library (or SoftHSM2's)
SOFTHSM_CONF = "signing.softhsm_conf"  # SoftHSM2 configuration of the demo token (SOFTHSM2_CONF)
TOKEN_LABEL = "signing.token_label"  # which token to use when several are plugged in
TRUST_DIRS = "signing.trust_dirs"  # JSON list of folders of trusted CA certificates (real CAs, the demo CA)
GVBM_SIGNS = "school.gvbm_signs"  # "1": subject teachers sign their part before the GVCN (seed 004)
PLACE_OF_ISSUE = "school.place_of_issue"  # địa danh on the record; default: the school's province
BOARD_SIGNER = "signing.board_signer"  # staff code of the vice-principal authorised to sign (services/board_signer.py)

BACKUP_DIR = "backup.dir"  # folder of the database backups (storage/snapshot.py reads it raw, before migrations)
BACKUP_KEEP = "backup.keep"  # how many routine backups to keep (default 14)
CORRECTION_CUTOFFS = "year.correction_cutoffs"  # JSON {school year: ISO date}: last day to request a correction

KNOWN_KEYS = (PKCS11_MODULE, SOFTHSM_CONF, TOKEN_LABEL, TRUST_DIRS, GVBM_SIGNS, PLACE_OF_ISSUE, BOARD_SIGNER,
              BACKUP_DIR, BACKUP_KEEP, CORRECTION_CUTOFFS)
MAX_VALUE = 4000


@dataclass(frozen=True)
class SigningSettings:
    pkcs11_module: str | None
    softhsm_conf: str | None
    token_label: str | None
    trust_dirs: tuple[str, ...]
    gvbm_signs: bool
    place_of_issue: str | None


def read(s: Session, key: str, default: str | None = None) -> str | None:
    row = s.get(Setting, key)
    return row.value if row is not None else default


def get(store: Store, key: str, default: str | None = None) -> str | None:
    with store.read() as s:
        return read(s, key, default)


def write(tx_session: Session, audit, key: str, value: str | None) -> bool:  # noqa: ANN001 - Tx.audit
    """Set (or, with None, remove) one key inside the caller's transaction; True when it changed."""
    if key not in KNOWN_KEYS:
        raise InvalidValue("cài đặt", key, "không có cài đặt này")
    if value is not None and len(value) > MAX_VALUE:
        raise InvalidValue("cài đặt", key, f"giá trị dài quá {MAX_VALUE} ký tự")
    row = tx_session.get(Setting, key)
    old = row.value if row is not None else None
    if old == value:
        return False
    if value is None:
        tx_session.delete(row)
    elif row is None:
        tx_session.add(Setting(key=key, value=value))
    else:
        row.value = value
    audit("setting.set", "setting", key, {"old": old, "new": value})
    return True


def set_many(store: Store, actor_code: str, values: dict[str, str | None]) -> int:
    """One audited transaction for a settings screen's "Lưu"; returns how many keys changed."""
    with store.transaction(actor_code) as tx:
        return sum(write(tx.session, tx.audit, k, v) for k, v in values.items())


def set_value(store: Store, actor_code: str, key: str, value: str | None) -> bool:
    return set_many(store, actor_code, {key: value}) == 1


def encode_dirs(dirs: Iterable[str | os.PathLike[str]]) -> str:
    return json.dumps([str(d) for d in dict.fromkeys(str(d) for d in dirs)], ensure_ascii=False)


def decode_dirs(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    try:
        items = json.loads(value)
    except ValueError:
        return ()
    return tuple(str(x) for x in items if isinstance(x, str) and x)


def signing_settings_in(s: Session) -> SigningSettings:
    return SigningSettings(
        pkcs11_module=read(s, PKCS11_MODULE) or None,
        softhsm_conf=read(s, SOFTHSM_CONF) or None,
        token_label=read(s, TOKEN_LABEL) or None,
        trust_dirs=decode_dirs(read(s, TRUST_DIRS)),
        gvbm_signs=read(s, GVBM_SIGNS, "0") == "1",
        place_of_issue=read(s, PLACE_OF_ISSUE) or None,
    )


def signing_settings(store: Store) -> SigningSettings:
    with store.read() as s:
        return signing_settings_in(s)


def add_trust_dir(store: Store, actor_code: str, directory: str | os.PathLike[str]) -> bool:
    current = signing_settings(store).trust_dirs
    wanted = str(directory)
    if wanted in current:
        return False
    return set_value(store, actor_code, TRUST_DIRS, encode_dirs([*current, wanted]))
