"""Dates as a Vietnamese school reads and writes them: dd/mm/yyyy (and HH:MM in Vietnam time),
whatever form they are stored in — date, datetime, or the ISO text of an index or an audit line."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7))


def _parse(value: object) -> date | datetime | None:
    if isinstance(value, (date, datetime)):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text) if ("T" in text or " " in text) else date.fromisoformat(text)
    except ValueError:
        return None


def vn_date(value: object) -> str:
    """"dd/mm/yyyy"; "" for nothing; text that is not a date is shown as it is (never dropped)."""
    d = _parse(value)
    if d is None:
        return "" if value is None else str(value)
    if isinstance(d, datetime):
        d = d.astimezone(VN_TZ) if d.tzinfo else d
    return d.strftime("%d/%m/%Y")


def vn_datetime(value: object, *, seconds: bool = False) -> str:
    """"dd/mm/yyyy HH:MM" in Vietnam time (a time with its zone is converted; one without is
    shown as stored); a plain date gives just the date."""
    d = _parse(value)
    if d is None:
        return "" if value is None else str(value)
    if not isinstance(d, datetime):
        return d.strftime("%d/%m/%Y")
    if d.tzinfo:
        d = d.astimezone(VN_TZ)
    return d.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")
