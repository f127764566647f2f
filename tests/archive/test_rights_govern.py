"""The rights matrix (domain/rights.py) is what decides, through the services: for the archive export and
the year lock, each role alone is allowed exactly when the matrix lists it, and a matrix changed in the
test changes what the service allows — no role list of the service's own stands behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocbaso_desktop.domain import rights
from hocbaso_desktop.domain.errors import PermissionDenied
from hocbaso_desktop.domain.roles import ROLE_NAMES, SYSTEM_ACTOR
from hocbaso_desktop.services.archive_service import export_archive
from hocbaso_desktop.services.audit_heads import SealRequired
from hocbaso_desktop.services.staff_admin import StaffInput, add_staff
from hocbaso_desktop.services.year_lock import lock_year, unlock_year, year_status
from hocbaso_desktop.storage.engine import Store

from .conftest import seal_with
from .school import YEAR


def _one_role_staff(store: Store) -> dict[str, str]:
    """A staff member per role holding that role alone: role → staff code."""
    codes = {}
    for i, role in enumerate(ROLE_NAMES, 1):
        code = f"R{i:02d}"
        add_staff(store, SYSTEM_ACTOR, StaffInput(full_name=f"Người thử {ROLE_NAMES[role]}", code=code, roles=(role,)))
        codes[role] = code
    return codes


def _with_roles(monkeypatch: pytest.MonkeyPatch, action: str, *roles: str) -> None:
    old = rights.RIGHTS[action]
    monkeypatch.setitem(rights.RIGHTS, action, rights.Right(action, old.name, frozenset(roles)))


def _try_export(store: Store, out: Path, code: str) -> bool:
    out.mkdir()
    try:
        r = export_archive(store, YEAR, out, code, partial=True)
    except PermissionDenied as e:
        assert e.message.startswith(f"Không có quyền {rights.RIGHTS[rights.EXPORT_ARCHIVE].name} {YEAR}")
        assert list(out.iterdir()) == []  # refused before anything is written
        return False
    assert r.interim and r.path.is_dir()
    return True


def test_archive_export_follows_the_matrix(school_store: Store, tmp_path: Path) -> None:
    codes = _one_role_staff(school_store)
    allowed = {role for role in ROLE_NAMES if _try_export(school_store, tmp_path / role, codes[role])}
    assert allowed == set(rights.RIGHTS[rights.EXPORT_ARCHIVE].roles)
    with pytest.raises(PermissionDenied, match="một cán bộ cụ thể"):  # an archive names a person
        export_archive(school_store, YEAR, tmp_path, "system", partial=True)


def test_archive_export_obeys_a_changed_matrix(school_store: Store, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    codes = _one_role_staff(school_store)
    _with_roles(monkeypatch, rights.EXPORT_ARCHIVE, "subject")
    assert _try_export(school_store, tmp_path / "gvbm", codes["subject"])
    assert not _try_export(school_store, tmp_path / "clerk", codes["clerk"])
    assert not _try_export(school_store, tmp_path / "archivist", codes["archivist"])


def _passes_lock_rights(store: Store, code: str) -> bool:
    """True when the lock got past the rights to the seal (none offered: SealRequired, nothing locked)."""
    try:
        lock_year(store, YEAR, code)
    except SealRequired:
        passed = True
    except PermissionDenied as e:
        assert e.message.startswith(f"Không có quyền {rights.RIGHTS[rights.LOCK_YEAR].name} {YEAR}")
        passed = False
    assert not year_status(store, YEAR).locked
    return passed


def test_year_lock_follows_the_matrix(school_store: Store, token) -> None:
    codes = _one_role_staff(school_store)
    allowed = {role for role in ROLE_NAMES if _passes_lock_rights(school_store, codes[role])}
    assert allowed == set(rights.RIGHTS[rights.LOCK_YEAR].roles)
    # the one the matrix lists locks and unlocks for real; the others cannot unlock either
    (who,) = allowed
    assert lock_year(school_store, YEAR, codes[who], seal_with(token)).locked
    for role in set(ROLE_NAMES) - allowed:
        with pytest.raises(PermissionDenied):
            unlock_year(school_store, YEAR, codes[role], "Đính chính điểm theo biên bản số 3")
    assert year_status(school_store, YEAR).locked
    assert not unlock_year(school_store, YEAR, codes[who], "Đính chính điểm theo biên bản số 3").locked


def test_year_lock_obeys_a_changed_matrix(school_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = _one_role_staff(school_store)
    _with_roles(monkeypatch, rights.LOCK_YEAR, "admin")
    assert _passes_lock_rights(school_store, codes["admin"])
    assert not _passes_lock_rights(school_store, codes["principal"])
