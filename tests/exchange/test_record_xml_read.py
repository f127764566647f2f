"""The signed XML back to what the paper copy prints (issue 15): build → parse → equal."""

from __future__ import annotations

import dataclasses

import pytest

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.domain.record_data import RecordData
from hocbaso_desktop.exchange.paper_copy import paper_copy_bytes
from hocbaso_desktop.exchange.record_xml import build_record_xml
from hocbaso_desktop.exchange.record_xml_read import parse_record_xml

from .records import make_record


def _printed(d: RecordData) -> RecordData:
    # what the XML does not carry and the paper does not print from it: signatures (read from <chukyso>),
    # empty group comments (optional fields left out), the homeroom Person's position (a constant)
    return dataclasses.replace(d, signatures=(), group_comments={k: v for k, v in d.group_comments.items() if v})


@pytest.mark.parametrize("grade", [1, 5])
def test_build_then_parse_gives_the_same_record(grade: int) -> None:
    d = dataclasses.replace(make_record(grade), signatures=())
    back = parse_record_xml(build_record_xml(d))
    assert _printed(back) == _printed(d)
    assert paper_copy_bytes(back) == paper_copy_bytes(d)  # same printed content, byte for byte


def test_hostile_bytes_are_refused() -> None:
    with pytest.raises(InputFileError):
        parse_record_xml(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    with pytest.raises(InputFileError):
        parse_record_xml(b"<hocbaso/>")
    with pytest.raises(InputFileError):
        parse_record_xml(b"not xml")
