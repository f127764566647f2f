"""The national format, in one place: code lists and the mapping between our record data and the
national field dictionary (records.md "The national data layout"; table thongtinsohocbasotieuhoc).

Every national code the record XML writes comes from here, read from the data file
domain/data/national-codes.json (subjects, sex per QCVN 109:2017 with 0 = unknown, nationality,
provinces after QĐ 19/2025/QĐ-TTg with the pre-merger names they absorbed, cấp học, sessions per day).
When the ministry publishes the official lists or the XSD of QĐ 3016, the data file and the schema
file change; the builder (record_xml.py) and the reader (record_xml_read.py) ask this module.

Which record layout a document follows is its `phienbanxsd`: 1.0 (before the national alignment,
still verifiable and readable) or 2.0 (national names, codes, lengths; our own fields in <morong>).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from ..domain.text import clean, fold

DATA_FILE = Path(__file__).resolve().parent.parent / "domain" / "data" / "national-codes.json"
LAYOUT_VERSIONS = ("1.0", "2.0")
CURRENT_LAYOUT = "2.0"
EXTENSION_TAG = "morong"  # our fields the national layout does not have; a strict receiver skips it
SCHOOL_DEPARTMENT = "Sở Giáo dục và Đào tạo"


@dataclass(frozen=True)
class Province:
    code: str  # 2 digits, QĐ 19/2025/QĐ-TTg
    name: str
    old: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codes:
    level_code: str
    sessions_per_day: int
    sex: dict[str, str]
    nationality: dict[str, str]
    subjects: dict[str, str]
    provinces: tuple[Province, ...]

    def province(self, text: str | None) -> Province | None:
        """The province a school or an address names (current or pre-merger name, "Tỉnh"/"Thành
        phố" prefixes and diacritics ignored); None when it names none."""
        key = _province_key(text)
        return self._province_by_key.get(key) if key else None

    @cached_property
    def _province_by_key(self) -> dict[str, Province]:
        # Every record built asks this for the school and each address: folding ~100 names per
        # question cost ~1 ms a record when a class is signed. First listed wins, as the scan did.
        index: dict[str, Province] = {}
        for p in self.provinces:
            for name in (p.name, *p.old):
                index.setdefault(_province_key(name), p)
        return index

    def province_in(self, address: str | None) -> Province | None:
        """The province named by the last comma-separated part of a free-text address."""
        parts = [x for x in (clean(address) or "").split(",") if x.strip()]
        return self.province(parts[-1]) if parts else None

    def is_current_name(self, text: str | None, province: Province) -> bool:
        return _province_key(text) == _province_key(province.name)

    def subject_code(self, ours: str) -> str:
        return self.subjects.get(ours, ours)

    def our_subject(self, national: str) -> str:
        for ours, nat in self.subjects.items():
            if nat == national:
                return ours
        return national

    def sex_code(self, sex: str | None) -> str | None:
        return self.sex.get(clean(sex))

    def sex_name(self, code: str) -> str:
        return next((name for name, c in self.sex.items() if c == code), "")

    def nationality_code(self, nationality: str | None) -> str | None:
        text = clean(nationality)
        if re.fullmatch(r"[A-Z]{2}", text):
            return text
        key = fold(text)
        return next((c for name, c in self.nationality.items() if fold(name) == key), None)

    def nationality_name(self, code: str) -> str:
        return next((name for name, c in self.nationality.items() if c == code), code)


_PREFIXES = ("thanhpho", "tinh", "tp")


def _province_key(text: str | None) -> str:
    key = fold(text)
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            return key[len(prefix):]
    return key


@lru_cache(maxsize=1)
def codes() -> Codes:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return Codes(
        level_code=str(raw["caphoc"]["code"]),
        sessions_per_day=int(raw["sessions_per_day"]["value"]),
        sex={k: str(v) for k, v in raw["sex"].items()},
        nationality={k: str(v) for k, v in raw["nationality"].items()},
        subjects={k: str(v) for k, v in raw["subjects"].items() if not k.startswith("_")},
        provinces=tuple(Province(p["code"], p["name"], tuple(p.get("old", ()))) for p in raw["provinces"]),
    )


def department_name(province: Province) -> str:
    return f"{SCHOOL_DEPARTMENT} {province.name}"
