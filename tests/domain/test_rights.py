"""The rights matrix, role by role and action by action, against records.md written out by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hocbaso_desktop.domain import rights
from hocbaso_desktop.domain.accounts import PasswordPolicyError, check_policy, duration_text, lock_after
from hocbaso_desktop.domain.errors import PermissionDenied
from hocbaso_desktop.domain.roles import ROLE_NAMES, SYSTEM_ACTOR, VIEWER, Actor

HT, PHT, QT, CN, BM, VP, LT = "principal", "vice_principal", "admin", "homeroom", "subject", "clerk", "archivist"

# records.md "Roles" and seed 004 Điều 3-10, one line per action: who may. The principal may everything.
EXPECTED: dict[str, set[str]] = {
    rights.EDIT_SUBJECT: {HT, BM, CN},
    rights.EDIT_CLASS: {HT, CN},
    rights.EDIT_COMMENT_BANK: {HT, PHT, QT, CN, BM},
    rights.IMPORT_CLASSES: {HT, PHT, QT, VP},
    rights.PRINT_RECORDS: {HT, PHT, QT, VP, CN},
    rights.BUILD_RECORDS: {HT, PHT, QT},
    rights.SIGN_HOMEROOM: {HT, CN},
    rights.SIGN_SUBJECT: {HT, BM},
    rights.APPROVE_AND_SIGN: {HT, PHT},
    rights.SIGN_SEAL: {HT, PHT, VP},  # Nghị định 30/2020: the văn thư keeps the seal
    # Điều 10: the archivist, often the office; what the export has always allowed (Ban quản trị too)
    rights.EXPORT_ARCHIVE: {HT, LT, VP, QT},
    # the lock's audit head is sealed in the principal's name; Ban quản trị acts "on instruction"
    rights.LOCK_YEAR: {HT},
    rights.CONFIRM_INCOMPLETE_ROLLOVER: {HT},
    rights.SYNC: {HT, QT},
    rights.MANAGE_ACCOUNTS: {HT, PHT, QT},
    rights.EDIT_SETTINGS: {HT, PHT, QT},
    rights.VIEW_AUDIT: {HT, PHT, QT},
    rights.REQUEST_CORRECTION: {HT, CN, BM},
    rights.REVIEW_CORRECTIONS: {HT, PHT, QT},
    rights.APPROVE_CORRECTION: {HT},
    rights.WITHDRAW_RECORD: {HT},
    rights.TRANSFER_STUDENT: {HT, PHT, QT, VP},  # issue 10: the school office handles transfers
    rights.VIEW_REPORTS: {HT, PHT, QT, VP, CN},
    # issue 14: setting a school up
    rights.MANAGE_STAFF: {HT, PHT, QT, VP},
    rights.ASSIGN_TEACHING: {HT, PHT, QT},
    rights.EDIT_PUPIL: {HT, PHT, QT, VP, CN},  # a GVCN only for her own class (checked by the service)
    rights.EDIT_ALL_PUPILS: {HT, PHT, QT, VP},
    rights.DECIDE_PROMOTION: {HT},  # TT27 Điều 11 khoản 1 điểm c
    rights.MANAGE_TRUST: {HT, PHT, QT},
    rights.AUTHORISE_SIGNER: {HT},  # issue 15: KT. Hiệu trưởng is the principal's decision
    # issue 15: reading personal data needs a login and a right (a teacher only her own classes)
    rights.VIEW_PUPILS: {HT, PHT, QT, VP, CN, BM},
    rights.VIEW_ALL_CLASSES: {HT, PHT, QT, VP},
    rights.VIEW_STAFF: {HT, PHT, QT, VP},
    rights.BACKUP_DATA: {HT, PHT, QT},
    rights.TRANSCRIBE_RECORD: {HT, PHT, QT, VP},
}


def test_every_action_is_in_the_table() -> None:
    assert set(EXPECTED) == set(rights.RIGHTS)


@pytest.mark.parametrize("role", list(ROLE_NAMES))
@pytest.mark.parametrize("action", list(EXPECTED))
def test_role_by_action(role: str, action: str) -> None:
    actor = Actor("X", "Người thử", frozenset({role}))
    if role in EXPECTED[action]:
        rights.require(actor, action)
    else:
        with pytest.raises(PermissionDenied) as e:
            rights.require(actor, action)
        msg = e.value.message
        assert msg.startswith(f"Không có quyền {rights.RIGHTS[action].name}: cần vai trò ")
        # the refusal names every role that would do, in Vietnamese
        assert all(ROLE_NAMES[r] in msg for r in EXPECTED[action])


def test_viewer_refused_everything_system_allowed_everything() -> None:
    for action in EXPECTED:
        assert not rights.allowed(VIEWER, action)
        assert rights.allowed(SYSTEM_ACTOR, action)


def test_roles_add_up() -> None:
    both = Actor("VP01", "Văn phòng", frozenset({VP, LT}))
    assert rights.allowed(both, rights.IMPORT_CLASSES) and rights.allowed(both, rights.EXPORT_ARCHIVE)
    assert {r.action for r in rights.rights_of(both)} == {a for a, roles in EXPECTED.items() if roles & {VP, LT}}


def test_high_level_accounts_need_the_board() -> None:
    qt = Actor("QT01", "Ban quản trị", frozenset({QT}))
    rights.require_manage(qt, {CN, BM})
    with pytest.raises(PermissionDenied, match="tài khoản cấp cao.*Phó hiệu trưởng hoặc Hiệu trưởng"):
        rights.require_manage(qt, {HT})
    rights.require_manage(Actor("PHT", "PHT", frozenset({PHT})), {QT})
    with pytest.raises(PermissionDenied):
        rights.require_manage(Actor("GV", "GV", frozenset({CN})), {BM})


def test_unknown_action_is_a_bug() -> None:
    with pytest.raises(KeyError):
        rights.require(SYSTEM_ACTOR, "no.such.action")


@pytest.mark.parametrize("pw, fragment", [
    ("ngắn", "ít nhất 8 ký tự"), ("a" * 129, "dài quá"), (" có dấu cách ", "dấu cách"),
    ("aaaaaaaaaa", "3 ký tự khác nhau"), ("gv001-mat-khau", "mã cán bộ"), ("abc\x00defgh", "điều khiển"),
])
def test_password_policy_in_vietnamese(pw: str, fragment: str) -> None:
    with pytest.raises(PasswordPolicyError, match=fragment):
        check_policy(pw, "GV001")


def test_password_policy_accepts_and_normalises() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Trường Hòa Bình 2025")
    assert check_policy(decomposed, "GV001") == unicodedata.normalize("NFC", decomposed)
    with pytest.raises(PasswordPolicyError, match="khác mật khẩu cũ"):
        check_policy("mật khẩu cũ 1", "GV001", "mật khẩu cũ 1")


def test_backoff_grows_and_is_capped() -> None:
    assert [lock_after(n) for n in range(5)] == [None] * 5
    assert lock_after(5) == timedelta(seconds=30)
    assert lock_after(6) == timedelta(minutes=1)
    assert lock_after(7) == timedelta(minutes=2)
    assert lock_after(100) == timedelta(minutes=15)
    assert [duration_text(s) for s in (5, 60, 90, 900)] == ["5 giây", "1 phút", "1 phút 30 giây", "15 phút"]
