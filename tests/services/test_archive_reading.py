"""services/archive_reading: what the archive browser and `hocbaso archive verify` reach the archive
format through. The index is data from a medium anyone may have edited: an entry naming a file
outside the archive (../, an absolute path, a backslash, a symlink) opens nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hocbaso_desktop.services.archive_reading import archive_file, drive_summary, verify_archive_on_drive
from hocbaso_desktop.signing.trust import TrustStore


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "kho"
    (root / "data" / "hoc-ba").mkdir(parents=True)
    (root / "data" / "hoc-ba" / "a.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "secret.txt").write_text("bí mật", encoding="utf-8")
    return root


def test_a_plain_relative_entry_opens_its_file(archive: Path) -> None:
    assert archive_file(archive, "data/hoc-ba/a.pdf") == archive / "data" / "hoc-ba" / "a.pdf"


@pytest.mark.parametrize("rel", ["", None, "../secret.txt", "data/../../secret.txt", "/etc/passwd",
                                 "data\\hoc-ba\\a.pdf", "data/hoc-ba/missing.pdf", "data/hoc-ba"])
def test_an_entry_outside_the_archive_or_not_a_file_opens_nothing(archive: Path, rel: str | None) -> None:
    assert archive_file(archive, rel) is None


def test_a_symlink_in_the_archive_opens_nothing(archive: Path) -> None:
    link = archive / "data" / "hoc-ba" / "b.pdf"
    os.symlink(archive.parent / "secret.txt", link)
    assert archive_file(archive, "data/hoc-ba/b.pdf") is None


def test_a_missing_archive_is_a_problem_in_vietnamese_not_a_traceback(tmp_path: Path) -> None:
    report = verify_archive_on_drive(tmp_path / "khong-co", TrustStore([]))
    assert not report.ok and any("không mở được thư mục" in p for p in report.problems)


def test_the_target_folder_is_described_for_the_person_choosing_it(tmp_path: Path) -> None:
    fs, free = drive_summary(tmp_path)
    assert fs and free and free[0].isdigit()
