"""Per-machine preferences in a small JSON file under the platform's config folder.

Why not the database: the language must be known before the database is opened (the "already
open" and login dialogs speak it), and it belongs to the lab PC, not to the school's data — a
database restored or moved to another PC must not change the language of that PC. Everything the
school decides (school details, year dates, token, upload, idle lock, backups) stays in the
database, audited (services/settings.py, services/school_settings.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from ..file_modes import private_dir, write_private_text

ENV_DIR = "HOCBASO_CONFIG_DIR"  # override for tests and portable installs
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"


@dataclass(frozen=True)
class MachineConfig:
    language: str = DEFAULT_LANGUAGE


def config_path() -> Path:
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env) / "config.json"
    from platformdirs import user_config_dir

    return Path(user_config_dir("hocbaso", "hocbaso")) / "config.json"


def load() -> MachineConfig:
    """The saved preferences; a missing or damaged file gives the defaults (never an error at start)."""
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return MachineConfig()
    lang = data.get("language") if isinstance(data, dict) else None
    return MachineConfig(language=lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def save(cfg: MachineConfig) -> Path:
    if cfg.language not in LANGUAGES:
        raise ValueError(f"unknown language {cfg.language!r}")
    path = config_path()
    private_dir(path.parent, existing_too=False)
    tmp = path.with_suffix(".tmp")
    write_private_text(tmp, json.dumps(asdict(cfg), ensure_ascii=False, indent=2) + "\n")
    os.replace(tmp, path)
    return path
