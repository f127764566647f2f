"""Fixtures for the signing tests: a real SoftHSM2 with a private configuration and token directory
per test session (no global state beyond this process's SOFTHSM2_CONF, restored afterwards), a demo
CA hierarchy made inside the tokens, and a minimal hand-written record XML."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

from hocbaso_desktop.signing import softhsm
from hocbaso_desktop.signing.demo_ca import DemoTokenInfo, add_demo_identity, create_demo_token
from hocbaso_desktop.signing.lane import TokenLane
from hocbaso_desktop.signing.prompt import ScriptedPinPrompt
from hocbaso_desktop.signing.token import Pkcs11Provider
from hocbaso_desktop.signing.trust import TrustStore
from tests.tools import require_tool

USER_PIN = "246810"
SO_PIN = "13579111"
CONTENT_ID = "HB-0123456789abcdef0123456789abcdef-v1"

PEOPLE = [
    ("GV001", "Nguyễn Thị Hồng Nhung", "001234567890", "person"),
    ("HT001", "Trần Văn Bình", "001234567891", "person"),
    ("DAU", "Trường Tiểu học Thử nghiệm", "0101234567", "seal"),
]


def record_xml(extra_rows: int = 3, content_id: str = CONTENT_ID) -> bytes:
    """A minimal record in the agreed shape; `extra_rows` pads it (~70 bytes a row)."""
    rows = "\n".join(
        f'    <mon ma="M{i:03d}"><ten>Tiếng Việt {i}</ten><nhanxet>Em đọc trôi chảy, viết đúng chính tả.</nhanxet></mon>'
        for i in range(extra_rows)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<hocbaso xmlns="urn:hocbaso:tieuhoc:1.0" phienbanxsd="1.0">\n'
        f'  <thongtinhocba Id="{content_id}">\n'
        "    <hoten>Lê Thị Ngọc Ánh</hoten>\n"
        "    <ngaysinh>2016-09-02</ngaysinh>\n"
        f"{rows}\n"
        "  </thongtinhocba>\n"
        "  <chukyso/>\n"
        "</hocbaso>\n"
    ).encode("utf-8")


@pytest.fixture(scope="session")
def softhsm_module() -> str:
    return require_tool("softhsm2")


@pytest.fixture(scope="session")
def lane() -> Iterator[TokenLane]:
    with TokenLane("test-token-lane") as lane:
        yield lane


@pytest.fixture(scope="session")
def hsm_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("softhsm")
    previous = os.environ.get("SOFTHSM2_CONF")
    yield base
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="session")
def provider(softhsm_module: str, lane: TokenLane) -> Pkcs11Provider:
    return Pkcs11Provider(softhsm_module, lane=lane)


@pytest.fixture(scope="session")
def demo(softhsm_module: str, hsm_dir: Path, provider: Pkcs11Provider) -> DemoTokenInfo:
    # Backdated CA so a certificate that expired a year ago still chains at its signing time.
    info = create_demo_token(
        softhsm_module, hsm_dir / "softhsm2.conf", hsm_dir / "tokens", "HOCBASO-TEST",
        user_pin=USER_PIN, so_pin=SO_PIN, people=PEOPLE, ca_dir=hsm_dir / "trust",
        provider=provider, ca_not_before=datetime.now(timezone.utc) - timedelta(days=4 * 365),
    )
    _active[:] = [(info, provider)]
    return info


_active: list[tuple[DemoTokenInfo, Pkcs11Provider]] = []  # this process's demo token, once made


def _reactivate() -> None:
    """SoftHSM's configuration is process-wide: when a test file run earlier in this worker switched
    it to the school token (tests/school_token.py), point it back at this token."""
    if _active and os.environ.get("SOFTHSM2_CONF") != _active[0][0].conf_path:
        softhsm.use_config(_active[0][0].conf_path)
        _active[0][1].reload(force=True)


@pytest.fixture(autouse=True)
def _demo_token_active() -> None:
    _reactivate()


@pytest.fixture(scope="session")
def expired_identity(demo: DemoTokenInfo, provider: Pkcs11Provider):
    now = datetime.now(timezone.utc)
    _reactivate()
    return add_demo_identity(
        provider, demo, ("GV009", "Phạm Thị Cũ", "001234567899", "person"), user_pin=USER_PIN,
        not_before=now - timedelta(days=3 * 365), not_after=now - timedelta(days=365),
    )


@pytest.fixture(scope="session")
def trust(demo: DemoTokenInfo) -> TrustStore:
    return TrustStore.from_dirs(Path(demo.root_cert_path).parent)


@pytest.fixture()
def pin_prompt() -> ScriptedPinPrompt:
    return ScriptedPinPrompt(lambda: USER_PIN)


class Signer:
    """Opens a logged-in session per use, as the product does: one login per batch."""

    def __init__(self, provider: Pkcs11Provider, demo: DemoTokenInfo) -> None:
        self.provider = provider
        self.demo = demo

    def identity(self, staff_code: str):
        return next(i for i in self.demo.identities if i.staff_code == staff_code)

    def sign(self, xml: bytes, staff_code: str, role: str, signing_time: datetime | None = None,
             cert_id: bytes | None = None) -> bytes:
        from hocbaso_desktop.signing.xml_signature import sign_record

        wanted = cert_id or self.identity(staff_code).cert_id
        _reactivate()  # session fixtures sign at first use, whichever file switched the module before
        with self.provider.open_session(self.demo.label, prompt=ScriptedPinPrompt(lambda: USER_PIN)) as s:
            cert = next(c for c in s.signing_certificates() if c.cert_id == wanted)
            key = s.signing_key(cert)
            return sign_record(xml, key, s.chain_for(cert.certificate()), role, signing_time)


@pytest.fixture(scope="session")
def signer(provider: Pkcs11Provider, demo: DemoTokenInfo) -> Signer:
    return Signer(provider, demo)


@pytest.fixture(scope="session")
def fully_signed(signer: Signer) -> bytes:
    xml = record_xml()
    xml = signer.sign(xml, "GV001", "gvcn")
    xml = signer.sign(xml, "HT001", "principal")
    return signer.sign(xml, "DAU", "seal")
