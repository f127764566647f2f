"""reliability.md: a writer killed with kill -9 at random points ≥ 200 times → 0 corrupt, 0 lost."""

from __future__ import annotations

import sys

import pytest

from .crashloop import crash_loop

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def test_kill_minus_nine_200_times(tmp_path) -> None:
    # Correctness only, never speed: each counted kill lands after the writer's first acknowledged
    # commit, however long a loaded machine takes to start it.
    stats = crash_loop(tmp_path, total_kills=200, workers=2)
    assert not stats.errors, stats.errors
    assert stats.kills == 200, stats
    assert stats.acknowledged >= stats.kills
    assert stats.corrupt == 0, stats.problems[:5]
    assert stats.lost == 0, stats.problems[:5]
