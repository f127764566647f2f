"""Programs the suite needs from the machine — SoftHSM2, xmlsec1, poppler, openssl…: one place decides.

Locally a missing program skips the test that needs it, with the Debian package to install; on CI
(the environment variable CI is set, as `CI=true bash .ci/run` does) it FAILS the test: a green CI
run must have run every test, not quietly skipped the signing ones.

    from tests.tools import require_tool, requires
    pytestmark = requires("pdftotext")          # every test of a module (checked at set-up)
    @requires("xmlsec1")                         # one test
    exe = require_tool("openssl")                # inside a test or fixture: the program's path
    module = require_tool("softhsm2")            # the SoftHSM2 PKCS#11 module's path (and softhsm2-util)
"""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

# program → how to get it (./dev installs the Debian packages; the message says what to run)
INSTALL = {
    "softhsm2": "apt-get install softhsm2",
    "softhsm2-util": "apt-get install softhsm2",
    "xmlsec1": "apt-get install xmlsec1",
    "pdftotext": "apt-get install poppler-utils",
    "pdftoppm": "apt-get install poppler-utils",
    "openssl": "apt-get install openssl",
    "pyside6-lrelease": "pip install -e .[test] (it ships with PySide6)",
    # LibreOffice reads back the workbooks we write (KQHT for CSDL ngành, summaries): ./dev installs it
    "soffice": "apt-get install libreoffice-calc-nogui",
    "libreoffice": "apt-get install libreoffice-calc-nogui",
}

MARKER = "requires_tool"


def on_ci() -> bool:
    """CI=true (GitHub, GitLab, `.ci/run`); CI=0/false/no/empty counts as not set."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(name: str, why: str = "") -> NoReturn:
    how = INSTALL.get(name, f"install {name}")
    what = f"{name}{f' ({why})' if why else ''} is not installed"
    if on_ci():
        pytest.fail(f"{what}, and it is required on CI (CI is set): {how}", pytrace=False)
    pytest.skip(f"{what}: {how} (on CI this fails instead of skipping)")


def require_tool(name: str, *, search: str | None = None) -> str:
    """The path of program `name` (searched in `search` instead of PATH when given); skip or fail when
    it is missing. "softhsm2" means the SoftHSM2 PKCS#11 module, which also needs softhsm2-util."""
    if name == "softhsm2":
        from hocbaso_desktop.signing.modules import find_softhsm_module

        module = find_softhsm_module()
        if module is None:
            missing(name, "the PKCS#11 module libsofthsm2.so")
        if shutil.which("softhsm2-util") is None:
            missing("softhsm2-util", "initialises the test tokens")
        return module
    path = shutil.which(name, path=search)
    if path is None:
        missing(name)
    return path


def requires(*names: str) -> pytest.MarkDecorator:
    """A mark checked before the test runs (tests/conftest.py): each program must be there."""
    return getattr(pytest.mark, MARKER)(*names)


def optional_tool(*names: str) -> str:
    """The first of `names` on PATH, else skip — also on CI: for programs ./dev does not install,
    whose test is an extra check, never the only one of a feature. (LibreOffice is no longer one:
    ./dev installs it, so its tests call require_tool("soffice").)"""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip(f"{' / '.join(names)} is not installed (optional: ./dev does not install it)")
