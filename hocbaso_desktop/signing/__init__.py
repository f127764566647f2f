"""Signing: PKCS#11 tokens, XAdES signatures over record XML, verification and the trust store.

Qt-free and database-free. Every PKCS#11 call runs on one token lane (`lane.py`). What services
and the CLI call:

- tokens:        `Pkcs11Provider(module_path)` → `.list_tokens()`, `.list_certificates(label)`,
                 `.open_session(label, prompt=...)`; `list_tokens(module_path)`; presets in `modules.py`
- PIN:           `ScriptedPinPrompt` (HOCBASO_PIN or a callable), `TerminalPinPrompt`
- batch signing: `sign_batch(provider, SignerChoice(...), jobs, role, prompt, cancel)` → Progress
- one record:    `sign_record(xml, key, chain, role, signing_time)`,
                 `verify_record(xml, trust_store, at)` → VerificationReport (`.ok`, `.lines()`)
- trust:         `default_trust_store(*dirs)`, `TrustStore.from_dirs(...)`
- checks:        `check_certificate_usable(cert, at)`, `owner_warning(cert, full_name)`
- demo:          `create_demo_token(...)`, `add_demo_identity(...)`
- hot-plug:      `TokenWatcher(provider, on_change)`
"""

from ..domain.progress import CancelToken
from .batch import Progress, SignerChoice, SignJob, SignOutcome, sign_batch
from .certs import check_certificate_usable, name_matches, owner_warning
from .demo_ca import DemoPerson, DemoTokenInfo, add_demo_identity, create_demo_token
from .errors import (
    CertificateNotFound,
    CertificateUnusable,
    PinEntryCancelled,
    PinError,
    PinLocked,
    SigningError,
    TokenError,
    TokenRemoved,
    WrongPin,
)
from .info import CertificateInfo, TokenInfo
from .lane import TokenLane, default_lane
from .modules import PRESETS, find_softhsm_module
from .prompt import PinPrompt, ScriptedPinPrompt, TerminalPinPrompt
from .report import ROLES, SignatureReport, VerificationReport
from .session import TokenSession
from .token import Pkcs11Provider, list_tokens
from .trust import TrustStore, default_trust_store
from .watcher import TokenChange, TokenWatcher
from .xml_signature import sign_record, verify_record

__all__ = [
    "CancelToken", "Progress", "SignerChoice", "SignJob", "SignOutcome", "sign_batch",
    "check_certificate_usable", "name_matches", "owner_warning",
    "DemoPerson", "DemoTokenInfo", "add_demo_identity", "create_demo_token",
    "CertificateNotFound", "CertificateUnusable", "PinEntryCancelled", "PinError", "PinLocked", "SigningError",
    "TokenError", "TokenRemoved", "WrongPin",
    "CertificateInfo", "TokenInfo", "TokenLane", "default_lane", "PRESETS", "find_softhsm_module",
    "PinPrompt", "ScriptedPinPrompt", "TerminalPinPrompt",
    "ROLES", "SignatureReport", "VerificationReport",
    "Pkcs11Provider", "TokenSession", "list_tokens", "TrustStore", "default_trust_store",
    "TokenChange", "TokenWatcher", "sign_record", "verify_record",
]
