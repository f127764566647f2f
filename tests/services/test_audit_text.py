"""The audit trail as sentences (services/audit_text): settings by their Vietnamese names, edits as
«old» → «new», dates dd/mm/yyyy, secrets never shown, unknown keys kept (never dropped)."""

from __future__ import annotations

from hocbaso_desktop.services.audit_text import action_label, audit_line, changes_text, entity_label, setting_label


def test_a_setting_change_reads_as_a_sentence() -> None:
    line = audit_line("2026-05-31T01:02:03+00:00", "VP01", "setting.set", "setting", "outbox.endpoint",
                      {"old": None, "new": "https://so.gd.vn/hocba"})
    assert line == ("31/05/2026 08:02:03 · VP01 · đổi cài đặt — cài đặt «Địa chỉ máy nhận (gửi học bạ lên Sở)»: "
                    "«(trống)» → «https://so.gd.vn/hocba»")
    assert "outbox.endpoint" not in line and "{" not in line


def test_an_evaluation_edit_and_a_list() -> None:
    text = changes_text("evaluation.subject", "subject_evaluation", "7/CK1/TV",
                        {"hs": "001219012345", "ky": "CK1", "mon": "TV", "score": [None, 9]})
    assert text == "mã học sinh: 001219012345; kì: CK1; môn: TV; điểm: «(trống)» → «9»"
    roles = changes_text("account.create", "staff", "GV1", {"roles": ["homeroom", "subject"], "must_change": True})
    assert roles == "vai trò: homeroom, subject; phải đổi mật khẩu: có"
    assert changes_text("staff.deactivate", "staff", "GV2", {"left_on": "2026-01-15"}) == "ngày nghỉ: 15/01/2026"


def test_secrets_are_never_shown_and_unknown_keys_are_kept() -> None:
    text = changes_text("account.password_reset", "staff", "GV1", {"password": "bí mật", "x_new": 1})
    assert "bí mật" not in text and "x_new: 1" in text
    assert setting_label("something.new") == "something.new"
    assert action_label("record.sign") == "ký số" and entity_label("record", "12") == "học bạ 12"
