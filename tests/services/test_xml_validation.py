"""services.xml_validation.validate_file: what `hocbaso validate` answers, without the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.services.xml_validation import validate_file


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    f = tmp_path / "khong-co.xml"
    with pytest.raises(InputFileError, match="khong-co.xml: không đọc được tệp"):
        validate_file(f)


def test_not_xml_is_refused_in_vietnamese(tmp_path: Path) -> None:
    f = tmp_path / "hong.xml"
    f.write_bytes(b"<hocba><hocsinh></hocba>")
    with pytest.raises(InputFileError) as e:
        validate_file(f)
    assert "hong.xml" in e.value.message and "mismatch" not in e.value.message.lower()


def test_an_entity_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    f = tmp_path / "bom.xml"
    f.write_bytes(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]><a>&y;</a>')
    with pytest.raises(InputFileError):
        validate_file(f)


def test_a_foreign_document_gets_its_problems(tmp_path: Path) -> None:
    f = tmp_path / "la.xml"
    f.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?><hoadon><tong>1</tong></hoadon>')
    result = validate_file(f)
    assert not result.valid and result.problems and result.what.startswith("lược đồ hocba-tieuhoc-")
