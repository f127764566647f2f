"""The pages of one student's paper học bạ as reportlab flowables, from a RecordData only.

Order (paper-form.md §1): cover → identity page (HỌC BẠ) → QUÁ TRÌNH HỌC TẬP → the year block
(page A: header, sections 1-2; page B: Trường/Năm học, sections 3-6, signatures). Page breaks and
page templates are added by paper_copy; this module only says what is on each page.
Every free text goes into a Paragraph inside its cell, so long comments wrap and the row grows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..domain.record_data import HistoryRow, Person, RecordData, SignatureInfo
from .paper_style import (
    HISTORY_COLS,
    HISTORY_MIN_ROWS,
    LABELS,
    QUALITY_COLS,
    SIGN_SPACE,
    SUBJECT_COLS,
    TEXT_W,
    address_labels,
    styles,
)
from .pdf_fonts import REGULAR

GRID = colors.black
DOTS = (1, 2)  # dotted fill line under a field, like the printed form
Cell = tuple[int, int]
StyleCommand = tuple[object, ...]  # reportlab's ("NAME", (col, row), (col, row), *values…)
VN_TIME = timezone(timedelta(hours=7))
SUBJECT_ROW_MIN = 26  # pt, a subject row at least
_RESULT_NAMES = {"HTXS": "Hoàn thành xuất sắc", "HTT": "Hoàn thành tốt", "HT": "Hoàn thành", "CHT": "Chưa hoàn thành"}


@lru_cache(maxsize=4096)
def _parsed(text: str, style: ParagraphStyle) -> tuple[str, ParagraphStyle, list, object]:
    para = Paragraph(text, style)
    return para.text, para.style, para.frags, para.bulletText


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph whose mini-markup is parsed once per process: the labels, headings and notes repeat on
    every copy, and reportlab's HTML parser was a sixth of a copy's time. Each paragraph gets its own
    copies of the fragments (layout keeps state on them); the PDF bytes are the same as unparsed."""
    ptext, pstyle, frags, bullet = _parsed(text, style)
    return Paragraph(ptext, pstyle, bulletText=bullet, frags=[f.clone() for f in frags])


def _e(text: object) -> str:
    """Escape user text for reportlab's mini-markup; keep line breaks the teacher typed."""
    return escape(str(text)).replace("\n", "<br/>")


def _field(label: str, value: str, style=None) -> Paragraph:
    return _p(f"{_e(label)} <b>{_e(value)}</b>", style or styles().body)


