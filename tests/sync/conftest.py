from __future__ import annotations

from pathlib import Path

import pytest

from hocbaso_desktop.storage.engine import Store


@pytest.fixture
def store(demo_store: Store) -> Store:
    return demo_store


@pytest.fixture
def recv_dir(tmp_path: Path) -> Path:
    return tmp_path / "receiver"
