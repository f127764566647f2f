"""A bad XML file is refused in Vietnamese, naming the file, the line and the column — never lxml's
English (hocbaso_desktop/safe_xml.syntax_error_text)."""

from __future__ import annotations

import re

import pytest

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.safe_xml import parse_xml

ENGLISH = re.compile(r"\b(tag|line|column|mismatch|expected|Premature|Document|Extra|Entity|Invalid|found)\b")

CASES = [
    (b"", "dòng 1", "tệp trống"),
    (b"<?xml version='1.0'?>\n<hocba>\n  <hoten>An</hoten>\n  <lop>3A\n</hocba>\n", "dòng 5",
     "thẻ <lop> mở ở dòng 4 nhưng gặp thẻ đóng </hocba>"),
    (b"<hocba>\n<hoten>An", "dòng 2", "tệp bị cắt cụt"),
    (b"<hocba></hocba><thua/>", "dòng 1, cột 16", "nội dung thừa"),
    (b"<hocba a='1' a='2'/>", "dòng 1", "thuộc tính bị khai báo hai lần"),
    ("<hocba>Đỗ</hocba>".encode("cp1258", errors="replace").replace(b"?", b"\xd0"), "dòng 1", "mã hóa ký tự sai"),
    (b"<hocba>\x01</hocba>", "dòng 1, cột 8", "ký tự không được phép"),
    (b"chao", "dòng 1", "không bắt đầu bằng thẻ XML"),
]


@pytest.mark.parametrize(("data", "where", "what"), CASES)
def test_the_message_names_file_line_and_reason_in_vietnamese(data: bytes, where: str, what: str) -> None:
    with pytest.raises(InputFileError) as caught:
        parse_xml(data, "Tệp hoc-ba-3A.xml")
    text = caught.value.message
    assert text.startswith("Tệp hoc-ba-3A.xml: không phải XML hợp lệ — "), text
    assert where in text and what in text, text
    assert not ENGLISH.search(text), text


def test_an_entity_is_still_refused_before_parsing() -> None:
    with pytest.raises(InputFileError, match="DOCTYPE/ENTITY"):
        parse_xml(b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>", "Tệp x.xml")
