"""Which subjects one pupil takes and is exempt from (per pupil and school year).

A pupil takes the compulsory subjects of the grade, the optional ones the whole class takes
(SchoolClass.optional_subjects) and the optional ones chosen for them (Enrolment.optional_subjects:
Ngoại ngữ 1 in grades 1-2, Tiếng dân tộc). An exempt subject (Enrolment.exempt_subjects) is rated
M (miễn) in every period and never counts for the result (Điều 7, Điều 9).
The columns live in the database as comma-separated catalogue codes; only this module parses them.
"""

from __future__ import annotations

from collections.abc import Iterable

from .catalogue import Catalogue, Subject, catalogue
from .text import clean, fold

# Names people write for a subject beyond its catalogue name ("Tiếng Anh" is the usual Ngoại ngữ 1).
_ALIASES: dict[str, str] = {
    "tienganh": "NN1", "anhvan": "NN1", "ngoaingu": "NN1", "ngoaingu1": "NN1", "nn": "NN1", "english": "NN1",
    "tiengdantocthieuso": "TDT", "tiengdantoc": "TDT", "dantoc": "TDT",
    "tinhoc": "TIN", "congnghe": "CN", "amnhac": "AN", "mithuat": "MT", "mythuat": "MT", "theduc": "GDTC",
    "giaoducthechat": "GDTC", "lichsuvadiali": "LSDL", "lichsudiali": "LSDL", "lichsuvadialy": "LSDL",
    "tunhienvaxahoi": "TNXH", "hoatdongtrainghiem": "HDTN", "daoduc": "DD", "toan": "TOAN", "tiengviet": "TV",
    "khoahoc": "KH",
}


def parse_codes(text: str | None) -> frozenset[str]:
    """The stored comma-separated list → a set of codes (blank entries dropped)."""
    return frozenset(x.strip() for x in (text or "").split(",") if x.strip())


def join_codes(codes: Iterable[str], cat: Catalogue | None = None) -> str:
    """A set of codes → the stored text, in học bạ order (stable bytes, readable audit)."""
    cat = cat or catalogue()
    order = {s.code: i for i, s in enumerate(cat.subjects)}
    return ",".join(sorted(set(codes), key=lambda c: (order.get(c, 999), c)))


def resolve_subject(text: object, cat: Catalogue | None = None) -> Subject | None:
    """A subject as typed: its code (NN1, TOAN), its name ("Ngoại ngữ 1", "Tin học"), or a usual
    alias ("Tiếng Anh"); None when it is none of the catalogue's subjects."""
    cat = cat or catalogue()
    raw = clean(str(text or ""))
    if not raw:
        return None
    for s in cat.subjects:
        if raw.upper() == s.code:
            return s
    key = fold(raw)
    for s in cat.subjects:
        if key in (fold(s.name), fold(s.print_name)):
            return s
    code = _ALIASES.get(key)
    return cat.subject(code) if code else None


def split_list(text: object) -> list[str]:
    """ "NN1, Tin học; TDT" → ["NN1", "Tin học", "TDT"]: what a spreadsheet cell or a CLI value holds."""
    return [clean(p) for p in str(text or "").replace(";", ",").split(",") if clean(p)]


def optional_choices(grade: int, cat: Catalogue | None = None) -> list[Subject]:
    """Subjects a pupil of the grade may take as optional (compulsory ones are not a choice)."""
    cat = cat or catalogue()
    return [s for s in cat.subjects if grade in s.optional_grades and grade not in s.grades]


def taken_subjects(grade: int, class_optional: frozenset[str], pupil_optional: frozenset[str],
                   cat: Catalogue | None = None) -> list[Subject]:
    """The pupil's subjects, in học bạ order."""
    cat = cat or catalogue()
    return cat.subjects_for(grade, set(class_optional) | set(pupil_optional))


def optional_problem(grade: int, subject: Subject) -> str | None:
    """Why `subject` cannot be a pupil's optional subject in `grade` (None: it can)."""
    if grade in subject.grades:
        return f"là môn bắt buộc ở khối {grade}, không phải môn tự chọn"
    if grade not in subject.optional_grades:
        return f"không phải môn tự chọn của khối {grade}"
    return None


def exempt_problem(grade: int, subject: Subject, taken: Iterable[str] | None = None) -> str | None:
    """Why a pupil of `grade` taking `taken` cannot be exempt from `subject` (None: they can).
    taken None: only the grade is checked (the class's optional subjects are not known yet)."""
    if not subject.offered_in(grade):
        return f"khối {grade} không có môn {subject.name}: không miễn được"
    if taken is not None and subject.code not in set(taken):
        return f"học sinh không học môn tự chọn {subject.name}: không miễn được"
    return None


__all__ = ["exempt_problem", "optional_problem", "join_codes", "optional_choices", "parse_codes", "resolve_subject", "split_list", "taken_subjects"]
