"""Issue 15, grid import: a row whose personal ID or name carries hidden characters or foreign digits,
and a comment carrying a bidi override, are refused; nothing of the workbook is written."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hocbaso_desktop.exchange.grid_layout import SHEET_SUBJECTS
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.grid_excel import export_grid, import_grid
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry
from tests.grid_xlsx import edit

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _audit(store: Store) -> list[int]:
    with store.read() as s:
        return list(s.execute(select(AuditEntry.id)).scalars())


def test_grid_import_refuses_hidden_characters_in_ids_names_and_comments(demo_store: Store, tmp_path: Path) -> None:
    cls = directory.find_class(demo_store, "5A")
    exported = export_grid(demo_store, cls.id, "CN", tmp_path / "5A.xlsx").path
    rows = list(load_grid(demo_store, cls.id, "CN").rows)
    changes = [
        (SHEET_SUBJECTS, rows[0].personal_id, "Toán – Nhận xét", "Một nhận xét hợp lệ"),
        (SHEET_SUBJECTS, rows[1].personal_id, "Toán – Nhận xét", "Em \u202eđọc tốt"),
        (SHEET_SUBJECTS, rows[2].personal_id, "Họ và tên", rows[2].full_name + "\u200b"),
        (SHEET_SUBJECTS, rows[3].personal_id, "Mã định danh", rows[3].personal_id.translate(ARABIC)),
    ]
    path = tmp_path / "hostile.xlsx"
    edit(exported, path, changes)
    before, snap = _audit(demo_store), load_grid(demo_store, cls.id, "CN").rows
    report = import_grid(demo_store, directory.actor(demo_store, "GV009"), path)
    assert not report.ok and not report.written
    assert _audit(demo_store) == before and load_grid(demo_store, cls.id, "CN").rows == snap
    joined = "\n".join(report.problem_lines())
    assert len(report.problem_lines()) == 3, joined
    assert "U+202E" in joined and "U+200B" in joined and "U+0660" in joined


def test_typed_comment_with_a_bidi_override_is_refused(demo_store: Store) -> None:
    cls = directory.find_class(demo_store, "5A")
    row = load_grid(demo_store, cls.id, "CN").rows[0]
    (out,) = apply_edits(demo_store, directory.actor(demo_store, "GV009"),
                         [CellEdit(row.enrolment_id, "CN", "subject_comment", "TOAN", "Em \u2067đọc\u2069 tốt")])
    assert not out.ok and "U+2067" in out.message
    (ok,) = apply_edits(demo_store, directory.actor(demo_store, "GV009"),
                        [CellEdit(row.enrolment_id, "CN", "subject_comment", "TOAN", "Em đọc tốt, viết đẹp.")])
    assert ok.ok
