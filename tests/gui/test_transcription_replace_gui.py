"""«Thay bản trích lục chưa ký» in the trích lục dialog (issue 17): unticked, entering the year again is
refused in the form; ticked, the corrected workbook replaces the unsigned transcription."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.services import directory
from hocbaso_desktop.services.transcription import transcribe
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import SubjectEvaluation
from tests.gui.test_transcription_gui import open_dialog, window
from tests.pupil_school import CHI, new_school
from tests.services.test_transcription import workbook

SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or "/tmp/shots")
TOAN = ("Môn học", "Toán – Mức")
RESULT = ("Tổng hợp", "Kết quả giáo dục – GVCN xác nhận")


@pytest.fixture
def school(empty_store: Store, tmp_path: Path) -> Store:
    new_school(empty_store, tmp_path)
    return empty_store


def _toan(store: Store, enrolment_id: int) -> str | None:
    with store.read() as s:
        return s.execute(select(SubjectEvaluation.level).where(SubjectEvaluation.enrolment_id == enrolment_id,
                                                               SubjectEvaluation.subject_code == "TOAN")).scalar()


def test_replace_through_the_dialog(qtbot, school: Store, tmp_path: Path) -> None:
    live = directory.current_year_name(school)
    paper, chi = f"{int(live[:4]) - 1}-{live[:4]}", CHI[3]
    first = transcribe(school, "VP01", chi, paper, 1, workbook(school, tmp_path, chi, paper, 1, "typo.xlsx",
                                                               {TOAN: "H", RESULT: "HT"}), paper_book_ref="Sổ 4")
    fixed = workbook(school, tmp_path, chi, paper, 1, "fixed.xlsx")
    w = window(qtbot, school, "VP01")
    d = open_dialog(qtbot, w)
    qtbot.waitUntil(d.isVisible)
    assert not d.replace_box.isChecked()  # never overwrite by default
    d.pid_edit.setText(chi)
    d.year_edit.setText(paper)
    d.grade_spin.setValue(1)
    d.file_edit.setText(str(fixed))
    job = d.start()
    qtbot.waitUntil(lambda: job.finished_flag, timeout=30000)
    qtbot.waitUntil(lambda: d.run_button.isEnabled())
    assert "Thay bản trích lục chưa ký" in d.status.toPlainText() and "không ghi gì" in d.status.toPlainText()
    assert _toan(school, first.enrolment_id) == "H"

    d.replace_box.click()  # the whole row is wider than box + label: a click at its centre lands on nothing
    assert d.replace_box.isChecked()
    with qtbot.waitSignal(d.transcribed, timeout=30000):
        d.start()
    assert d.transcription is not None and d.transcription.replaced
    assert "Đã thay bản trích lục chưa ký" in d.status.toPlainText() and "Toán – Mức: H → T" in d.status.toPlainText()
    assert _toan(school, first.enrolment_id) == "T"
    SHOTS.mkdir(parents=True, exist_ok=True)
    d.grab().save(str(SHOTS / "transcription_replace.png"))
