"""resources/ and schemas/ are found from a checkout and from a bundled build's override."""

from __future__ import annotations

from pathlib import Path

from hocbaso_desktop import paths


def test_checkout_locations():
    assert (paths.schemas_dir() / "hocba-tieuhoc-1.0.xsd").is_file()
    assert (paths.resources_dir() / "fonts" / "LiberationSerif-Regular.ttf").is_file()
    assert (paths.resources_dir() / "fonts" / "LICENSE-LiberationSerif.txt").is_file()


def test_override_for_bundled_builds(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path))
    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.schemas_dir() == tmp_path / "schemas"
