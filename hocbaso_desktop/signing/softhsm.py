"""SoftHSM2 housekeeping: a private configuration and `softhsm2-util` calls.

python-pkcs11 has no C_InitToken (gotcha 3), so tokens are initialised with softhsm2-util. The
library reads SOFTHSM2_CONF when it is initialised (gotcha 2): whoever loads the module must set
the variable first, which `use_config` does for this process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..file_modes import private_dir, write_private_text
from .errors import DemoTokenError


def write_config(conf_path: str | os.PathLike[str], token_dir: str | os.PathLike[str]) -> Path:
    conf = Path(conf_path)
    tokens = Path(token_dir)
    # The token folder holds the demo keys: owner-only, as SoftHSM makes the files inside it.
    private_dir(conf.parent)
    private_dir(tokens)
    write_private_text(
        conf,
        "# Written by hocbaso: a private SoftHSM2 configuration for the demo token\n"
        f"directories.tokendir = {tokens.resolve()}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n",
    )
    return conf


def use_config(conf_path: str | os.PathLike[str]) -> None:
    """Point this process's SoftHSM at `conf_path` (takes effect at the next module initialisation)."""
    os.environ["SOFTHSM2_CONF"] = str(Path(conf_path).resolve())


def _util() -> str:
    exe = shutil.which("softhsm2-util")
    if exe is None:
        raise DemoTokenError("Chưa cài SoftHSM2 (lệnh softhsm2-util): không tạo được thiết bị ký số thử nghiệm.")
    return exe


def _run(conf_path: str | os.PathLike[str], args: list[str]) -> str:
    env = dict(os.environ, SOFTHSM2_CONF=str(Path(conf_path).resolve()))
    proc = subprocess.run([_util(), *args], env=env, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        # softhsm2-util echoes no PIN in its errors; only stderr/stdout are shown
        raise DemoTokenError(f"softhsm2-util thất bại: {(proc.stderr or proc.stdout).strip()}")
    return proc.stdout


def init_token(conf_path: str | os.PathLike[str], label: str, user_pin: str, so_pin: str) -> None:
    # The PINs are command-line arguments of softhsm2-util for a moment: acceptable for a demo
    # token whose PIN is printed on screen anyway, never done for a real token.
    _run(conf_path, ["--init-token", "--free", "--label", label, "--pin", user_pin, "--so-pin", so_pin])


def token_labels(conf_path: str | os.PathLike[str]) -> list[str]:
    out = _run(conf_path, ["--show-slots"])
    labels = []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Label:"):
            value = line[len("Label:"):].strip()
            if value:
                labels.append(value)
    return labels


def delete_token(conf_path: str | os.PathLike[str], label: str) -> None:
    _run(conf_path, ["--delete-token", "--token", label])
