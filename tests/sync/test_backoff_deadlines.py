"""Backoff (base 5 s, cap 1 h, full jitter), Retry-After parsing, deadlines from the seeds."""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from email.utils import format_datetime

import pytest

from hocbaso_desktop.sync import deadlines as dl
from hocbaso_desktop.sync.backoff import Backoff, FakeClock, parse_retry_after


def test_ceilings_double_from_5_seconds_up_to_one_hour() -> None:
    b = Backoff(random.Random(0))
    assert [b.ceiling(n) for n in range(1, 12)] == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]
    assert b.ceiling(10_000) == 3600


def test_full_jitter_spans_zero_to_the_ceiling() -> None:
    b = Backoff(random.Random(42))
    for n in (1, 4, 9, 20):
        draws = [b.delay(n) for _ in range(4000)]
        ceiling = min(3600, 5 * 2 ** (n - 1))
        assert all(0 <= d <= ceiling for d in draws)
        # full jitter, not "equal jitter": the low and the high end are both used
        assert min(draws) < 0.02 * ceiling and max(draws) > 0.98 * ceiling
        assert abs(sum(draws) / len(draws) - ceiling / 2) < 0.05 * ceiling


def test_retry_after_forms() -> None:
    now = 1_790_000_000.0
    assert parse_retry_after("120", now) == 120
    in_an_hour = format_datetime(datetime.fromtimestamp(now + 3600, tz=timezone.utc), usegmt=True)
    assert parse_retry_after(in_an_hour, now) == pytest.approx(3600)
    assert parse_retry_after("Wed, 21 Oct 2099 07:28:00 GMT", now) == 24 * 3600  # capped at a day
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now) == 0  # already past
    assert parse_retry_after("999999999", now) == 24 * 3600  # capped at a day
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


def test_fake_clock_only_moves_forward() -> None:
    c = FakeClock(100)
    c.advance(5)
    c.set(50)
    assert c.time() == 105


@pytest.mark.parametrize("province,year,grade,main,final", [
    ("Hà Nội", "2025-2026", 3, date(2026, 6, 30), date(2026, 8, 15)),  # seed 001
    ("Ninh Bình", "2025-2026", 1, date(2026, 6, 25), date(2026, 8, 10)),  # seed 002
    ("Tỉnh Ninh Bình", "2026-2027", 1, date(2027, 6, 30), date(2027, 8, 15)),  # seed 002 named one year only
    ("Thành phố Hải Phòng", "2025-2026", 5, date(2026, 6, 30), date(2026, 8, 20)),  # seed 004
    ("TP. Hồ Chí Minh", "2024-2025", 5, date(2025, 6, 18), date(2025, 8, 13)),  # seed 000
    ("TP Hồ Chí Minh", "2024-2025", 2, date(2025, 8, 13), date(2025, 8, 13)),
    ("Lào Cai", "2025-2026", 4, date(2026, 6, 30), date(2026, 8, 15)),  # defaults
])
def test_deadline_defaults_from_the_seeds(province: str, year: str, grade: int, main: date, final: date) -> None:
    assert dl.resolve(dl.DEFAULT_RULES, province, year, grade, dl.MAIN)[0] == main
    assert dl.resolve(dl.DEFAULT_RULES, province, year, grade, dl.FINAL)[0] == final


def test_settings_override_wins_and_round_trips() -> None:
    rules = dl.rules_from_json('[{"kind": "main", "due": "20/06", "province": "Hải Phòng", "grades": [5]}]')
    assert dl.rules_from_json(dl.rules_to_json(rules)) == rules
    all_rules = list(dl.DEFAULT_RULES) + rules
    assert dl.resolve(all_rules, "Hải Phòng", "2025-2026", 5, dl.MAIN)[0] == date(2026, 6, 20)
    assert dl.resolve(all_rules, "Hải Phòng", "2025-2026", 4, dl.MAIN)[0] == date(2026, 6, 30)
    with pytest.raises(ValueError):
        dl.rules_from_json('[{"kind": "main", "due": "31/02"}]')


def test_warnings_as_a_deadline_nears() -> None:
    main, final = date(2026, 6, 30), date(2026, 8, 15)
    assert dl.warning_for(0, main, final, date(2026, 8, 30)).level == "ok"
    assert dl.warning_for(5, main, final, date(2026, 5, 1)).level == "ok"
    w = dl.warning_for(5, main, final, date(2026, 6, 16))
    assert w.level == "soon" and "còn 14 ngày" in w.text and "30/06/2026" in w.text
    w = dl.warning_for(5, main, final, date(2026, 7, 10))
    assert w.level == "soon" and "đã quá hạn chính" in w.text
    assert dl.warning_for(5, main, final, date(2026, 8, 16)).level == "overdue"
