"""dd/mm/yyyy wherever a person reads a date (domain/vn_dates.py)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from hocbaso_desktop.domain.vn_dates import vn_date, vn_datetime


def test_dates_in_every_stored_form() -> None:
    assert vn_date(date(2026, 5, 31)) == "31/05/2026"
    assert vn_date("2026-05-31") == "31/05/2026"
    assert vn_date(None) == "" and vn_date("") == ""
    # 17:30 UTC on the 31st is already the 1st of June in Vietnam
    assert vn_date("2026-05-31T17:30:00+00:00") == "01/06/2026"


def test_times_in_vietnam_time() -> None:
    assert vn_datetime(datetime(2026, 5, 31, 1, 2, 3, tzinfo=timezone.utc)) == "31/05/2026 08:02"
    assert vn_datetime("2026-05-31T01:02:03.123456+00:00", seconds=True) == "31/05/2026 08:02:03"
    assert vn_datetime(datetime(2026, 5, 31, 9, 15)) == "31/05/2026 09:15"  # no zone: as stored
    assert vn_datetime(date(2026, 5, 31)) == "31/05/2026"


def test_what_is_not_a_date_is_shown_not_dropped_nor_guessed() -> None:
    assert vn_date("31/05/2026") == "31/05/2026"
    assert vn_date("2026-13-45") == "2026-13-45"
    assert vn_date(12) == "12"
