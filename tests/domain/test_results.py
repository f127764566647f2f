"""TT27 rules, table-driven; each case cites the article it encodes."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from hocbaso_desktop.domain.catalogue import catalogue, load_catalogue_from_dict
from hocbaso_desktop.domain.results import (
    SubjectFinal,
    YearInputs,
    completion,
    propose_result,
    proposed_awards,
)

CAT = catalogue()


def perfect(grade: int, score: int = 10, optional: frozenset[str] = frozenset()) -> YearInputs:
    subjects = {
        s.code: SubjectFinal("T", score if s.is_tested(grade, "CN") else None) for s in CAT.subjects_for(grade, optional)
    }
    qualities = {q.code: "T" for q in CAT.qualities_for(grade)}
    return YearInputs(grade, subjects, qualities, optional)


def with_subject(inp: YearInputs, code: str, level: str | None = "keep", score: int | None | str = "keep") -> YearInputs:
    cur = inp.subjects[code]
    new = SubjectFinal(cur.level if level == "keep" else level, cur.score if score == "keep" else score)  # type: ignore[arg-type]
    return YearInputs(inp.grade, {**inp.subjects, code: new}, inp.qualities, inp.optional_subjects, inp.not_assessed)


def with_quality(inp: YearInputs, code: str, level: str | None) -> YearInputs:
    return YearInputs(inp.grade, inp.subjects, {**inp.qualities, code: level}, inp.optional_subjects, inp.not_assessed)


# (article, description, builder, expected result, text that must appear in the explanation)
CASES = [
    ("Điều 9", "all T, all scores 10 → HTXS", lambda: perfect(5), "HTXS", "Đạt mọi điều kiện"),
    ("Điều 9", "boundary: every score exactly 9 → HTXS", lambda: perfect(5, 9), "HTXS", ""),
    ("Điều 9", "Toán 8 < 9 → HTT, explained", lambda: with_subject(perfect(5), "TOAN", score=8), "HTT", "Toán cuối năm 8 điểm < 9"),
    ("Điều 9", "boundary: score exactly 7 → HTT", lambda: with_subject(perfect(4), "KH", score=7), "HTT", "Khoa học cuối năm 7 điểm < 9"),
    ("Điều 9", "one H among T (non-tested Âm nhạc) → HT", lambda: with_subject(perfect(3), "AN", "H"), "HT", "Âm nhạc: H (cần T)"),
    ("Điều 9", "one Đ among T qualities → HT", lambda: with_quality(perfect(2), "CC", "Đ"), "HT", "Phẩm chất Chăm chỉ: Đ (cần T)"),
    ("Điều 9", "score 6 < 7 with all T → HT", lambda: with_subject(perfect(1), "TV", score=6), "HT", "Tiếng Việt cuối năm 6 điểm < 7"),
    ("Điều 9", "boundary: score exactly 5 → HT", lambda: with_subject(perfect(5), "TOAN", "H", 5), "HT", ""),
    ("Điều 9", "score 4 < 5 → CHT", lambda: with_subject(perfect(5), "TOAN", "H", 4), "CHT", "Toán cuối năm 4 điểm < 5"),
    ("Điều 9", "a subject C → CHT", lambda: with_subject(perfect(3), "DD", "C"), "CHT", "Đạo đức: C (cần T hoặc H)"),
    ("Điều 9", "a competency C → CHT", lambda: with_quality(perfect(4), "GQVD", "C"), "CHT",
     "Năng lực Giải quyết vấn đề và sáng tạo: C (cần T hoặc Đ)"),
    ("Điều 9", "missing end-of-year score → no result, named", lambda: with_subject(perfect(5), "TOAN", score=None), None,
     "Thiếu điểm KTĐK cuối năm môn Toán"),
    ("Điều 9", "missing level → no result", lambda: with_subject(perfect(2), "MT", None, None), None, "Thiếu mức đạt được môn Mĩ thuật"),
    ("Điều 9", "missing quality → no result", lambda: with_quality(perfect(2), "YN", None), None, "Thiếu mức phẩm chất Yêu nước"),
    ("Điều 9", "exempt (M) subject is ignored → HTXS", lambda: with_subject(perfect(4), "GDTC", "M", None), "HTXS", ""),
    ("Điều 9", "exempt tested subject needs no score", lambda: with_subject(perfect(5), "NN1", "M", None), "HTXS", ""),
]


@pytest.mark.parametrize("article,desc,build,expected,text", CASES, ids=[c[1] for c in CASES])
def test_propose_result(article: str, desc: str, build, expected: str | None, text: str) -> None:
    p = propose_result(build())
    assert p.result == expected, (article, desc, p.explanation)
    assert text in p.explanation


def test_grade_specific_subjects_and_tested_periods() -> None:
    # Điều 7: grades 4-5 test TV and Toán mid-term too; grade 1-3 only at CK1 and CN.
    assert CAT.subject("TV").is_tested(4, "GK1") and not CAT.subject("TV").is_tested(3, "GK1")
    assert [s.code for s in CAT.subjects_for(1)] == ["TV", "TOAN", "DD", "TNXH", "GDTC", "AN", "MT", "HDTN"]
    assert "NN1" in [s.code for s in CAT.subjects_for(1, {"NN1"})]
    assert {q.code for q in CAT.qualities_for(1)} >= {"NNG", "TTO", "KHO", "TMI", "TCH"}
    assert len(CAT.qualities_for(1)) == 13 and len(CAT.qualities_for(3)) == 15


def test_optional_nn1_in_grade_1_has_no_score_but_counts_its_level() -> None:
    inp = with_subject(perfect(1, optional=frozenset({"NN1"})), "NN1", "H")
    assert inp.subjects["NN1"].score is None
    assert propose_result(inp).result == "HT"


def test_not_assessed_student_ratings_optional() -> None:
    # Issue 14: a pupil assessed by an individual education plan (flag cokhuyettatkhongdanhgia) gets
    # no computed result: missing ratings are not "missing", and the GVCN enters the result with a reason.
    inp = YearInputs(3, {"TV": SubjectFinal("H", 6)}, {}, not_assessed=True)
    p = propose_result(inp)
    assert p.result is None and not p.missing
    assert p.explanation == "Học sinh được đánh giá theo kế hoạch giáo dục cá nhân: GVCN nhập kết quả kèm lý do"


@pytest.mark.parametrize(
    "grade,result,completed,primary,supplementary",
    [(1, "HTXS", True, False, False), (4, "HT", True, False, False), (5, "HTT", True, True, False), (5, "CHT", False, False, True)],
)
def test_completion_dieu_11(grade: int, result: str, completed: bool, primary: bool, supplementary: bool) -> None:
    c = completion(grade, result)
    assert (c.completed_grade, c.completed_primary, c.needs_supplementary) == (completed, primary, supplementary)
    if primary:
        assert c.text == "Hoàn thành chương trình tiểu học"


def test_awards_dieu_13() -> None:
    assert proposed_awards("HTXS") == (["Học sinh Xuất sắc"], [])
    due, cand = proposed_awards("HTT")
    assert due == [] and cand == ["Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện"]
    assert proposed_awards("HT") == ([], [])


def test_rules_are_data() -> None:
    """A regulation change is a data change: raising the HTXS threshold to 10 changes the proposal."""
    raw = json.loads(resources.files("hocbaso_desktop.domain").joinpath("data", "tt27-2020.json").read_text("utf-8"))
    amended = copy.deepcopy(raw)
    amended["results"]["levels"][0]["min_final_score"] = 10
    cat = load_catalogue_from_dict(amended)
    inp = perfect(5, 9)
    assert propose_result(inp).result == "HTXS"
    p = propose_result(inp, cat)
    assert p.result == "HTT" and "< 10" in p.explanation
