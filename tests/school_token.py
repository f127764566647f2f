"""One SoftHSM2 token for the demo school, shared by the signing service, CLI-free and GUI tests of
one pytest process: keys for the principal, vice-principal, every GVCN and the school seal, issued by
a demo CA in a private token directory (never the user's). Created once (a few seconds), attached
to each test's copy of the demo database by writing the settings.

SoftHSM reads its configuration when the module is initialised, and the module is process-wide: a
test that uses this token calls `activate()` first, which re-points SOFTHSM2_CONF here and
re-initialises the module if another fixture (tests/signing) switched it meanwhile.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hocbaso_desktop.services import settings as settings_service
from hocbaso_desktop.services.signing_setup import create_school_demo_token
from hocbaso_desktop.signing import DemoTokenInfo, Pkcs11Provider, softhsm
from hocbaso_desktop.storage.engine import Store
from tests.tools import require_tool

PIN = "424242"
LABEL = "HOCBASO-TEST-SCHOOL"


@dataclass
class SchoolToken:
    provider: Pkcs11Provider
    info: DemoTokenInfo
    home: Path

    @property
    def trust_dir(self) -> Path:
        return self.home / "trust"

    def activate(self) -> None:
        if os.environ.get("SOFTHSM2_CONF") != self.info.conf_path:
            softhsm.use_config(self.info.conf_path)
            self.provider.reload(force=True)

    def seal(self, pin: str = PIN):  # noqa: ANN201 - archive_service.SealWith
        """The school's seal on this token, PIN typed by a script (year lock, withdrawal, archive)."""
        from hocbaso_desktop.services.archive_service import SealWith
        from hocbaso_desktop.signing import ScriptedPinPrompt

        self.activate()
        return SealWith(self.provider, ScriptedPinPrompt(lambda: pin), self.info.label)

    def attach(self, store: Store) -> None:
        """Point this database's settings at the token (as `hocbaso demo-token` does)."""
        self.activate()
        settings_service.set_many(store, "system", {
            settings_service.PKCS11_MODULE: self.provider.module_path,
            settings_service.SOFTHSM_CONF: self.info.conf_path,
            settings_service.TOKEN_LABEL: self.info.label,
            settings_service.TRUST_DIRS: settings_service.encode_dirs([str(self.trust_dir)]),
        })


_cached: SchoolToken | None = None


def school_token(demo_template: Path) -> SchoolToken:
    """The shared token. Without SoftHSM2 the calling test skips locally and fails on CI (tests/tools.py)."""
    global _cached
    module = require_tool("softhsm2")
    if _cached is None:
        home = Path(tempfile.mkdtemp(prefix="hocbaso-school-token-"))
        db = home / "template.sqlite3"
        shutil.copyfile(demo_template, db)
        provider = Pkcs11Provider(module)
        with Store.open(db) as store:
            info, _pin = create_school_demo_token(store, "system", pin=PIN, home=home, label=LABEL, provider=provider)
        _cached = SchoolToken(provider, info, home)
    _cached.activate()
    return _cached
