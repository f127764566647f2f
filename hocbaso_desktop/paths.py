"""Where the top-level data folders (resources/, schemas/) are, in a checkout and in a bundled build.

They sit beside the package in the repository rather than inside it, so every caller asks here
instead of guessing from its own __file__. A frozen/bundled build (PyInstaller, an MSI) sets
HOCBASO_RESOURCES to the folder that holds both `resources/` and `schemas/`.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "HOCBASO_RESOURCES"


def _root() -> Path:
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    # hocbaso_desktop/paths.py → parents[1] is the repository (or site-packages) root
    return Path(__file__).resolve().parents[1]


def resources_dir() -> Path:
    """Fonts, icons, translations, trust anchors."""
    return _root() / "resources"


def schemas_dir() -> Path:
    """Versioned XSDs of the exchange formats."""
    return _root() / "schemas"


def guide_dir() -> Path:
    """The Vietnamese user guide (Markdown + screenshots), opened from Trợ giúp › Hướng dẫn sử dụng."""
    return _root() / "docs" / "huong-dan"