def _vn_date(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _number(x: float | None, unit: str) -> str:
    if x is None:
        return ""
    text = f"{x:.1f}".rstrip("0").rstrip(".").replace(".", ",")  # Vietnamese decimal comma
    return f"{text} {unit}"


def _fields_table(rows: list[list[Flowable | str]], widths: list[float], spans: Sequence[tuple[Cell, Cell]] = (),
                  min_height: float | None = None, dotted: bool = True) -> Table:
    heights = [min_height] * len(rows) if min_height else None
    t = Table(rows, colWidths=widths, rowHeights=heights)
    cmds: list[StyleCommand] = [("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    cmds += [("SPAN", a, b) for a, b in spans]
    if dotted:
        cmds.append(("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey, 0, DOTS))
    t.setStyle(TableStyle(cmds))
    return t


# ---------------------------------------------------------------- cover (page 1)

def _book_title(d: RecordData) -> str:
    """«HỌC BẠ», or «TRÍCH LỤC HỌC BẠ» for a year entered from the paper book: never the original."""
    return LABELS["book_transcribed"] if d.transcribed else LABELS["book"]


def cover_page(d: RecordData) -> list[Flowable]:
    st = styles()
    labels = address_labels(d.school_year)
    rows = [[_field(LABELS["student"], d.student.full_name, st.cover_field)],
            [_field(LABELS["school"], d.school.name, st.cover_field)],
            [_field(labels.commune, d.school.commune, st.cover_field)]]
    if labels.district is not None:
        rows.append([_field(labels.district, d.school.district, st.cover_field)])
    rows.append([_field(labels.province, d.school.province, st.cover_field)])
    return [
        Spacer(1, 24), _p(LABELS["ministry"], st.cover_ministry), Spacer(1, 150),
        _p(_book_title(d), st.cover_title), Spacer(1, 8), _p(LABELS["level"], st.cover_sub),
        Spacer(1, 230),
        _fields_table(rows, [TEXT_W - 60], min_height=36),  # 36 pt between baselines (§2.1, S1)
    ]


# ---------------------------------------------------------------- signatures

def _role_signatures(d: RecordData, roles: tuple[str, ...]) -> list[SignatureInfo]:
    return [s for s in d.signatures if s.role in roles]


def _sig_time(t: datetime) -> str:
    if t.tzinfo is not None:
        t = t.astimezone(VN_TIME)
    return t.strftime("%d/%m/%Y %H:%M:%S")


def _signature_box(sigs: list[SignatureInfo], width: float) -> Flowable:
    """The space for a hand signature, or — once signed — who signed, with which certificate, when."""
    if not sigs:
        return Spacer(width, SIGN_SPACE)
    st = styles().sign_info
    parts = []
    for s in sigs:
        parts.append(_p(f"<b>{_e(LABELS['signed_by'])} {_e(s.signer_name)}</b>", st))
        parts.append(_p(f"{_e(LABELS['cert'])} {_e(s.certificate_subject)}", st))
        parts.append(_p(f"{_e(LABELS['signed_at'])} {_sig_time(s.signed_at)}", st))
    box = Table([[parts]], colWidths=[width * 0.86])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.HexColor("#b22222")),
                             ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))
    _, h = box.wrap(width, SIGN_SPACE)
    outer = Table([[box]], colWidths=[width], rowHeights=[max(SIGN_SPACE, h + 4)])
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return outer


def _date_line(d: RecordData) -> str:
    place = d.place_of_issue or d.school.commune or "…………"
    if d.valid_from is None:
        return f"{_e(place)}, ngày … tháng … năm 20…"
    v = d.valid_from
    return f"{_e(place)}, ngày {v.day:02d} tháng {v.month:02d} năm {v.year}"


def _principal_titles(p: Person | None) -> list[str]:
    """A vice-principal signs "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG" (§2.3)."""
    if _is_vice(p):
        return ["KT. HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG"]
    return [LABELS["principal_title"]]


def _sign_column(titles: list[str], note: str, sigs: list[SignatureInfo], person: Person | None,
                 width: float) -> list[list[Flowable] | Flowable]:
    """Four parts — titles, note, signature space, name — laid out row by row by _signature_table."""
    st = styles()
    return [[_p(_e(t), st.sign_title) for t in titles], _p(_e(note), st.sign_note), _signature_box(sigs, width),
            _p(_e(person.full_name if person else ""), st.sign_name)]


def _signature_table(left: list | None, right: list) -> Table:
    """Side-by-side signature columns, one table row per part, so both names sit on one line even
    when one column has more title lines (KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG)."""
    left = left or ["", "", "", ""]
    t = Table([list(pair) for pair in zip(left, right)], colWidths=[TEXT_W / 2, TEXT_W / 2])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return t


def _two_columns(left: list[Flowable], right: list[Flowable], valign: str = "TOP") -> Table:
    t = Table([[left, right]], colWidths=[TEXT_W / 2, TEXT_W / 2])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), valign), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return t


# ---------------------------------------------------------------- identity page (page 3)

def identity_page(d: RecordData) -> list[Flowable]:
    st, s = styles(), d.student
    # x positions 51 / 276 / 388 pt in the export (§2.3) → three columns from the left margin
    w0, w1 = 225.0, 112.0
    w2 = TEXT_W - w0 - w1
    rows = [
        [_field(LABELS["student"], s.full_name), "", _field(LABELS["sex"], s.sex)],
        [_field(LABELS["birth"], _vn_date(s.birth_date)), _field(LABELS["ethnicity"], s.ethnicity_name),
         _field(LABELS["nationality"], s.nationality)],
        [_field(LABELS["birthplace"], s.birthplace), "", ""],
        [_field(LABELS["hometown"], s.hometown), "", ""],
        [_field(LABELS["address"], s.address), "", ""],
        [_field(LABELS["father"], s.father_name), "", ""],
        [_field(LABELS["mother"], s.mother_name), "", ""],
        [_field(LABELS["guardian"], s.guardian_name), "", ""],
    ]
    spans = [((0, 0), (1, 0))] + [((0, r), (2, r)) for r in range(2, 8)]
    sign = _sign_column(_principal_titles(d.principal), LABELS["principal_note"],
                        _role_signatures(d, ("principal", "seal")), d.principal, TEXT_W / 2)
    return [
        _p(_book_title(d), st.title),
        _fields_table(rows, [w0, w1, w2], spans, min_height=23),  # 23 pt line pitch (§2.3)
        Spacer(1, 18),
        KeepTogether([_two_columns([], [_p(_date_line(d), st.sign_date)]), _signature_table(None, sign)]),
    ]


