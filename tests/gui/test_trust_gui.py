"""Nhà trường › Chứng thư số gốc tin cậy…: list, add (a CA; a leaf refused), remove with confirmation."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.school_menu import school_menu
from hocbaso_desktop.services import trust_anchors
from tests.signing.softca import soft_identity

SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or Path(tempfile.gettempdir()) / "hocbaso-shots")


def _certs(tmp_path: Path) -> tuple[Path, Path, str]:
    ident = soft_identity("Phạm Văn Ký", "TGUI")
    root, leaf = tmp_path / "goc.pem", tmp_path / "nguoi-ky.pem"
    root.write_bytes(ident.root.public_bytes(Encoding.PEM))
    leaf.write_bytes(ident.cert.public_bytes(Encoding.PEM))
    return root, leaf, trust_anchors.fingerprint_hex(ident.root)


def test_add_and_remove_through_the_dialog(qtbot, demo_store, tmp_path: Path, _no_blocking_message_boxes) -> None:  # noqa: ANN001
    shown = _no_blocking_message_boxes
    w = MainWindow(demo_store, "QT01")
    qtbot.addWidget(w)
    action = w.findChild(QAction, "action_trust")
    assert action is not None and action in school_menu(w).actions()
    dlg = w.trust_ui.open()
    qtbot.addWidget(dlg)
    root, leaf, fp = _certs(tmp_path)
    before = dlg.table.rowCount()
    assert dlg.add(root) is not None
    assert dlg.table.rowCount() == before + 1 and shown[-1][0] == "information"
    assert dlg.select_fingerprint(fp) and dlg.remove_button.isEnabled()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "trust-dialog.png"))
    # a leaf is refused with the file named; nothing added
    shown.clear()
    assert dlg.add(leaf) is None
    assert shown and shown[0][0] == "warning" and "nguoi-ky.pem" in shown[0][2]
    shown.clear()
    assert dlg.table.rowCount() == before + 1
    gone = dlg.remove(fp)  # the recorder answers Yes to the confirmation
    assert gone is not None and gone.fingerprint == fp and shown[0][0] == "question"
    assert dlg.table.rowCount() == before


def test_declined_confirmation_keeps_the_anchor(qtbot, demo_store, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    w = MainWindow(demo_store, "QT01")
    qtbot.addWidget(w)
    dlg = w.trust_ui.open()
    qtbot.addWidget(dlg)
    root, _leaf, fp = _certs(tmp_path)
    dlg.add(root)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert dlg.remove(fp) is None
    assert fp in {a.fingerprint for a in trust_anchors.list_anchors(demo_store)}


def test_a_teacher_only_sees_the_list(qtbot, demo_store) -> None:  # noqa: ANN001
    w = MainWindow(demo_store, "GV001")
    qtbot.addWidget(w)
    dlg = w.trust_ui.open()
    qtbot.addWidget(dlg)
    assert not dlg.add_button.isEnabled() and not dlg.remove_button.isEnabled()
