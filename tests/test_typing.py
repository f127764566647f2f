"""The core packages type-check under mypy's strict settings ([tool.mypy] in pyproject.toml; `./dev lint`).

mypy is a required tool (the `test` extra installs it): when it is missing these tests fail, they never skip.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ("hocbaso_desktop/domain", "hocbaso_desktop/storage", "hocbaso_desktop/signing", "hocbaso_desktop/sync")
MODULES = tuple(p.replace("/", ".") + ".*" for p in PACKAGES)


def _mypy(args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed in this environment: `pip install -e .[test]` (it is in the test extra)")
    # A cache of its own: a run by `./dev lint` or another worker at the same moment cannot disturb this one.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), "--cache-dir", str(cache),
         "--no-error-summary", "--show-error-codes", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


def test_core_packages_have_no_type_error(tmp_path: Path) -> None:
    run = _mypy(list(PACKAGES), REPO, tmp_path / "cache")
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert run.returncode == 0 and not errors, "mypy:\n" + run.stdout + run.stderr


def test_config_and_dev_lint_name_the_same_packages() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    mypy = config["tool"]["mypy"]
    assert tuple(mypy["files"]) == PACKAGES
    strict = [o for o in mypy["overrides"] if o.get("disallow_untyped_defs")]
    assert len(strict) == 1 and tuple(strict[0]["module"]) == MODULES
    for flag in ("disallow_any_generics", "warn_return_any", "no_implicit_reexport", "disallow_untyped_calls",
                 "check_untyped_defs", "strict_equality", "disallow_incomplete_defs"):
        assert strict[0].get(flag) is True, flag
    assert mypy["warn_unused_ignores"] is True and mypy["no_implicit_optional"] is True
    assert "mypy>=1.10" in config["project"]["optional-dependencies"]["test"]
    assert "ruff>=0.5" in config["project"]["optional-dependencies"]["test"]
    # `./dev test` (what CI runs) lints before the suite: ruff on the tree, mypy on the whole package
    dev = (REPO / "dev").read_text(encoding="utf-8")
    lint = re.search(r"^lint\(\) \{\n(.*?)^\}", dev, re.M | re.S)
    assert lint is not None
    assert '"$VENV/bin/ruff" check -q .' in lint.group(1) and '"$VENV/bin/mypy" --no-error-summary hocbaso_desktop' in lint.group(1)
    test = re.search(r"^cmd_test\(\) \{\n(.*?)^\}", dev, re.M | re.S)
    assert test is not None and re.search(r"^  lint\b", test.group(1), re.M)


def test_the_whole_package_type_checks_and_lints(tmp_path: Path) -> None:
    """What `./dev lint` runs, so a type or lint error also fails a plain pytest run."""
    run = _mypy(["hocbaso_desktop"], REPO, tmp_path / "cache")
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert run.returncode == 0 and not errors, "mypy:\n" + run.stdout + run.stderr
    if importlib.util.find_spec("ruff") is None:
        pytest.fail("ruff is not installed in this environment: `pip install -e .[test]` (it is in the test extra)")
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr


LOOSE = '''\
def untyped(x):
    return x


def bare_generic(d: dict) -> int:
    return len(d)


def leaks_any(d: dict[str, object]) -> str:
    import json
    return json.loads("1")


def silenced() -> int:
    return "no"  # type: ignore
'''


def test_strictness_reaches_a_new_core_module_and_only_the_core(tmp_path: Path) -> None:
    """Hostile: code that would pass plain mypy, dropped into the core, is refused for each loose habit;
    the same code in the GUI package (not yet strict) is not."""
    for package in ("domain", "gui"):
        folder = tmp_path / "hocbaso_desktop" / package
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("", encoding="utf-8")
        (folder / "loose.py").write_text(LOOSE, encoding="utf-8")
    (tmp_path / "hocbaso_desktop" / "__init__.py").write_text("", encoding="utf-8")

    run = _mypy(["hocbaso_desktop/domain/loose.py", "hocbaso_desktop/gui/loose.py"], tmp_path, tmp_path / "cache")
    core = {m.group(1) for m in re.finditer(r"^hocbaso_desktop/domain/loose\.py:\d+: error: .*\[([a-z-]+)\]$",
                                            run.stdout, re.M)}
    assert {"no-untyped-def", "type-arg", "no-any-return", "ignore-without-code"} <= core, run.stdout + run.stderr
    assert "hocbaso_desktop/gui/loose.py" not in run.stdout, run.stdout
    assert run.returncode == 1