# ---------------------------------------------------------------- QUÁ TRÌNH HỌC TẬP (page 4)

def history_page(d: RecordData) -> list[Flowable]:
    st = styles()
    rows = [[_p(_e(h), st.cell_head) for h in LABELS["history_cols"].split("|")]]
    history = list(d.history)
    if not any(h.school_year == d.school_year for h in history):
        # the paper shows the year being printed even when the store has no history row yet
        history.append(HistoryRow(d.school_year, d.class_name, d.school.name, d.school.province))
    for h in history:
        rows.append([_p(_e(h.school_year.replace("-", " - ")), st.cell_center), _p(_e(h.class_name), st.cell_center),
                     _p(_e(h.school_name), st.cell), "", _p(_vn_date(h.transfer_in_date), st.cell_center)])
    while len(rows) < HISTORY_MIN_ROWS + 1:
        rows.append([_p(LABELS["history_blank_year"], st.cell_center), "", "", "", ""])
    t = Table(rows, colWidths=[TEXT_W * f for f in HISTORY_COLS], repeatRows=1,
              rowHeights=[None] + [30] * (len(rows) - 1))
    t.setStyle(_grid_style())
    return [_p(LABELS["history_title"], st.title), t]


# ---------------------------------------------------------------- year block

_CODE_CELLS = [("FONT", (1, 1), (2, -1), REGULAR, 10.5), ("ALIGN", (1, 1), (2, -1), "CENTER")]


def _grid_style(extra: Sequence[StyleCommand] = ()) -> TableStyle:
    return TableStyle([("GRID", (0, 0), (-1, -1), 0.6, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                       ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                       ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4), *extra])


def year_page_a(d: RecordData) -> list[Flowable]:
    st = styles()
    left, right = TEXT_W * 0.63, TEXT_W * 0.37  # the right field starts at ≈ 63 % of the line (§2.5.2)
    header = _fields_table([
        [_field(LABELS["student"], d.student.full_name), _field(LABELS["class"], d.class_name)],
        [_field(LABELS["height"], _number(d.height_cm, "cm")), _field(LABELS["weight"], _number(d.weight_kg, "kg"))],
        [_field(LABELS["absent_excused"], str(d.days_absent_excused)),
         _field(LABELS["absent_unexcused"], str(d.days_absent_unexcused))],
    ], [left, right], min_height=22, dotted=False)
    rows = [[_p(_e(h), st.cell_head) for h in LABELS["s1_cols"].split("|")]]
    for s in d.subjects:
        score = "" if s.score is None else str(s.score)
        if not score and s.tested and s.level == "M":
            score = "M"
        # one-letter level and score as plain strings: drawn centred by the table, far cheaper than
        # a Paragraph when a whole school is printed
        rows.append([_p(_e(s.print_name), st.cell), s.level or "", score, _p(_e(s.comment), st.comment)])
    widths = [TEXT_W * f for f in SUBJECT_COLS]
    subjects = Table(rows, colWidths=widths, repeatRows=1, rowHeights=_row_heights(rows, widths, SUBJECT_ROW_MIN))
    subjects.setStyle(_grid_style(_CODE_CELLS))
    return [header, Spacer(1, 8), _p(LABELS["s1"], st.heading), subjects, Spacer(1, 8),
            KeepTogether([_p(LABELS["s2"], st.heading), _quality_table(d, "PC", LABELS["s2_cols"])])]


def _row_heights(rows: list[list], widths: list[float], minimum: float) -> list[float | None]:
    """Body rows at least `minimum` high — easy to read, room to annotate a draft — yet as tall as
    their longest wrapped text. reportlab has no "minimum row height", so the label and comment
    paragraphs are measured here (level and score are one-liners)."""
    pad = 7  # TOPPADDING 3 + BOTTOMPADDING 4 of _grid_style
    out: list[float | None] = [None]
    for row in rows[1:]:
        h = max(row[0].wrap(widths[0] - 8, 10_000)[1], row[-1].wrap(widths[-1] - 8, 10_000)[1])
        out.append(max(minimum, h + pad))
    return out


