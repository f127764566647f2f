"""Which signature a person may put on is the rights matrix: SIGN_HOMEROOM, SIGN_SUBJECT,
APPROVE_AND_SIGN and SIGN_SEAL decide the signing plan's slots and the dialog's choices, role by role;
the class (her own, one she teaches) is checked on top, and a changed matrix changes the outcome."""

from __future__ import annotations

import pytest

from hocbaso_desktop.domain import rights
from hocbaso_desktop.domain.errors import PermissionDenied
from hocbaso_desktop.domain.roles import ROLE_NAMES, SYSTEM_ACTOR, Actor
from hocbaso_desktop.services.directory import ClassInfo
from hocbaso_desktop.services.signing_plan import (
    infer_role,
    may_sign_class,
    signing_roles,
)

CLASS_3A = ClassInfo(7, "3A", 3, "2025-2026", 1, "GV001", "Cô Lan", 30, frozenset())
SLOT_RIGHT = {"gvcn": rights.SIGN_HOMEROOM, "gvbm": rights.SIGN_SUBJECT, "principal": rights.APPROVE_AND_SIGN,
              "seal": rights.SIGN_SEAL}


def _alone(role: str, *, homeroom: bool = False, teaches: bool = False) -> Actor:
    return Actor("X01", "Người thử", frozenset({role}), frozenset({CLASS_3A.id}) if homeroom else frozenset(),
                 frozenset({(CLASS_3A.id, "TOAN")}) if teaches else frozenset())


@pytest.mark.parametrize("role", list(ROLE_NAMES))
@pytest.mark.parametrize("slot", list(SLOT_RIGHT))
def test_each_slot_is_the_matrix(role: str, slot: str) -> None:
    # the object test passes for everyone here (GVCN of 3A for gvcn, teaches 3A for gvbm): only the right decides
    actor = _alone(role, homeroom=slot == "gvcn", teaches=slot == "gvbm")
    may = role in rights.RIGHTS[SLOT_RIGHT[slot]].roles
    assert (may_sign_class(actor, slot, CLASS_3A) is None) == may
    assert (slot in signing_roles(actor, gvbm_signs=True)) == may


def test_the_class_is_checked_on_top_of_the_right() -> None:
    assert "không phải GVCN lớp 3A" in may_sign_class(_alone("homeroom"), "gvcn", CLASS_3A)
    assert "không dạy (GVBM) lớp 3A" in may_sign_class(_alone("subject"), "gvbm", CLASS_3A)
    # a GVCN signs her own class as GVCN, never as its GVBM
    assert may_sign_class(_alone("subject", homeroom=True, teaches=True), "gvbm", CLASS_3A) is not None
    assert "hệ thống" in may_sign_class(SYSTEM_ACTOR, "seal", CLASS_3A)


def test_infer_role_from_the_matrix() -> None:
    assert infer_role(_alone("vice_principal")) == "principal"
    assert infer_role(_alone("homeroom", homeroom=True)) == "gvcn"
    assert infer_role(_alone("subject", teaches=True), gvbm_signs=True) == "gvbm"
    for role in ("clerk", "archivist", "admin"):
        with pytest.raises(PermissionDenied):
            infer_role(_alone(role))
    with pytest.raises(PermissionDenied):  # GVBM when the school has GVBM not sign
        infer_role(_alone("subject", teaches=True), gvbm_signs=False)


def test_a_changed_matrix_changes_who_seals(monkeypatch: pytest.MonkeyPatch) -> None:
    clerk, archivist = _alone("clerk"), _alone("archivist")
    assert may_sign_class(clerk, "seal", CLASS_3A) is None and may_sign_class(archivist, "seal", CLASS_3A) is not None
    old = rights.RIGHTS[rights.SIGN_SEAL]
    monkeypatch.setitem(rights.RIGHTS, rights.SIGN_SEAL, rights.Right(old.action, old.name, frozenset({"archivist"})))
    assert may_sign_class(clerk, "seal", CLASS_3A) is not None and may_sign_class(archivist, "seal", CLASS_3A) is None
    assert signing_roles(archivist, gvbm_signs=False) == ["seal"] and signing_roles(clerk, gvbm_signs=False) == []
