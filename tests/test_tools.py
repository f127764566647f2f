"""tests/tools.py itself: a missing required program skips a test locally and FAILS it on CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.tools import on_ci

TINY = '''
from tests.tools import require_tool, requires


def test_inside():
    require_tool("no-such-tool-xyz")


@requires("no-such-tool-xyz")
def test_marked():
    pass


@requires("sh")
def test_present_tool_runs():
    assert require_tool("sh").endswith("/sh")
'''

# The marker is checked by tests/conftest.py's hook; the tiny suite borrows it.
CONFTEST = "from tests.conftest import pytest_configure, pytest_runtest_setup  # noqa: F401\n"


def _run_tiny(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (tmp_path / "test_tiny.py").write_text(TINY, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rsfE", "-v", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_missing_tool_fails_on_ci(tmp_path: Path) -> None:
    out = _run_tiny(tmp_path, "true")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "test_inside FAILED" in out.stdout
    assert "test_marked ERROR" in out.stdout  # failed at set-up, before the test body
    assert "test_present_tool_runs PASSED" in out.stdout
    assert "no-such-tool-xyz is not installed, and it is required on CI (CI is set)" in out.stdout
    assert "SKIPPED" not in out.stdout


def test_missing_tool_skips_locally_with_a_reason(tmp_path: Path) -> None:
    out = _run_tiny(tmp_path, None)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("SKIPPED") >= 2 and "test_present_tool_runs PASSED" in out.stdout
    assert "no-such-tool-xyz is not installed: install no-such-tool-xyz (on CI this fails instead of skipping)" in out.stdout


@pytest.mark.parametrize("value, expected", [("true", True), ("1", True), ("yes", True), ("", False),
                                             ("0", False), ("false", False), ("False", False), (None, False)])
def test_what_counts_as_ci(monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert on_ci() is expected
