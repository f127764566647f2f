from __future__ import annotations

import pytest

from hocbaso_desktop.domain.record_data import RecordData

from .records import make_record


@pytest.fixture
def grade1() -> RecordData:
    return make_record(1)


@pytest.fixture
def grade5() -> RecordData:
    return make_record(5)
