"""Certificate checks (usable, owner name) and the trust store's directories and demo flag."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso_desktop.signing.certs import check_certificate_usable, name_matches, owner_warning
from hocbaso_desktop.signing.trust import TrustStore

from .softca import soft_identity


def test_name_match_is_nfc_case_insensitive_and_diacritic_sensitive():
    cert = soft_identity("Nguyễn Thị Hồng Nhung").cert
    assert name_matches(cert, "Nguyễn Thị Hồng Nhung")
    assert name_matches(cert, unicodedata.normalize("NFD", "NGUYỄN THỊ HỒNG NHUNG"))
    assert name_matches(cert, "  nguyễn  thị hồng   nhung ")
    assert not name_matches(cert, "Nguyen Thi Hong Nhung")
    assert not name_matches(cert, "Nguyễn Thị Hồng Nhụng")
    assert owner_warning(cert, "Nguyễn Thị Hồng Nhung") is None
    warning = owner_warning(cert, "Trần Văn Bình")
    assert warning and "không trùng với tên cán bộ «Trần Văn Bình»" in warning


def test_certificate_usable_checks_time_and_usage():
    now = datetime.now(timezone.utc)
    ident = soft_identity()
    assert check_certificate_usable(ident.cert).ok
    expired = soft_identity(tag="EXP", not_before=now - timedelta(days=800), not_after=now - timedelta(days=1)).cert
    result = check_certificate_usable(expired)
    assert not result.ok and "đã hết hạn" in result.problems[0]
    assert check_certificate_usable(expired, now - timedelta(days=30)).ok
    future = soft_identity(tag="FUT", not_before=now + timedelta(days=3), not_after=now + timedelta(days=30)).cert
    assert "chưa có hiệu lực" in check_certificate_usable(future).problems[0]
    ca = check_certificate_usable(ident.intermediate)
    assert not ca.ok and "(CA)" in ca.problems[0]


def test_trust_store_reads_pem_and_der_and_flags_demo(tmp_path):
    a, b = soft_identity(tag="A"), soft_identity(tag="B")
    (tmp_path / "demo-root.pem").write_bytes(a.root.public_bytes(Encoding.PEM))
    (tmp_path / "vgca-root.cer").write_bytes(b.root.public_bytes(Encoding.DER))
    (tmp_path / "vgca-issuing.pem").write_bytes(b.intermediate.public_bytes(Encoding.PEM))
    (tmp_path / "README.md").write_text("không phải chứng thư")
    (tmp_path / "broken.pem").write_text("-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n")
    store = TrustStore.from_dirs(tmp_path, tmp_path / "khong-co")
    assert len(store.roots) == 2 and len(store.intermediates) == 1
    demo = store.verify_chain(a.cert, [a.intermediate])
    assert demo.trusted and demo.demo
    real = store.verify_chain(b.cert)  # the intermediate comes from the store, not the signature
    assert real.trusted and not real.demo and real.root_name == "Soft Root B"
    stranger = store.verify_chain(soft_identity(tag="C").cert)
    assert not stranger.trusted and "không thuộc tổ chức chứng thực" in stranger.reason


def test_chain_checked_at_a_time(tmp_path):
    ident = soft_identity(tag="A")
    store = TrustStore()
    store.add_certificate(ident.root)
    past = datetime(2001, 1, 1, tzinfo=timezone.utc)
    result = store.verify_chain(ident.cert, [ident.intermediate], past)
    assert not result.trusted and "không có hiệu lực tại thời điểm" in result.reason
