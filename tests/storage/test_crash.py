"""reliability.md: a writer killed with kill -9 at random points ≥ 200 times → 0 corrupt, 0 lost."""

from __future__ import annotations

import sys

import pytest

from .crashloop import crash_loop

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def test_kill_minus_nine_200_times(tmp_path) -> None:
    stats = crash_loop(tmp_path, total_kills=200, workers=2)
    assert stats.kills == 200
    assert stats.acknowledged > 200, "the writer must have acknowledged commits before being killed"
    assert stats.corrupt == 0, stats.problems[:5]
    assert stats.lost == 0, stats.problems[:5]
