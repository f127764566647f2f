"""The statistics report (domain/report_data.py, counted by services/reports.py) as a landscape A4 PDF with bar charts.

The bundled Liberation Serif (exchange/pdf_fonts.py) draws every Vietnamese letter, in the tables
and in the charts' labels alike (reportlab's chart labels default to Helvetica, which has no "ữ").
A grouped bar chart per table — subjects × levels T/H/C, qualities × T/Đ/C, results — because a
principal reads the shape before the numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..domain.report_data import (
    NOT_SET,
    QUALITY_GROUP_TITLES,
    QUALITY_LEVEL_TITLES,
    RESULT_TITLES,
    SUBJECT_LEVEL_TITLES,
    Count,
    ItemStats,
    Report,
)
from .pdf_fonts import BOLD, ITALIC, REGULAR, register_fonts

PAGE = landscape(A4)
MARGIN = 12 * mm
LEVEL_COLOURS = {"T": colors.HexColor("#2E7D32"), "H": colors.HexColor("#1565C0"), "Đ": colors.HexColor("#1565C0"),
                 "C": colors.HexColor("#C62828"), "M": colors.HexColor("#9E9E9E"), "HTXS": colors.HexColor("#6A1B9A"),
                 "HTT": colors.HexColor("#2E7D32"), "HT": colors.HexColor("#1565C0"), "CHT": colors.HexColor("#C62828")}


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    return {
        "school": ParagraphStyle("school", fontName=BOLD, fontSize=10, leading=13),
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19, alignment=1, spaceAfter=2),
        "sub": ParagraphStyle("sub", fontName=ITALIC, fontSize=10.5, leading=14, alignment=1, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=8, leading=10),
        "note": ParagraphStyle("note", fontName=ITALIC, fontSize=8.5, leading=11),
    }


def _grid_style(header_rows: int, spans: Iterable[tuple[tuple[int, int], tuple[int, int]]] = ()) -> TableStyle:
    cmds: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 8),
        ("FONT", (0, 0), (-1, header_rows - 1), BOLD, 8),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#DDEBF7")),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("ALIGN", (1, header_rows), (1, -1), "LEFT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    cmds += [("SPAN", a, b) for a, b in spans]
    return TableStyle(cmds)


def _pct(c: Count, base: Count) -> str:
    return f"{c.pct(base):.2f}".replace(".", ",")


def _level_table(first: str, rows: list[tuple[str, ItemStats | None]], levels: tuple[str, ...],
                 names: dict[str, str], st: dict[str, ParagraphStyle]) -> Table:
    head1: list[object] = ["STT", first, "Tổng\nsố HS"]
    head2: list[object] = ["", "", ""]
    spans = [((0, 0), (0, 1)), ((1, 0), (1, 1)), ((2, 0), (2, 1))]
    for i, lv in enumerate(levels):
        col = 3 + 4 * i
        head1 += [names[lv] + (f" ({lv})" if lv != NOT_SET else ""), "", "", ""]
        head2 += ["SL", "%", "Nữ", "DTTS"]
        spans.append(((col, 0), (col + 3, 0)))
    data: list[list[object]] = [head1, head2]
    extra: list[tuple] = []
    n = 0
    for label, it in rows:
        if it is None:
            data.append([Paragraph(f"<b>{label}</b>", st["cell"])] + [""] * (2 + 4 * len(levels)))
            r = len(data) - 1
            spans.append(((0, r), (-1, r)))
            extra.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#F2F2F2")))
            continue
        n += 1
        line: list[object] = [n, Paragraph(label, st["cell"]), it.students.total]
        for lv in levels:
            c = it.by_level.get(lv, Count())
            line += [c.total, _pct(c, it.students), c.female, c.minority]
        data.append(line)
    avail = PAGE[0] - 2 * MARGIN
    fixed = 20 + 36
    sub = (avail - fixed - 120) / (4 * len(levels))
    widths = [20, avail - fixed - sub * 4 * len(levels), 36] + [sub] * (4 * len(levels))
    t = Table(data, colWidths=widths, repeatRows=2)
    style = _grid_style(2, spans)
    for cmd in extra:
        style.add(*cmd)
    t.setStyle(style)
    return t


def _short(name: str) -> str:
    return {"Tiếng Việt": "T.Việt", "Ngoại ngữ 1": "N.ngữ", "Đạo đức": "Đ.đức", "Tự nhiên và Xã hội": "TN-XH",
            "Lịch sử và Địa lí": "LS-ĐL", "Khoa học": "K.học", "Tin học": "Tin", "Công nghệ": "C.nghệ",
            "Giáo dục thể chất": "GDTC", "Âm nhạc": "Â.nhạc", "Mĩ thuật": "M.thuật", "Hoạt động trải nghiệm": "HĐTN",
            "Tiếng dân tộc thiểu số": "T.DT", "Tự chủ và tự học": "Tự chủ", "Giao tiếp và hợp tác": "Giao tiếp",
            "Giải quyết vấn đề và sáng tạo": "GQVĐ"}.get(name, name)


def bar_chart(title: str, items: list[ItemStats], levels: tuple[str, ...], names: dict[str, str],
              width: float = 760, height: float = 210) -> Drawing:
    """Percentages of each level per item, one bar colour per level, with a legend."""
    d = Drawing(width, height)
    d.add(String(width / 2, height - 12, title, fontName=BOLD, fontSize=10, textAnchor="middle"))
    ch = VerticalBarChart()
    ch.x, ch.y, ch.width, ch.height = 40, 38, width - 210, height - 70
    ch.data = [[it.by_level.get(lv, Count()).pct(it.students) for it in items] for lv in levels] or [[0]]
    ch.categoryAxis.categoryNames = [_short(it.name) for it in items]
    ch.categoryAxis.labels.fontName = REGULAR
    ch.categoryAxis.labels.fontSize = 7
    ch.categoryAxis.labels.angle = 25 if len(items) > 8 else 0
    ch.categoryAxis.labels.boxAnchor = "ne" if len(items) > 8 else "n"
    ch.valueAxis.valueMin, ch.valueAxis.valueMax, ch.valueAxis.valueStep = 0, 100, 20
    ch.valueAxis.labels.fontName = REGULAR
    ch.valueAxis.labels.fontSize = 7
    ch.valueAxis.labelTextFormat = "%d%%"
    ch.groupSpacing, ch.barSpacing = 6, 0.5
    for i, lv in enumerate(levels):
        ch.bars[i].fillColor = LEVEL_COLOURS.get(lv, colors.grey)
        ch.bars[i].strokeWidth = 0
    d.add(ch)
    lg = Legend()
    lg.x, lg.y = width - 160, height - 40
    lg.columnMaximum = 10
    lg.fontName, lg.fontSize = REGULAR, 8
    lg.alignment = "right"
    lg.colorNamePairs = [(LEVEL_COLOURS.get(lv, colors.grey), f"{names[lv]} ({lv})") for lv in levels]
    d.add(lg)
    return d


def _small_table(header: list[str], rows: list[list[object]], widths: Sequence[float]) -> Table:
    t = Table([header, *rows], colWidths=widths, repeatRows=1)
    t.setStyle(_grid_style(1))
    return t


def write_report_pdf(r: Report, path: str | Path) -> Path:
    st = _styles()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(out), pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=f"Thống kê chất lượng giáo dục — {r.period_name}", author=r.school)
    s = r.students
    story: list[object] = [
        Paragraph(r.school.upper(), st["school"]),
        Paragraph(f"THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ HỌC SINH — {r.period_name.upper()}", st["title"]),
        Paragraph(f"Năm học {r.year} — {r.scope} — Tổng số học sinh: {s.total} (nữ: {s.female}; dân tộc thiểu số: "
                  f"{s.minority})", st["sub"]),
        Paragraph("1. Các môn học và hoạt động giáo dục", st["h2"]),
        bar_chart("Tỉ lệ (%) học sinh theo mức đạt được của từng môn học", r.subjects, ("T", "H", "C"), SUBJECT_LEVEL_TITLES),
        _level_table("Môn học và HĐGD", [(it.name, it) for it in r.subjects], ("T", "H", "C", "M", NOT_SET),
                     SUBJECT_LEVEL_TITLES, st),
        PageBreak(),
        Paragraph("2. Phẩm chất chủ yếu và năng lực cốt lõi", st["h2"]),
        bar_chart("Tỉ lệ (%) học sinh theo mức đạt được của từng phẩm chất, năng lực", r.qualities, ("T", "Đ", "C"),
                  QUALITY_LEVEL_TITLES),
    ]
    rows: list[tuple[str, ItemStats | None]] = []
    for group in ("PC", "NLC", "NLD"):
        items = [it for it in r.qualities if it.group == group]
        if items:
            rows += [(QUALITY_GROUP_TITLES[group], None), *((it.name, it) for it in items)]
    story.append(_level_table("Phẩm chất, năng lực", rows, ("T", "Đ", "C", NOT_SET), QUALITY_LEVEL_TITLES, st))
    if r.is_final and r.results is not None and r.completed_grade is not None:
        levels = ("HTXS", "HTT", "HT", "CHT")
        story += [PageBreak(), Paragraph("3. Kết quả giáo dục cuối năm, khen thưởng, hoàn thành chương trình", st["h2"]),
                  bar_chart("Tỉ lệ (%) học sinh theo kết quả giáo dục cuối năm", [r.results], levels, RESULT_TITLES,
                            height=170),
                  _level_table("Nội dung", [("Kết quả giáo dục cuối năm", r.results)], (*levels, NOT_SET), RESULT_TITLES, st),
                  Spacer(1, 6)]
        lines = [[name, s.total, c.total, _pct(c, s), c.female, c.minority] for name, c in r.awards.items()]
        lines.append(["Hoàn thành chương trình lớp học", s.total, r.completed_grade.total, _pct(r.completed_grade, s),
                      r.completed_grade.female, r.completed_grade.minority])
        if r.grade5_students and r.grade5_students.total and r.completed_primary is not None:
            g5, cp = r.grade5_students, r.completed_primary
            lines.append(["Hoàn thành chương trình tiểu học (lớp 5)", g5.total, cp.total, _pct(cp, g5), cp.female, cp.minority])
        story.append(_small_table(["Khen thưởng / hoàn thành chương trình", "Tổng số HS", "Số lượng", "Tỉ lệ %", "Nữ", "DTTS"],
                                  [[Paragraph(str(x[0]), st["cell"]), *x[1:]] for x in lines], [300, 70, 70, 70, 60, 60]))
    res = ("HTXS", "HTT", "HT", "CHT") if r.is_final else ()
    class_rows = [[c.name, c.students.total, c.students.female, c.students.minority, c.support,
                   *(c.results.get(x, 0) for x in res)] for c in r.classes]
    story += [Spacer(1, 8), KeepTogether([Paragraph("Sĩ số và kết quả theo lớp", st["h2"]),
              _small_table(["Lớp", "Sĩ số", "Nữ", "DTTS", "Cần hỗ trợ", *res], class_rows, [60] + [62] * (4 + len(res)))])]
    story.append(Paragraph(f"Danh sách học sinh cần hỗ trợ (mức C hoặc Chưa hoàn thành): {len(r.support)} học sinh", st["h2"]))
    if r.support:
        story.append(_small_table(["STT", "Lớp", "Mã định danh", "Họ và tên", "Nội dung cần hỗ trợ"],
                                  [[i, x.class_name, x.personal_id, Paragraph(x.full_name, st["cell"]),
                                    Paragraph("; ".join(x.reasons), st["cell"])] for i, x in enumerate(r.support, 1)],
                                  [26, 36, 80, 140, PAGE[0] - 2 * MARGIN - 282]))
    story.append(Paragraph("Tỉ lệ % tính trên số học sinh học môn / được đánh giá nội dung đó. DTTS: dân tộc thiểu số. "
                           "Kết quả cuối năm là kết quả giáo viên chủ nhiệm đã xác nhận.", st["note"]))
    tmp = out.with_name(out.name + ".tmp")
    doc.filename = str(tmp)
    doc.build(story)
    tmp.replace(out)
    return out