def _quality_table(d: RecordData, group: str, header: str) -> Table:
    st = styles()
    items = [q for q in d.qualities if q.group == group]
    rows = [[_p(_e(h), st.cell_head) for h in header.split("|")]]
    comment = _p(_e(d.group_comments.get(group, "")), st.comment)
    for i, q in enumerate(items):
        rows.append([_p(_e(q.name), st.cell), q.level or "", comment if i == 0 else ""])
    if not items:
        rows.append(["", "", comment])
    t = Table(rows, colWidths=[TEXT_W * f for f in QUALITY_COLS], repeatRows=1)
    # one comment for the whole group, in a cell merged over its rows (§2.5.4, national nxet* fields)
    t.setStyle(_grid_style([("SPAN", (2, 1), (2, len(rows) - 1)), ("VALIGN", (2, 1), (2, -1), "TOP"),
                            ("FONT", (1, 1), (1, -1), REGULAR, 10.5), ("ALIGN", (1, 1), (1, -1), "CENTER")]))
    return t


def _result_text(d: RecordData) -> str:
    if d.result_name:
        return d.result_name
    return _RESULT_NAMES.get(d.result or "", "")


def _completion_text(d: RecordData) -> str:
    if d.completion_text:
        return d.completion_text
    if d.completed_primary:
        return "Hoàn thành chương trình tiểu học"
    if d.completed_grade:
        return "Hoàn thành chương trình lớp học"
    if d.promoted is True:
        return "Được lên lớp"
    if d.promoted is False:
        return "Chưa được lên lớp"
    return ""


def year_page_b(d: RecordData) -> list[Flowable]:
    st = styles()
    top = _fields_table([[_field(LABELS["school"], d.school.name), _field(LABELS["school_year"], d.school_year)]],
                        [TEXT_W * 0.66, TEXT_W * 0.34], min_height=22, dotted=False)
    out: list[Flowable] = [top, Spacer(1, 4), _p(LABELS["s3"], st.heading),
                           KeepTogether([_p(LABELS["s31"], st.subheading), _quality_table(d, "NLC", LABELS["s3_cols"])]),
                           KeepTogether([_p(LABELS["s32"], st.subheading), _quality_table(d, "NLD", LABELS["s3_cols"])]),
                           Spacer(1, 6)]
    result = _result_text(d)
    out.append(_p(f"<b>{_e(LABELS['s4'])}</b> {_e(result)}{'.' if result else ''}", st.body))
    out.append(_p(f"<b>{_e(LABELS['s5'])}</b>", st.body))
    for award in (*d.awards, *d.adhoc_awards):
        out.append(_p(f"- {_e(award)}", st.bullet))
    out.append(_p(f"<b>{_e(LABELS['s6'])}</b>", st.body))
    completion = _completion_text(d)
    if completion:
        out.append(_p(f"- {_e(completion)}", st.bullet))
    titles = [LABELS["year_principal"]]
    if _is_vice(d.principal):
        titles += _principal_titles(d.principal)  # KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG
    left = _sign_column(titles, LABELS["principal_note"], _role_signatures(d, ("principal", "seal")),
                        d.principal, TEXT_W / 2)
    if d.transcribed:
        # no space for a hand signature: the paper year's teacher signed the paper book, not this copy
        right = [[_p(_e(LABELS["year_teacher"]), st.sign_title)], _p(_e(LABELS["transcribed_teacher_note"]), st.sign_note),
                 _p(_e(LABELS["transcribed_teacher_box"]), st.sign_info), _p("", st.sign_name)]
    else:
        right = _sign_column([LABELS["year_teacher"]], LABELS["teacher_note"], _role_signatures(d, ("gvcn",)),
                             d.homeroom_teacher, TEXT_W / 2)
    block: list[Flowable] = [Spacer(1, 8), _two_columns([], [_p(_date_line(d), st.sign_date)]),
                             _signature_table(left, right)]
    gvbm = _role_signatures(d, ("gvbm",))
    if gvbm:
        lines = "; ".join(f"{_e(s.signer_name)} ({_sig_time(s.signed_at)})" for s in gvbm)
        block.append(_p(f"{_e(LABELS['gvbm'])} {lines}", st.sign_info))
    out.append(KeepTogether(block))
    return out


def _is_vice(p: Person | None) -> bool:
    return p is not None and "phó" in p.position.lower()
