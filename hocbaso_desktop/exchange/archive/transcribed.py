"""Which yearly archive holds an issued trích lục. Shared by the export and `archive verify` (no
database layer: the verifier reads the embedded snapshot with sqlite3 and applies the same rule).

A trích lục is a record of a paper year, which has no archive of its own: it belongs to the archive
of the LIVE school year during which the office issued it — the latest live year that had started
by that day; a day before every live year (a clock set wrong, a school that transcribed before its
first year opened) puts it in the earliest live year, so it is never in no archive.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable


def archive_year_of(day: date, live_years: Iterable[tuple[str, date | None]]) -> str | None:
    """`live_years`: (name, start_date) of every live year; None when the school has none."""
    years = sorted((start or _start_of(name), name) for name, start in live_years)
    if not years:
        return None
    started = [name for start, name in years if start <= day]
    return started[-1] if started else years[0][1]


def _start_of(name: str) -> date:
    # a year stored without a start date: its name says which year it is (August 1st is early enough)
    return date(int(name[:4]), 8, 1)


__all__ = ["archive_year_of"]
