"""Trust anchors: add (CA only, all or nothing, idempotent, audited), list, remove (school's folder only);
and the verifiers that must then trust them."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso_desktop.domain.errors import HocbasoError, InputFileError, InvalidValue, NotFound, PermissionDenied
from hocbaso_desktop.services import directory, settings, trust_anchors
from hocbaso_desktop.services.signing_setup import trust_store_for
from hocbaso_desktop.signing.trust import EMPTY_STORE_HINT, TrustStore
from tests.signing.softca import soft_identity


def _write(path: Path, cert, der: bool = False) -> Path:  # noqa: ANN001
    path.write_bytes(cert.public_bytes(Encoding.DER if der else Encoding.PEM))
    return path


def _audit(store, action: str) -> list:  # noqa: ANN001
    from sqlalchemy import select

    from hocbaso_desktop.storage.models import AuditEntry

    with store.read() as s:
        return [(e.entity_id, e.actor) for e in s.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()]


@pytest.fixture
def ca(tmp_path: Path):
    ident = soft_identity("Nguyễn Văn Ký", "TA")
    src = tmp_path / "src"
    src.mkdir()
    _write(src / "root.pem", ident.root)
    _write(src / "issuing.der", ident.intermediate, der=True)
    return ident, src


def test_add_folder_list_remove(demo_store, ca, bundled) -> None:  # noqa: ANN001
    ident, src = ca
    admin = directory.actor(demo_store, "QT01")
    res = trust_anchors.add(demo_store, admin, src)
    assert {a.subject_cn for a in res.added} == {"Soft Root TA", "Soft Issuing TA"}
    assert res.folder_recorded
    own = str(trust_anchors.school_dir(demo_store).resolve())
    assert own in settings.signing_settings(demo_store).trust_dirs
    rows = {a.fingerprint: a for a in trust_anchors.list(demo_store)}
    root_fp = trust_anchors.fingerprint_hex(ident.root)
    assert rows[root_fp].school and not rows[root_fp].bundled and rows[root_fp].root and not rows[root_fp].demo
    assert rows[root_fp].issuer == "Soft Root TA" and rows[root_fp].valid_from <= rows[root_fp].valid_to
    assert any(a.bundled for a in rows.values())  # the shipped anchors are listed too
    entries = _audit(demo_store, "trust.add")
    assert {e[0] for e in entries} == {root_fp, trust_anchors.fingerprint_hex(ident.intermediate)}
    # the school's configured folders are what every verifier uses: the leaf now chains
    assert trust_store_for(demo_store).verify_chain(ident.cert).trusted
    # idempotent: nothing written, nothing audited twice
    again = trust_anchors.add(demo_store, admin, src / "root.pem")
    assert not again.added and [a.fingerprint for a in again.already] == [root_fp] and not again.folder_recorded
    assert len(_audit(demo_store, "trust.add")) == 2
    gone = trust_anchors.remove(demo_store, admin, root_fp[:16].upper())
    assert gone.fingerprint == root_fp
    assert root_fp not in {a.fingerprint for a in trust_anchors.list(demo_store)}
    assert len(_audit(demo_store, "trust.remove")) == 1
    assert not trust_store_for(demo_store).verify_chain(ident.cert).trusted


def test_a_leaf_certificate_is_refused_and_nothing_written(demo_store, ca, tmp_path: Path) -> None:  # noqa: ANN001
    ident, src = ca
    _write(src / "zz-signer.crt", ident.cert)  # one leaf in the folder refuses the whole folder
    admin = directory.actor(demo_store, "QT01")
    with pytest.raises(InvalidValue) as e:
        trust_anchors.add(demo_store, admin, src)
    assert "zz-signer.crt" in e.value.message and "CA" in e.value.message
    assert not trust_anchors.school_dir(demo_store).exists() or not any(trust_anchors.school_dir(demo_store).iterdir())
    assert not _audit(demo_store, "trust.add")


def test_a_teacher_cannot_add_anchors(demo_store, ca) -> None:  # noqa: ANN001
    _ident, src = ca
    with pytest.raises(PermissionDenied):
        trust_anchors.add(demo_store, directory.actor(demo_store, "GV001"), src)
    with pytest.raises(PermissionDenied):
        trust_anchors.remove(demo_store, directory.actor(demo_store, "GV001"), "00" * 32)


@pytest.fixture
def bundled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """resources/trust ships no anchor today (its README): give the program one for these tests."""
    d = tmp_path / "bundled"
    d.mkdir()
    _write(d / "shipped-root.pem", soft_identity("B", "TBUNDLED").root)
    monkeypatch.setattr(trust_anchors, "bundled_trust_dir", lambda: d)
    return d


def test_a_bundled_anchor_cannot_be_removed(demo_store, bundled) -> None:  # noqa: ANN001
    bundled = [a for a in trust_anchors.list(demo_store) if a.bundled]
    assert bundled, "resources/trust ships at least one anchor"
    with pytest.raises(HocbasoError) as e:
        trust_anchors.remove(demo_store, directory.actor(demo_store, "QT01"), bundled[0].fingerprint)
    assert "kèm theo chương trình" in e.value.message


def test_not_a_certificate_and_bad_paths(demo_store, tmp_path: Path) -> None:  # noqa: ANN001
    admin = directory.actor(demo_store, "QT01")
    junk = tmp_path / "notes.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    with pytest.raises(InvalidValue) as e:
        trust_anchors.add(demo_store, admin, junk)
    assert "notes.pem" in e.value.message
    raw = tmp_path / "x.der"
    raw.write_bytes(b"\x00\x01garbage")
    with pytest.raises(InvalidValue):
        trust_anchors.add(demo_store, admin, raw)
    with pytest.raises(InputFileError):
        trust_anchors.add(demo_store, admin, tmp_path / "missing.pem")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InvalidValue):
        trust_anchors.add(demo_store, admin, empty)
    with pytest.raises(InvalidValue):
        trust_anchors.remove(demo_store, admin, "xyz")
    with pytest.raises(NotFound):
        trust_anchors.remove(demo_store, admin, "ab" * 32)


def test_the_empty_store_message_names_no_command_option() -> None:
    reason = TrustStore().verify_chain(soft_identity("A", "TB").cert).reason
    assert reason == EMPTY_STORE_HINT and "--trust" not in reason and "hocbaso trust add" in reason


def test_dirs_for_db_path_reads_the_settings_without_a_store(demo_store, ca) -> None:  # noqa: ANN001
    _ident, src = ca
    trust_anchors.add(demo_store, directory.actor(demo_store, "QT01"), src)
    dirs = [d.resolve() for d in trust_anchors.dirs_for_db_path(demo_store.path)]
    assert trust_anchors.school_dir(demo_store).resolve() in dirs
