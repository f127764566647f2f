"""Archive fixtures: the small signed school (built once per session) and one sealed archive of it,
copied per test so every tamper case starts from a pristine, verifying bag."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hocbaso_desktop.signing import ScriptedPinPrompt, TrustStore
from hocbaso_desktop.storage.engine import Store
from tests.school_token import PIN, SchoolToken, school_token

from .school import YEAR, build_small_school


@pytest.fixture(scope="session")
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture(scope="session")
def small_school(demo_template: Path, token: SchoolToken, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small_school(demo_template, tmp_path_factory.mktemp("small") / "small.sqlite3", token)


@pytest.fixture
def school_db(small_school: Path, tmp_path: Path, token: SchoolToken) -> Path:
    dst = tmp_path / "school.sqlite3"
    shutil.copyfile(small_school, dst)
    shutil.copyfile(Path(str(small_school) + ".audit-head"), Path(str(dst) + ".audit-head"))
    token.activate()
    return dst


@pytest.fixture
def school_store(school_db: Path):
    store = Store.open(school_db)
    yield store
    store.close()


@pytest.fixture(scope="session")
def trust(token: SchoolToken) -> TrustStore:
    return TrustStore.from_dirs(token.trust_dir)


def seal_with(token: SchoolToken):
    from hocbaso_desktop.services.archive_service import SealWith

    token.activate()
    return SealWith(token.provider, ScriptedPinPrompt(lambda: PIN), token.info.label)


@pytest.fixture(scope="session")
def sealed_archive(small_school: Path, token: SchoolToken, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A final, sealed archive of the locked small school (built once)."""
    from hocbaso_desktop.services.archive_service import export_archive
    from hocbaso_desktop.services.year_lock import lock_year

    base = tmp_path_factory.mktemp("archive")
    db = base / "locked.sqlite3"
    shutil.copyfile(small_school, db)
    shutil.copyfile(Path(str(small_school) + ".audit-head"), Path(str(db) + ".audit-head"))
    out = base / "usb"
    out.mkdir()
    with Store.open(db) as store:
        lock_year(store, YEAR, "HT", seal_with(token))
        result = export_archive(store, YEAR, out, "VP01", seal=seal_with(token))
    return result.path


@pytest.fixture
def bag(sealed_archive: Path, tmp_path: Path) -> Path:
    dst = tmp_path / sealed_archive.name
    shutil.copytree(sealed_archive, dst)
    return dst
